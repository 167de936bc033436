"""Triage runs before the ingest's write transaction opens: on SQLite that transaction blocks every other
writer (web requests, workers, the stream) for as long as it lasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection

from parvis.inbox import ingest as inbox_ingest
from parvis.inbox.models import Message
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import NetworkEventFactory


@pytest.fixture
def triage_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Each call of the triage: (how many texts, whether a transaction was open)."""
    calls: list[tuple[int, bool]] = []
    real = inbox_ingest.triage_batch

    def spying(texts: Sequence[str], model: Any = None) -> Any:
        calls.append((len(texts), connection.in_atomic_block))
        return real(texts, model=model)

    monkeypatch.setattr(inbox_ingest, "triage_batch", spying)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_poll_triages_its_new_messages_before_the_write_transaction(
    account: ConnectedAccount, triage_calls: list[tuple[int, bool]]
) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(3))

    report = account_poll(account_id=account.pk)

    assert report is not None and report.stored == 3
    assert triage_calls == [(3, False)]  # one batch, no transaction open
    assert all(message.category and message.sentiment for message in Message.objects.filter(account=account))


@pytest.mark.django_db(transaction=True)
def test_messages_already_stored_are_not_triaged_again(
    account: ConnectedAccount, triage_calls: list[tuple[int, bool]]
) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))
    account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # the network sends both again, plus a new one
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(1))

    account_poll(account_id=account.pk)

    assert triage_calls == [(2, False), (1, False)]
    assert Message.objects.filter(account=account).count() == 3


@pytest.mark.django_db
def test_events_routed_without_preparation_are_triaged_in_the_handler(account: ConnectedAccount) -> None:
    events = NetworkEventFactory.build_batch(2)

    stored = inbox_ingest.ingest_messages(account, events)

    assert stored == 2
    assert all(message.category for message in Message.objects.filter(account=account))
