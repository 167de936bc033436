"""Read-back verification: a published post is looked for on the network a little later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership, Notification
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import TransientError
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import Capabilities
from parvis.networks.services import (
    VERIFY_MISSING_MESSAGE,
    VERIFY_SCHEDULE,
    action_execute,
    action_retry,
    action_verify,
    scheduler_tick,
    verification_missing,
)
from parvis.networks.tasks import verify_action
from parvis.networks.tests.conftest import EnqueuedArgs
from parvis.networks.tests.factories import ActionFactory


def _published(account: ConnectedAccount) -> Action:
    action: Action = ActionFactory(account=account)
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    return action


def test_a_published_post_is_due_for_a_read_back_a_little_later(account: ConnectedAccount) -> None:
    action = _published(account)

    assert action.verified_at is None
    assert action.finished_at is not None
    assert action.next_attempt_at == action.finished_at + timedelta(seconds=VERIFY_SCHEDULE[0])


def test_the_scheduler_enqueues_the_read_back_when_it_is_due(account: ConnectedAccount, enqueued: EnqueuedArgs) -> None:
    action = _published(account)

    scheduler_tick(now=action.next_attempt_at - timedelta(seconds=1))
    assert enqueued(verify_action) == []
    scheduler_tick(now=action.next_attempt_at)
    assert enqueued(verify_action) == [action.pk]


def test_the_scheduler_does_not_enqueue_the_same_read_back_twice_in_a_minute(
    account: ConnectedAccount, enqueued: EnqueuedArgs
) -> None:
    action = _published(account)

    scheduler_tick(now=action.next_attempt_at)
    scheduler_tick(now=action.next_attempt_at + timedelta(seconds=10))

    assert enqueued(verify_action) == [action.pk]


def test_a_post_found_on_the_network_is_verified(account: ConnectedAccount) -> None:
    action = _published(account)

    action_verify(action_id=action.pk)

    action.refresh_from_db()
    assert action.verified_at is not None


def test_a_post_not_found_is_looked_for_again_later(account: ConnectedAccount) -> None:
    action = _published(account)
    FakeConnector.vanish(action.external_id)

    action_verify(action_id=action.pk)

    action.refresh_from_db()
    assert action.verified_at is None
    assert action.last_error == ""
    assert action.finished_at is not None
    assert action.next_attempt_at == action.finished_at + timedelta(seconds=VERIFY_SCHEDULE[1])


def test_a_post_still_missing_after_the_last_try_gets_a_warning_and_is_not_sent_again(
    account: ConnectedAccount, camille: Membership
) -> None:
    action = _published(account)
    FakeConnector.vanish(action.external_id)

    for _try in VERIFY_SCHEDULE:
        action_verify(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.last_error == VERIFY_MISSING_MESSAGE
    assert verification_missing(action)
    assert len(FakeConnector.published) == 1
    notification = Notification.objects.get(kind="delivery.missing")
    assert notification.recipient == camille.user


def test_a_network_that_cannot_answer_postpones_the_read_back_without_counting_it(account: ConnectedAccount) -> None:
    action = _published(account)
    FakeConnector.fail_next.append(TransientError("Timeout"))
    before = timezone.now()

    action_verify(action_id=action.pk)

    action.refresh_from_db()
    assert action.last_error == ""
    assert action.next_attempt_at >= before + timedelta(seconds=299)


def test_a_network_without_read_back_is_not_verified(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch, enqueued: EnqueuedArgs
) -> None:
    monkeypatch.setattr(FakeConnector, "capabilities", Capabilities())
    action = _published(account)

    scheduler_tick(now=action.next_attempt_at)

    assert enqueued(verify_action) == []


def test_a_person_can_publish_a_missing_post_again(
    account: ConnectedAccount, camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = _published(account)
    FakeConnector.vanish(action.external_id)
    for _try in VERIFY_SCHEDULE:
        action_verify(action_id=action.pk)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.last_error == ""
    assert len(FakeConnector.published) == 2


def test_a_verified_post_cannot_be_retried(account: ConnectedAccount, camille: Membership) -> None:
    action = _published(account)
    action_verify(action_id=action.pk)

    with pytest.raises(ValueError):
        action_retry(membership=camille, action=action)
