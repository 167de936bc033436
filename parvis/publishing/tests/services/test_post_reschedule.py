"""post_reschedule (the calendar's drag and drop) and post_cancel / post_delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.publishing.models import Post, PostStage, PublishingSettings
from parvis.publishing.services import CompositionError, post_cancel, post_create, post_delete, post_reschedule
from parvis.publishing.tests.composer_fixtures import LONG_TEXT, threaded_fake

TEXT = "Assemblée générale jeudi à 18 h."


def _scheduled(membership: Membership, account: ConnectedAccount, text: str = TEXT) -> Post:
    return post_create(
        membership=membership, text=text, accounts=[account], scheduled_at=timezone.now() + timedelta(days=2)
    )


def test_rescheduling_moves_every_waiting_action_and_its_cutoff(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)
    PublishingSettings.objects.create(workspace=camille.workspace, late_cutoff_minutes=15)
    post = _scheduled(camille, account, LONG_TEXT)
    at = timezone.now() + timedelta(days=5)

    post = post_reschedule(membership=camille, post=post, scheduled_at=at)

    assert post.scheduled_at == at
    actions = Action.objects.filter(account=account)
    assert actions.count() == 2
    assert {(action.due_at, action.next_attempt_at) for action in actions} == {(at, at)}
    root = actions.get(parent__isnull=True)
    assert root.late_after == at + timedelta(minutes=15)
    assert actions.get(parent__isnull=False).late_after is None
    assert AuditEntry.objects.filter(verb="post.reschedule").exists()


def test_a_post_held_for_lateness_waits_again_at_its_new_time(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.HELD, last_error="Too late")
    at = timezone.now() + timedelta(hours=3)

    post_reschedule(membership=camille, post=post, scheduled_at=at)

    action = Action.objects.get(delivery__post=post)
    assert (action.status, action.due_at, action.last_error) == (ActionStatus.PENDING, at, "")


def test_rescheduling_bumps_the_revision(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)

    post = post_reschedule(membership=camille, post=post, scheduled_at=timezone.now() + timedelta(days=3))

    assert post.revision == 2
    assert post.stage == PostStage.RELEASED


def test_a_contributor_moving_a_released_post_sends_it_back_for_approval(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    from parvis.publishing.services import post_release

    post = _scheduled(theo, account)
    post_release(post=post, actor=camille.user)

    post = post_reschedule(membership=theo, post=post, scheduled_at=timezone.now() + timedelta(days=3))

    assert post.stage == PostStage.IN_REVIEW
    assert post.deliveries.get().action is None
    assert set(Action.objects.values_list("status", flat=True)) == {ActionStatus.CANCELLED}


def test_a_draft_just_moves(theo: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=theo, text=TEXT, accounts=[account], submit=False)
    at = timezone.now() + timedelta(days=9)

    post = post_reschedule(membership=theo, post=post, scheduled_at=at)

    assert (post.stage, post.scheduled_at) == (PostStage.DRAFT, at)


def test_a_published_post_cannot_move(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    with pytest.raises(CompositionError, match="its time can no longer change"):
        post_reschedule(membership=camille, post=post, scheduled_at=timezone.now() + timedelta(days=3))


def test_a_post_cannot_move_to_the_past(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)

    with pytest.raises(CompositionError, match="already passed"):
        post_reschedule(membership=camille, post=post, scheduled_at=timezone.now() - timedelta(days=1))


def test_cancelling_stops_every_waiting_action_of_the_post(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)
    post = _scheduled(camille, account, LONG_TEXT)

    post_cancel(membership=camille, post=post)

    assert set(Action.objects.values_list("status", flat=True)) == {ActionStatus.CANCELLED}
    assert AuditEntry.objects.filter(verb="post.cancel").exists()


def test_cancelling_a_post_that_has_gone_out_says_so(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    with pytest.raises(CompositionError, match="already gone out"):
        post_cancel(membership=camille, post=post)


def test_cancelling_a_post_awaiting_approval_makes_it_a_draft(theo: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=theo, text=TEXT, accounts=[account])

    post = post_cancel(membership=theo, post=post)

    assert post.stage == PostStage.DRAFT


def test_deleting_a_post_keeps_its_cancelled_actions_in_the_ledger(
    camille: Membership, account: ConnectedAccount
) -> None:
    post = _scheduled(camille, account)

    post_delete(membership=camille, post=post)

    assert not Post.objects.exists()
    assert list(Action.objects.values_list("status", flat=True)) == [ActionStatus.CANCELLED]


def test_a_published_post_cannot_be_deleted(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    with pytest.raises(CompositionError):
        post_delete(membership=camille, post=post)

    assert Post.objects.exists()
