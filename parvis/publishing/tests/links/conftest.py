from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Campaign, Post


@pytest.fixture(autouse=True)
def _base_url(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_BASE_URL = "https://parvis.example/"  # type: ignore[attr-defined]


@pytest.fixture
def mastodon(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, network="mastodon", handle="@cci")
    return created


@pytest.fixture
def linkedin(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, network="linkedin", handle="CCI Lyon")
    return created


@pytest.fixture
def campaign(workspace: Workspace) -> Campaign:
    return Campaign.objects.create(workspace=workspace, name="Salon des entreprises 2025")


@pytest.fixture
def post(workspace: Workspace, campaign: Campaign) -> Post:
    return Post.objects.create(
        workspace=workspace,
        text="Le salon ouvre : https://cci.example/salon",
        scheduled_at=timezone.now(),
        campaign=campaign,
    )
