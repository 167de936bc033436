"""Exactly once after an uncertain attempt: the worker reads the post back before sending it again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError, RateLimited, TransientError
from parvis.networks.models import Action, ActionStatus, AttemptOutcome, ConnectedAccount
from parvis.networks.protocol import ActionKind, Capabilities
from parvis.networks.services import action_execute, action_retry, scheduler_tick
from parvis.networks.tests.factories import ActionFactory


def _due_again(action: Action) -> None:
    """Skip the backoff delay: the test is about what the next attempt does."""
    Action.objects.filter(pk=action.pk).update(next_attempt_at=timezone.now())


def _lost_answer(account: ConnectedAccount, text: str = "Assemblée générale jeudi à 18 h.") -> Action:
    """A publish that reached the network while its answer was lost (a read timeout)."""
    action: Action = ActionFactory(account=account, payload={"text": text})
    FakeConnector.lose_response_next.append(TransientError("social.example did not answer in time"))
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    return action


def test_an_answer_lost_after_publishing_is_a_transient_failure(account: ConnectedAccount) -> None:
    action = _lost_answer(account)

    assert action.status == ActionStatus.PENDING
    assert len(FakeConnector.posts) == 1  # the network has it all the same


def test_the_retry_finds_the_post_and_does_not_publish_it_again(account: ConnectedAccount) -> None:
    action = _lost_answer(account)
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1
    assert action.external_id == next(iter(FakeConnector.posts))
    assert [attempt.outcome for attempt in action.attempt_log.all()] == [AttemptOutcome.TRANSIENT, AttemptOutcome.FOUND]


def test_a_post_found_by_the_read_back_counts_as_verified(account: ConnectedAccount) -> None:
    action = _lost_answer(account)
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.verified_at is not None


def test_the_retry_publishes_when_the_network_does_not_have_the_post(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    FakeConnector.fail_next.append(TransientError("Connection refused"))
    action_execute(action_id=action.pk)
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.posts) == 1


def test_a_post_of_the_same_text_published_before_the_attempt_is_not_taken_for_it(account: ConnectedAccount) -> None:
    old = ActionFactory(account=account, payload={"text": "Bonjour"})
    action_execute(action_id=old.pk)
    only_post = next(iter(FakeConnector.posts.values()))
    FakeConnector.posts[only_post.external_id] = type(only_post)(
        account_id=only_post.account_id,
        request=only_post.request,
        at=only_post.at - timedelta(hours=1),
        external_id=only_post.external_id,
    )
    action = ActionFactory(account=account, payload={"text": "Bonjour"})
    FakeConnector.fail_next.append(TransientError("Connection refused"))
    action_execute(action_id=action.pk)
    _due_again(action)

    action_execute(action_id=action.pk)

    assert len(FakeConnector.posts) == 2


def test_the_retry_after_a_killed_worker_reads_back_first(account: ConnectedAccount, settings: object) -> None:
    action: Action = ActionFactory(account=account)
    FakeConnector().execute(account.as_ref(), _request(action))  # the dead worker's call went through
    FakeConnector.published.clear()
    claimed = timezone.now() - timedelta(hours=1)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.PROCESSING, claimed_at=claimed, attempts=1)
    action.attempt_log.create(started_at=claimed)

    scheduler_tick()  # takes it back from the dead worker and runs it again (tasks run at once here)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert FakeConnector.published == []
    assert [attempt.outcome for attempt in action.attempt_log.all()] == [
        AttemptOutcome.ABANDONED,
        AttemptOutcome.FOUND,
    ]


def test_retry_safely_after_a_crash_finds_the_post(
    account: ConnectedAccount, camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = ActionFactory(account=account)
    FakeConnector.lose_response_next.append(RuntimeError("a bug after the call"))
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1


def test_a_rate_limited_read_back_keeps_the_uncertainty_for_the_next_attempt(account: ConnectedAccount) -> None:
    action = _lost_answer(account)
    _due_again(action)
    FakeConnector.fail_next.append(RateLimited("Slow down", retry_after=1))
    action_execute(action_id=action.pk)  # the read-back itself is refused
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1


def test_a_refused_attempt_is_certain_and_the_retry_sends_without_reading_back(
    account: ConnectedAccount, camille: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = ActionFactory(account=account)
    FakeConnector.fail_next.append(PermanentError("Refused"))
    action_execute(action_id=action.pk)
    action_retry(membership=camille, action=action)
    monkeypatch.setattr(FakeConnector, "locate", _must_not_read_back)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_a_like_is_not_read_back(account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    action = ActionFactory(account=account, kind=ActionKind.FAVOURITE.value, payload={"target_id": "42"})
    FakeConnector.fail_next.append(TransientError("Timeout"))
    action_execute(action_id=action.pk)
    _due_again(action)
    monkeypatch.setattr(FakeConnector, "locate", _must_not_read_back)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_a_network_with_idempotency_keys_but_no_read_back_gets_the_same_key_again(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FakeConnector, "capabilities", Capabilities(idempotent_publish=True))
    action = _lost_answer(account)
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    first, second = FakeConnector.published
    assert first.idempotency_key == second.idempotency_key == action.idempotency_key


def test_a_network_that_cannot_tell_holds_the_action_for_a_person(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FakeConnector, "capabilities", Capabilities())
    action = _lost_answer(account)
    _due_again(action)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert "may have reached" in action.last_error
    assert len(FakeConnector.published) == 1


def test_a_person_who_checked_can_send_it_again_on_such_a_network(
    account: ConnectedAccount,
    camille: Membership,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    monkeypatch.setattr(FakeConnector, "capabilities", Capabilities())
    FakeConnector.fail_next.append(TransientError("Connection refused"))  # nothing reached it in fact
    action = ActionFactory(account=account)
    action_execute(action_id=action.pk)
    _due_again(action)
    action_execute(action_id=action.pk)  # held: nobody can tell

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1


def _request(action: Action) -> object:
    from parvis.networks.services import _request_for

    return _request_for(action)


def _must_not_read_back(*args: object, **kwargs: object) -> None:
    raise AssertionError("no read-back expected here")
