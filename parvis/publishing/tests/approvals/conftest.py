"""A contributor's post awaiting approval, and helpers to reach the approval settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership, Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Post, PostStage, PublishingSettings
from parvis.publishing.services.posts import post_create

TEXT = "Le salon des entreprises ouvre ses portes jeudi à 9 h."


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    return created


@pytest.fixture
def steps(workspace: Workspace) -> Callable[[int], None]:
    def set_steps(count: int) -> None:
        PublishingSettings.objects.update_or_create(workspace=workspace, defaults={"approval_steps": count})

    return set_steps


@pytest.fixture
def in_review(theo: Membership, alice: Membership, camille: Membership, account: ConnectedAccount) -> Post:
    """Théo (contributor) wrote a post for tomorrow: it waits for Alice or Camille."""
    post = post_create(membership=theo, text=TEXT, accounts=[account], scheduled_at=timezone.now() + timedelta(days=1))
    assert post.stage == PostStage.IN_REVIEW
    return post
