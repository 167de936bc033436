from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.management.commands import parvis_scheduler
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.selectors import heartbeat_at
from parvis.networks.tests.factories import ActionFactory


@pytest.fixture
def signal_handlers() -> Iterator[dict[int, Any]]:
    """The handlers in place before the test, put back after it whatever happens."""
    before = {number: signal.getsignal(number) for number in parvis_scheduler.STOP_SIGNALS}
    yield before
    for number, handler in before.items():
        signal.signal(number, handler)


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count ticks instead of running them; each test says what a tick or a wait does."""
    calls: list[int] = []
    monkeypatch.setattr(parvis_scheduler, "scheduler_tick", lambda: calls.append(1) or _empty_report())
    return calls


def _empty_report() -> dict[str, int]:
    return {"abandoned": 0, "actions": 0, "polls": 0}


def test_once_runs_a_single_tick(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    out = StringIO()

    call_command("parvis_scheduler", "--once", stdout=out)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE  # tasks run at once in unit tests
    assert len(FakeConnector.published) == 1
    assert heartbeat_at("scheduler") is not None
    assert "1 action(s) enqueued" in out.getvalue()


def test_it_stops_cleanly_on_sigterm_after_finishing_the_tick_under_way(
    db: None, monkeypatch: pytest.MonkeyPatch, signal_handlers: dict[int, Any]
) -> None:
    calls: list[int] = []

    def tick_interrupted() -> dict[str, int]:
        calls.append(1)
        os.kill(os.getpid(), signal.SIGTERM)
        return _empty_report()

    monkeypatch.setattr(parvis_scheduler, "scheduler_tick", tick_interrupted)
    monkeypatch.setattr(parvis_scheduler.time, "sleep", _fail_if_called)

    call_command("parvis_scheduler")

    assert calls == [1]


def test_it_stops_at_once_on_sigint_while_waiting_for_the_next_tick(
    db: None, ticks: list[int], monkeypatch: pytest.MonkeyPatch, signal_handlers: dict[int, Any]
) -> None:
    monkeypatch.setattr(parvis_scheduler.time, "sleep", lambda seconds: os.kill(os.getpid(), signal.SIGINT))

    call_command("parvis_scheduler")

    assert ticks == [1]


def test_it_waits_the_configured_tick_between_two_ticks(
    db: None,
    ticks: list[int],
    monkeypatch: pytest.MonkeyPatch,
    settings: pytest.FixtureRequest,
    signal_handlers: dict[int, Any],
) -> None:
    settings.PARVIS_SCHEDULER_TICK = 7  # type: ignore[attr-defined]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(parvis_scheduler.time, "sleep", sleep)

    call_command("parvis_scheduler")

    assert waits == [7, 7]
    assert ticks == [1, 1]


def test_a_failing_tick_does_not_end_the_scheduler(
    db: None, monkeypatch: pytest.MonkeyPatch, signal_handlers: dict[int, Any]
) -> None:
    outcomes: list[str] = []

    def tick() -> dict[str, int]:
        outcomes.append("tick")
        if len(outcomes) == 1:
            raise RuntimeError("database is locked")
        os.kill(os.getpid(), signal.SIGTERM)
        return _empty_report()

    monkeypatch.setattr(parvis_scheduler, "scheduler_tick", tick)
    monkeypatch.setattr(parvis_scheduler.time, "sleep", lambda seconds: None)

    call_command("parvis_scheduler")

    assert outcomes == ["tick", "tick"]


def test_it_puts_the_previous_signal_handlers_back_when_it_stops(
    db: None, ticks: list[int], monkeypatch: pytest.MonkeyPatch, signal_handlers: dict[int, Any]
) -> None:
    monkeypatch.setattr(parvis_scheduler.time, "sleep", lambda seconds: os.kill(os.getpid(), signal.SIGTERM))

    call_command("parvis_scheduler")

    assert {number: signal.getsignal(number) for number in parvis_scheduler.STOP_SIGNALS} == signal_handlers


def _fail_if_called(seconds: float) -> None:
    raise AssertionError("the scheduler waited after being asked to stop")
