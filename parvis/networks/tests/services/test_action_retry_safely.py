"""The "retry safely" button: double clicks and two people at once give one retry."""

from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import TransientError
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.services import action_execute, action_retry
from parvis.networks.tests.factories import ActionFactory


def _failed_after_a_lost_answer(account: ConnectedAccount) -> Action:
    action: Action = ActionFactory(account=account, max_attempts=1)
    FakeConnector.lose_response_next.append(TransientError("Read timed out"))
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    return action


def test_a_double_click_gives_one_retry(camille: Membership, account: ConnectedAccount) -> None:
    action = _failed_after_a_lost_answer(account)

    action_retry(membership=camille, action=action)
    with pytest.raises(ValueError, match="Only failed or held"):
        action_retry(membership=camille, action=action)

    assert AuditEntry.objects.filter(verb="action.retry").count() == 1


def test_two_people_clicking_on_the_same_page_give_one_retry(
    camille: Membership, alice: Membership, account: ConnectedAccount
) -> None:
    action = _failed_after_a_lost_answer(account)
    seen_by_camille = Action.objects.get(pk=action.pk)
    seen_by_alice = Action.objects.get(pk=action.pk)

    action_retry(membership=camille, action=seen_by_camille)
    with pytest.raises(ValueError):
        action_retry(membership=alice, action=seen_by_alice)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


def test_a_retry_after_a_lost_answer_never_publishes_twice(
    camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = _failed_after_a_lost_answer(account)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)
    with pytest.raises(ValueError):
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1
    assert len(FakeConnector.posts) == 1


def test_a_retry_while_the_worker_runs_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, status=ActionStatus.PROCESSING, claimed_at=timezone.now())

    with pytest.raises(ValueError):
        action_retry(membership=camille, action=action)
