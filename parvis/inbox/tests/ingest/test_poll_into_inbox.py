"""The in-pipe end to end: a poll of the fake network stores its events in the inbox, once and atomically."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from parvis.inbox.ingest import ingest_messages
from parvis.inbox.models import Conversation, Message
from parvis.networks import ingest
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.protocol import EventKind, NetworkEvent
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import NetworkEventFactory


def _crash_after_storing_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mention handler writes its rows, then fails: a crash half-way through the ingest."""

    def crashing(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
        ingest_messages(account, events)
        raise RuntimeError("disk full")

    monkeypatch.setitem(ingest._ROUTES, EventKind.MENTION, crashing)


def test_a_poll_stores_what_the_network_sent(account: ConnectedAccount) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert report.stored == 2
    assert Message.objects.filter(account=account).count() == 2


def test_redelivering_the_same_events_stores_nothing(account: ConnectedAccount) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))
    account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # the network sends everything again

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert (report.received, report.stored) == (2, 0)
    assert Message.objects.filter(account=account).count() == 2


def test_a_failure_half_way_through_the_ingest_stores_nothing(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_after_storing_mentions(monkeypatch)
    FakeConnector.inbox.extend(
        [NetworkEventFactory(kind=EventKind.FOLLOW, text=""), NetworkEventFactory(), NetworkEventFactory()]
    )

    assert account_poll(account_id=account.pk) is None

    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_the_poll_after_a_failure_half_way_stores_everything(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeConnector.inbox.extend(
        [NetworkEventFactory(kind=EventKind.FOLLOW, text=""), NetworkEventFactory(), NetworkEventFactory()]
    )
    with monkeypatch.context() as patched:
        _crash_after_storing_mentions(patched)
        account_poll(account_id=account.pk)

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert report.stored == 3
    assert Message.objects.count() == 3


def test_an_event_kind_nobody_handles_stores_nothing_of_the_poll(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(ingest._ROUTES, EventKind.FOLLOW)
    FakeConnector.inbox.extend([NetworkEventFactory(), NetworkEventFactory(kind=EventKind.FOLLOW)])

    account_poll(account_id=account.pk)

    assert Message.objects.count() == 0
