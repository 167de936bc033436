"""The fake network talking to the organisation's accounts, for API tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.protocol import Author, EventKind, NetworkEvent
from parvis.networks.services import account_poll


def event(
    external_id: str,
    text: str,
    *,
    handle: str = "@lea@social.example",
    kind: EventKind = EventKind.MENTION,
    minutes_ago: int = 10,
    in_reply_to_id: str = "",
) -> NetworkEvent:
    return NetworkEvent(
        kind=kind,
        external_id=external_id,
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
        author=Author(external_id=f"user-{handle}", handle=handle, display_name=handle.strip("@")),
        text=text,
        url=f"https://fake.example/{external_id}",
        in_reply_to_id=in_reply_to_id,
    )


def receive(account: ConnectedAccount, *events: NetworkEvent) -> None:
    """The fake network says something new to `account`, which is polled as the scheduler would.

    The fake network has one timeline for every account: the cursor is moved to the end first
    so that the account only sees these events.
    """
    PollCursor.objects.update_or_create(account=account, defaults={"value": {"seen": len(FakeConnector.inbox)}})
    FakeConnector.inbox.extend(events)
    account_poll(account_id=account.pk)
