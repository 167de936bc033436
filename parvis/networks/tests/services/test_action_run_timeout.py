"""The run timeout bounds an attempt; the scheduler re-delivers only after a longer window."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus, AttemptOutcome, ConnectedAccount
from parvis.networks.protocol import AccountRef, ActionRequest, ActionResult
from parvis.networks.services import (
    REDELIVERY_GRACE_SECONDS,
    action_claim,
    action_execute,
    redelivery_after_seconds,
    scheduler_tick,
)
from parvis.networks.tests.factories import ActionFactory


def _slow_execute(self: FakeConnector, account: AccountRef, request: ActionRequest) -> ActionResult:
    time.sleep(5)
    raise AssertionError("the attempt should have been cut off")


def test_an_attempt_longer_than_the_run_timeout_is_cut_off(
    account: ConnectedAccount, settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 0.3  # type: ignore[attr-defined]
    monkeypatch.setattr(FakeConnector, "execute", _slow_execute)
    action = ActionFactory(account=account)
    started = time.monotonic()

    action_execute(action_id=action.pk)

    assert time.monotonic() - started < 3
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING  # retried later, reading back first
    attempt = action.attempt_log.get()
    assert attempt.outcome == AttemptOutcome.TRANSIENT
    assert "longer than 0.3 s" in attempt.error


def test_the_redelivery_window_is_the_run_timeout_plus_a_grace_period(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 120  # type: ignore[attr-defined]

    assert redelivery_after_seconds() == 120 + REDELIVERY_GRACE_SECONDS


def test_the_redelivery_window_can_be_set(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_ACTION_REDELIVERY_AFTER = 900  # type: ignore[attr-defined]

    assert redelivery_after_seconds() == 900


def _processing(account: ConnectedAccount, claimed_seconds_ago: float) -> Action:
    claimed_at = timezone.now() - timedelta(seconds=claimed_seconds_ago)
    action: Action = ActionFactory(
        account=account, status=ActionStatus.PROCESSING, claimed_at=claimed_at, attempts=1, due_at=claimed_at
    )
    return action


def test_an_action_past_the_run_timeout_but_within_the_window_is_not_taken_back(
    account: ConnectedAccount, settings: pytest.FixtureRequest, queue: object
) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 30  # type: ignore[attr-defined]
    action = _processing(account, 31)

    scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.PROCESSING


def test_an_action_past_the_window_is_taken_back(
    account: ConnectedAccount, settings: pytest.FixtureRequest, queue: object
) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 30  # type: ignore[attr-defined]
    action = _processing(account, 30 + REDELIVERY_GRACE_SECONDS + 1)

    report = scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert report["abandoned"] == 1
    assert action.attempt_log.get().outcome == AttemptOutcome.ABANDONED


def test_a_worker_that_lost_its_claim_does_not_overwrite_the_new_one(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    claimed = action_claim(action_id=action.pk)
    assert claimed is not None
    # Meanwhile the action was taken back and claimed by another worker.
    Action.objects.filter(pk=action.pk).update(claimed_at=timezone.now() + timedelta(seconds=1))

    from parvis.networks.errors import PermanentError
    from parvis.networks.services import _action_finish

    attempt = claimed.attempt_log.create(started_at=timezone.now())
    _action_finish(claimed, attempt, PermanentError("late answer of the first worker"))

    action.refresh_from_db()
    assert action.status == ActionStatus.PROCESSING
    assert action.last_error == ""
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.PERMANENT  # its own attempt is still recorded
