"""Posts placed on the workspace's clock (Europe/Paris) around the 2030 clock changes:
spring forward on Sunday 31 March 2030, back on Sunday 27 October 2030."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from parvis.core.models import Membership, Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Post
from parvis.publishing.services.posts import post_create
from parvis.publishing.timeparse import local_to_utc

MakePost = Callable[..., Post]


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    return created


@pytest.fixture
def other_account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, handle="@cci_events")
    return created


@pytest.fixture
def make_post(camille: Membership, account: ConnectedAccount) -> MakePost:
    """A released post at a local wall-clock time of the workspace (naive datetime)."""

    def make(
        local: datetime,
        *,
        text: str = "Salon des entreprises",
        on: list[ConnectedAccount] | None = None,
        by: Membership | None = None,
        **kwargs: object,
    ) -> Post:
        return post_create(
            membership=by or camille,
            text=text,
            accounts=on or [account],
            scheduled_at=local_to_utc(local, camille.workspace.zone),
            **kwargs,  # type: ignore[arg-type]
        )

    return make
