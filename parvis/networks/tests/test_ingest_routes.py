from __future__ import annotations

from collections.abc import Sequence

import pytest

from parvis.networks import ingest
from parvis.networks.ingest import UnroutedEventKind, route_events
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import EventKind, NetworkEvent
from parvis.networks.tests.factories import NetworkEventFactory


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[EventKind, list[str]]]:
    """Replace the mention and follow handlers with ones that record their batches."""
    batches: list[tuple[EventKind, list[str]]] = []

    def recorder(kind: EventKind):  # type: ignore[no-untyped-def]
        def handler(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
            batches.append((kind, [event.external_id for event in events]))
            return len(events)

        return handler

    for kind in (EventKind.MENTION, EventKind.FOLLOW):
        monkeypatch.setitem(ingest._ROUTES, kind, recorder(kind))
    return batches


def test_each_kind_goes_to_its_handler_in_one_batch(
    account: ConnectedAccount, handled: list[tuple[EventKind, list[str]]]
) -> None:
    events = [
        NetworkEventFactory(external_id="m1"),
        NetworkEventFactory(kind=EventKind.FOLLOW, external_id="f1"),
        NetworkEventFactory(external_id="m2"),
    ]

    report = route_events(account, events)

    assert handled == [(EventKind.MENTION, ["m1", "m2"]), (EventKind.FOLLOW, ["f1"])]
    assert (report.received, report.stored) == (3, 3)
    assert report.by_kind == {"mention": 2, "follow": 1}


def test_favourites_and_reblogs_are_routed_like_any_other_kind(account: ConnectedAccount) -> None:
    events = [
        NetworkEventFactory(kind=EventKind.FAVOURITE),
        NetworkEventFactory(kind=EventKind.REBLOG),
        NetworkEventFactory(),
    ]

    report = route_events(account, events)

    assert (report.received, report.ignored, report.stored) == (3, 0, 3)
    assert report.by_kind == {"favourite": 1, "reblog": 1, "mention": 1}


def test_an_event_kind_nobody_handles_raises_unrouted_event_kind(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(ingest._ROUTES, EventKind.DIRECT_MESSAGE)

    with pytest.raises(UnroutedEventKind):
        route_events(account, [NetworkEventFactory(kind=EventKind.DIRECT_MESSAGE)])


def test_an_unrouted_kind_is_refused_before_any_handler_runs(
    account: ConnectedAccount, handled: list[tuple[EventKind, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(ingest._ROUTES, EventKind.DIRECT_MESSAGE)

    with pytest.raises(UnroutedEventKind):
        route_events(account, [NetworkEventFactory(), NetworkEventFactory(kind=EventKind.DIRECT_MESSAGE)])

    assert handled == []


def test_every_kind_a_connector_may_send_is_routed_or_ignored() -> None:
    assert set(EventKind) == set(ingest._ROUTES) | ingest.IGNORED_KINDS


def test_an_empty_batch_reports_nothing(account: ConnectedAccount) -> None:
    report = route_events(account, [])

    assert (report.received, report.stored, report.ignored) == (0, 0, 0)
