"""The scheduler hands due work to the workers; here the queue only records what it is given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend

from parvis.networks.models import AccountStatus, ActionStatus, AttemptOutcome, ConnectedAccount, Heartbeat
from parvis.networks.selectors import heartbeat_at
from parvis.networks.services import redelivery_after_seconds, scheduler_tick
from parvis.networks.tasks import execute_action, poll_account
from parvis.networks.tests.conftest import EnqueuedArgs
from parvis.networks.tests.factories import ActionFactory, ConnectedAccountFactory

pytestmark = pytest.mark.usefixtures("queue")


def _processing(account: ConnectedAccount, claimed_seconds_ago: float) -> object:
    claimed_at = timezone.now() - timedelta(seconds=claimed_seconds_ago)
    return ActionFactory(
        account=account, status=ActionStatus.PROCESSING, claimed_at=claimed_at, attempts=1, due_at=claimed_at
    )


# --- actions ---------------------------------------------------------------------------------


def test_it_enqueues_a_due_pending_action(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    action = ActionFactory(account=account, due_at=timezone.now() - timedelta(seconds=5))

    scheduler_tick()

    assert enqueued(execute_action) == [action.pk]
    action.refresh_from_db()
    assert action.enqueued_at is not None


def test_it_does_not_enqueue_an_action_twice_on_two_ticks_within_a_minute(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = ActionFactory(account=account)
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=59))

    assert enqueued(execute_action) == [action.pk]


def test_it_sends_the_action_again_after_a_minute_when_its_task_was_lost(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = ActionFactory(account=account)
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=61))

    assert enqueued(execute_action) == [action.pk, action.pk]


def test_it_leaves_an_action_due_later_alone(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    ActionFactory(account=account, due_at=timezone.now() + timedelta(minutes=10))

    scheduler_tick()

    assert enqueued(execute_action) == []


def test_it_enqueues_a_scheduled_action_once_its_time_comes(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    due = timezone.now() + timedelta(minutes=10)
    action = ActionFactory(account=account, due_at=due)

    scheduler_tick(now=due - timedelta(seconds=1))
    scheduler_tick(now=due)

    assert enqueued(execute_action) == [action.pk]


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.FAILED, ActionStatus.HELD, ActionStatus.CANCELLED])
def test_it_leaves_actions_that_are_not_pending_alone(
    account: ConnectedAccount, enqueued: EnqueuedArgs, status: ActionStatus
) -> None:
    ActionFactory(account=account, status=status)

    scheduler_tick()

    assert enqueued(execute_action) == []


def test_it_requeues_an_action_abandoned_in_processing_past_the_redelivery_window(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = _processing(account, redelivery_after_seconds() + 10)

    report = scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert report["abandoned"] == 1
    assert enqueued(execute_action) == [action.pk]


def test_it_records_an_abandoned_attempt_for_the_requeued_action(account: ConnectedAccount) -> None:
    action = _processing(account, redelivery_after_seconds() + 10)
    action.attempt_log.create(started_at=action.claimed_at)

    scheduler_tick()

    [attempt] = action.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.ABANDONED
    assert attempt.finished_at is not None


def test_it_records_an_abandoned_attempt_even_when_the_worker_died_before_writing_one(
    account: ConnectedAccount,
) -> None:
    action = _processing(account, redelivery_after_seconds() + 10)

    scheduler_tick()

    [attempt] = action.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.ABANDONED


def test_it_fails_an_abandoned_action_that_has_used_all_its_attempts(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = _processing(account, redelivery_after_seconds() + 10)
    type(action).objects.filter(pk=action.pk).update(attempts=8, max_attempts=8)

    scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert action.finished_at is not None
    assert enqueued(execute_action) == []


def test_it_leaves_an_action_that_is_still_within_the_redelivery_window_alone(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = _processing(account, redelivery_after_seconds() - 10)

    scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.PROCESSING
    assert enqueued(execute_action) == []


def test_the_redelivery_window_comes_from_the_settings(
    account: ConnectedAccount, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_ACTION_REDELIVERY_AFTER = 30  # type: ignore[attr-defined]
    action = _processing(account, 31)

    scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


# --- polls -----------------------------------------------------------------------------------


def test_it_enqueues_the_poll_of_a_due_account(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    scheduler_tick()

    assert enqueued(poll_account) == [account.pk]


def test_it_enqueues_the_poll_of_a_due_account_once(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=1))

    assert enqueued(poll_account) == [account.pk]


def test_it_moves_the_next_poll_of_the_account_by_the_networks_interval(account: ConnectedAccount) -> None:
    now = timezone.now()

    scheduler_tick(now=now)

    account.refresh_from_db()
    assert account.next_poll_at == now + timedelta(seconds=30)  # the fake network's interval


def test_it_polls_the_account_again_after_the_interval(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=30))

    assert enqueued(poll_account) == [account.pk, account.pk]


def test_it_leaves_an_account_not_yet_due_alone(workspace: object, enqueued: EnqueuedArgs) -> None:
    ConnectedAccountFactory(workspace=workspace, next_poll_at=timezone.now() + timedelta(minutes=1))

    scheduler_tick()

    assert enqueued(poll_account) == []


@pytest.mark.parametrize("status", [AccountStatus.NEEDS_REAUTH, AccountStatus.DISABLED])
def test_it_skips_accounts_it_must_not_poll(workspace: object, enqueued: EnqueuedArgs, status: AccountStatus) -> None:
    ConnectedAccountFactory(workspace=workspace, status=status)

    scheduler_tick()

    assert enqueued(poll_account) == []


def test_it_keeps_polling_an_account_in_error(workspace: object, enqueued: EnqueuedArgs) -> None:
    account = ConnectedAccountFactory(workspace=workspace, status=AccountStatus.ERROR)

    scheduler_tick()

    assert enqueued(poll_account) == [account.pk]


def test_an_account_whose_connector_cannot_be_loaded_does_not_stop_the_others(
    workspace: object, enqueued: EnqueuedArgs
) -> None:
    broken = ConnectedAccountFactory(workspace=workspace, network="gopher")
    healthy = ConnectedAccountFactory(workspace=workspace)

    scheduler_tick()

    assert healthy.pk in enqueued(poll_account)
    assert heartbeat_at("scheduler") is not None
    assert broken.pk in enqueued(poll_account)  # its poll records the failure on the account


# --- heartbeat -------------------------------------------------------------------------------


def test_it_writes_the_scheduler_heartbeat(db: None) -> None:
    now = timezone.now()

    scheduler_tick(now=now)

    assert heartbeat_at("scheduler") == now


def test_each_tick_moves_the_same_heartbeat(db: None) -> None:
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=2))

    assert Heartbeat.objects.get(name="scheduler").at == now + timedelta(seconds=2)


def test_it_reports_what_it_did(account: ConnectedAccount, queue: DummyBackend) -> None:
    ActionFactory(account=account)

    report = scheduler_tick()

    report.pop("periodic", None)  # the domain apps' periodic jobs (networks.periodic), tested on their own
    assert report == {"abandoned": 0, "actions": 1, "polls": 1}
