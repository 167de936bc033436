"""The lateness cutoff: a due post that cannot go out in time waits for a person, who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership, Notification
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import RateLimited
from parvis.networks.models import Action, ActionStatus, AttemptOutcome, ConnectedAccount
from parvis.networks.services import (
    action_cancel,
    action_execute,
    action_reschedule,
    action_retry,
    scheduler_tick,
)
from parvis.networks.tasks import execute_action
from parvis.networks.tests.conftest import EnqueuedArgs
from parvis.networks.tests.factories import ActionFactory


def _late(account: ConnectedAccount, **fields: object) -> Action:
    due = timezone.now() - timedelta(hours=2)
    action: Action = ActionFactory(
        account=account, due_at=due, next_attempt_at=due, late_after=due + timedelta(hours=1), **fields
    )
    return action


def test_a_worker_holds_an_action_past_its_cutoff_instead_of_publishing_it(account: ConnectedAccount) -> None:
    action = _late(account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert FakeConnector.published == []
    assert action.attempt_log.get().outcome == AttemptOutcome.LATE


def test_an_action_within_its_cutoff_goes_out(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, late_after=timezone.now() + timedelta(minutes=30))

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_scheduler_holds_a_late_action_even_when_no_worker_takes_it(
    account: ConnectedAccount, queue: object
) -> None:
    action = _late(account)

    report = scheduler_tick()

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert report["late"] == 1
    assert action.attempt_log.get().outcome == AttemptOutcome.LATE


def test_a_retry_scheduled_past_the_cutoff_is_held_too(account: ConnectedAccount, queue: object) -> None:
    action = ActionFactory(account=account, late_after=timezone.now() + timedelta(seconds=30))
    FakeConnector.fail_next.append(RateLimited("Slow down", retry_after=600))
    action_execute(action_id=action.pk)

    scheduler_tick(now=timezone.now() + timedelta(minutes=1))

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD


def test_publishers_are_told_once_while_they_have_not_read_it(
    account: ConnectedAccount, camille: Membership, alice: Membership, theo: Membership
) -> None:
    first, second = _late(account), _late(account)

    action_execute(action_id=first.pk)
    action_execute(action_id=second.pk)

    notified = Notification.objects.filter(kind="delivery.held")
    assert sorted(notified.values_list("recipient__username", flat=True)) == ["alice", "camille"]
    assert all(notification.url.endswith("?status=held") for notification in notified)
    assert all(notification.emailed_at is None for notification in notified)  # e-mail goes after the commit


def test_publish_now_clears_the_cutoff_and_publishes(
    account: ConnectedAccount, camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = _late(account)
    action_execute(action_id=action.pk)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.late_after is None
    assert len(FakeConnector.published) == 1


def test_publish_now_lets_the_rest_of_the_thread_follow(
    account: ConnectedAccount, camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = _late(account)
    child = _late(account, parent=action, payload={"text": "2/2", "reply_to_parent": True}, kind="reply")
    action_execute(action_id=action.pk)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    child.refresh_from_db()
    assert child.status == ActionStatus.DONE


def test_rescheduling_keeps_the_cutoff_after_the_new_time(account: ConnectedAccount, camille: Membership) -> None:
    action = _late(account)
    action_execute(action_id=action.pk)
    new_time = timezone.now() + timedelta(days=1)

    action_reschedule(membership=camille, action=action, due_at=new_time)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert action.due_at == new_time
    assert action.next_attempt_at == new_time
    assert action.late_after == new_time + timedelta(hours=1)


def test_a_rescheduled_action_waits_for_its_new_time(
    account: ConnectedAccount, camille: Membership, enqueued: EnqueuedArgs
) -> None:
    action = _late(account)
    action_execute(action_id=action.pk)
    new_time = timezone.now() + timedelta(hours=3)
    action_reschedule(membership=camille, action=action, due_at=new_time)

    scheduler_tick(now=new_time - timedelta(seconds=1))
    assert enqueued(execute_action) == []
    scheduler_tick(now=new_time)
    assert enqueued(execute_action) == [action.pk]


def test_rescheduling_in_the_past_is_refused(account: ConnectedAccount, camille: Membership) -> None:
    action = _late(account)
    action_execute(action_id=action.pk)

    with pytest.raises(ValueError, match="future"):
        action_reschedule(membership=camille, action=action, due_at=timezone.now() - timedelta(minutes=1))


def test_rescheduling_a_published_action_is_refused(account: ConnectedAccount, camille: Membership) -> None:
    action = ActionFactory(account=account, status=ActionStatus.DONE)

    with pytest.raises(ValueError):
        action_reschedule(membership=camille, action=action, due_at=timezone.now() + timedelta(hours=1))


def test_cancelling_a_held_action_cancels_the_rest_of_its_thread(
    account: ConnectedAccount, camille: Membership
) -> None:
    action = _late(account)
    child = ActionFactory(account=account, parent=action)
    action_execute(action_id=action.pk)

    action_cancel(membership=camille, action=action)

    action.refresh_from_db()
    child.refresh_from_db()
    assert (action.status, child.status) == (ActionStatus.CANCELLED, ActionStatus.CANCELLED)


def test_a_contributor_cannot_publish_a_late_action_now(account: ConnectedAccount, theo: Membership) -> None:
    from parvis.core.permissions import PermissionDenied

    action = _late(account)
    action_execute(action_id=action.pk)

    with pytest.raises(PermissionDenied):
        action_retry(membership=theo, action=action)


def test_reconnecting_the_account_leaves_a_post_held_late_waiting_for_its_decision(
    account: ConnectedAccount, camille: Membership
) -> None:
    from parvis.networks.services import account_connect

    action = _late(account)
    action_execute(action_id=action.pk)

    account_connect(
        membership=camille, network="fake", instance_url=account.instance_url, credentials=dict(account.credentials)
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
