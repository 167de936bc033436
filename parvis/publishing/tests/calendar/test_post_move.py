from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.publishing.models import PostStage, Weekday
from parvis.publishing.services.calendar import CalendarError, post_enqueue, post_move, queue_slots_set
from parvis.publishing.tests.calendar.conftest import MakePost
from parvis.publishing.tests.calendar.helpers import wall


def test_moving_to_another_day_keeps_the_local_time_across_the_clock_change(
    camille: Membership, make_post: MakePost
) -> None:
    post = make_post(wall(2030, 3, 29, 9, 0))  # Friday, 08:00 UTC (winter time)

    moved = post_move(membership=camille, post=post, day=date(2030, 4, 1))

    assert moved.scheduled_at == datetime(2030, 4, 1, 7, 0, tzinfo=UTC)  # Monday 09:00 summer time


def test_the_outbox_action_moves_with_the_post(camille: Membership, make_post: MakePost) -> None:
    post = make_post(wall(2030, 3, 29, 9, 0))

    post_move(membership=camille, post=post, day=date(2030, 4, 2), at=time(14, 15))

    action = Action.objects.get(delivery__post=post)
    assert action.due_at == datetime(2030, 4, 2, 12, 15, tzinfo=UTC)


def test_moving_into_the_hour_skipped_by_the_clock_change_is_refused(camille: Membership, make_post: MakePost) -> None:
    post = make_post(wall(2030, 3, 29, 2, 30))

    with pytest.raises(CalendarError, match="does not exist"):
        post_move(membership=camille, post=post, day=date(2030, 3, 31))


def test_a_published_post_cannot_be_moved(camille: Membership, make_post: MakePost) -> None:
    post = make_post(wall(2030, 3, 29, 9, 0))
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    with pytest.raises(CalendarError, match="already published"):
        post_move(membership=camille, post=post, day=date(2030, 4, 1))


def test_a_post_cannot_be_moved_into_the_past(camille: Membership, make_post: MakePost) -> None:
    post = make_post(wall(2030, 3, 29, 9, 0))

    with pytest.raises(CalendarError, match="past"):
        post_move(membership=camille, post=post, day=date(2020, 1, 1))


def test_an_analyst_cannot_move_a_post(nadia: Membership, make_post: MakePost) -> None:
    post = make_post(wall(2030, 3, 29, 9, 0))

    with pytest.raises(PermissionDenied):
        post_move(membership=nadia, post=post, day=date(2030, 4, 1))


def test_a_contributor_moving_an_approved_post_sends_it_back_to_review(
    theo: Membership, camille: Membership, account: ConnectedAccount, make_post: MakePost
) -> None:
    from parvis.publishing.services.approvals import post_review

    post = make_post(wall(2030, 3, 29, 9, 0), by=theo)
    post_review(membership=camille, post=post, decision="approve")

    moved = post_move(membership=theo, post=post, day=date(2030, 4, 1))

    assert moved.stage == PostStage.IN_REVIEW
    assert AuditEntry.objects.filter(verb="post.reschedule", target_id=str(post.pk)).exists()


def test_adding_to_the_queue_takes_the_next_free_slot(
    camille: Membership, account: ConnectedAccount, make_post: MakePost
) -> None:
    queue_slots_set(membership=camille, account=account, slots=[(Weekday.WEDNESDAY, time(10, 0))])
    post = make_post(wall(2030, 3, 29, 9, 0))

    queued = post_enqueue(membership=camille, post=post)

    assert queued.queued
    local = queued.scheduled_at.astimezone(camille.workspace.zone)
    assert (local.weekday(), local.time()) == (Weekday.WEDNESDAY, time(10, 0))
    assert AuditEntry.objects.filter(verb="post.enqueue").exists()
