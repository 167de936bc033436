from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from parvis.networks.models import ActionStatus
from parvis.networks.services import action_claim
from parvis.networks.tests.factories import ActionFactory


def test_it_claims_a_due_pending_action_for_this_worker(db: None) -> None:
    action = ActionFactory()

    claimed = action_claim(action_id=action.pk)

    assert claimed is not None
    assert claimed.status == ActionStatus.PROCESSING
    assert claimed.claimed_at is not None
    assert claimed.attempts == 1


def test_a_second_claim_of_the_same_action_returns_none(db: None) -> None:
    action = ActionFactory()
    action_claim(action_id=action.pk)

    assert action_claim(action_id=action.pk) is None
    action.refresh_from_db()
    assert action.attempts == 1


def test_it_does_not_claim_an_action_before_its_next_attempt(db: None) -> None:
    action = ActionFactory(due_at=timezone.now() + timedelta(hours=1))

    assert action_claim(action_id=action.pk) is None
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


def test_it_does_not_claim_a_done_action(db: None) -> None:
    action = ActionFactory(status=ActionStatus.DONE)

    assert action_claim(action_id=action.pk) is None


def test_it_does_not_claim_a_held_action(db: None) -> None:
    action = ActionFactory(status=ActionStatus.HELD)

    assert action_claim(action_id=action.pk) is None
