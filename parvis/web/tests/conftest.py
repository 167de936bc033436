"""Helpers for the web tests: an account on the fake network and messages received on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parvis.core.models import Membership, Workspace
from parvis.inbox.models import Conversation
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.protocol import Author, EventKind, NetworkEvent
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import ConnectedAccountFactory

Receive = Callable[..., Conversation]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    """Personas get their password hashed when created; a slow hasher only slows these tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    return created


@pytest.fixture
def signed_in(client: Client) -> Callable[[Membership], Client]:
    def sign_in(membership: Membership) -> Client:
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def receive(account: ConnectedAccount) -> Receive:
    """Let the fake network say something, poll the account, and return the conversation it landed in."""
    counter = iter(range(1, 10_000))

    def _receive(
        text: str,
        *,
        on: ConnectedAccount | None = None,
        kind: EventKind = EventKind.MENTION,
        author: str = "@marie@social.example",
        name: str = "Marie",
        at: datetime | None = None,
        in_reply_to: str = "",
        external_id: str | None = None,
    ) -> Conversation:
        target = on or account
        number = next(counter)
        event_id = external_id or f"status-{target.pk}-{number}"
        # The fake network's inbox is shared by every account: keep only this event, read from the start.
        PollCursor.objects.filter(account=target).delete()
        FakeConnector.inbox[:] = [
            NetworkEvent(
                kind=kind,
                external_id=event_id,
                occurred_at=at or timezone.now() - timedelta(minutes=60 - number),
                author=Author(
                    external_id=f"author-{author}",
                    handle=author,
                    display_name=name,
                    url=f"https://social.example/{author}",
                ),
                text=text,
                url=f"https://social.example/statuses/{event_id}",
                in_reply_to_id=in_reply_to,
            )
        ]
        account_poll(account_id=target.pk)
        return Conversation.objects.get(messages__external_id=event_id, account=target)

    return _receive
