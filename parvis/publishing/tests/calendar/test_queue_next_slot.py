from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.publishing.models import QueueSlot, Weekday
from parvis.publishing.services.calendar import CalendarError, queue_next_slot, queue_slots_set
from parvis.publishing.tests.calendar.conftest import MakePost
from parvis.publishing.tests.calendar.helpers import wall


def _slots(camille: Membership, account: ConnectedAccount, *slots: tuple[int, time]) -> None:
    queue_slots_set(membership=camille, account=account, slots=slots)


def test_the_next_slot_is_the_next_weekly_time_on_the_workspace_s_clock(
    camille: Membership, account: ConnectedAccount
) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)))

    slot = queue_next_slot(account=account, after=datetime(2030, 1, 9, 12, 0, tzinfo=UTC))  # a Wednesday

    assert slot == datetime(2030, 1, 14, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris (UTC+1)


def test_a_slot_keeps_its_local_time_after_the_spring_clock_change(
    camille: Membership, account: ConnectedAccount
) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)))

    before = queue_next_slot(account=account, after=datetime(2030, 3, 20, tzinfo=UTC))
    after = queue_next_slot(account=account, after=datetime(2030, 3, 27, tzinfo=UTC))

    assert before == datetime(2030, 3, 25, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert after == datetime(2030, 4, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_a_slot_that_does_not_exist_on_the_spring_forward_night_is_skipped(
    camille: Membership, account: ConnectedAccount
) -> None:
    _slots(camille, account, (Weekday.SUNDAY, time(2, 30)))

    slot = queue_next_slot(account=account, after=datetime(2030, 3, 30, 12, 0, tzinfo=UTC))

    assert slot == datetime(2030, 4, 7, 0, 30, tzinfo=UTC)  # the next Sunday's 02:30 CEST


def test_a_slot_repeated_by_the_autumn_change_is_its_first_occurrence(
    camille: Membership, account: ConnectedAccount
) -> None:
    _slots(camille, account, (Weekday.SUNDAY, time(2, 30)))

    slot = queue_next_slot(account=account, after=datetime(2030, 10, 26, 12, 0, tzinfo=UTC))

    assert slot == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 02:30 CET


def test_a_slot_taken_by_a_post_of_the_account_is_skipped(
    camille: Membership, account: ConnectedAccount, make_post: MakePost
) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)), (Weekday.MONDAY, time(18, 0)))
    make_post(wall(2030, 1, 14, 9, 0))

    slot = queue_next_slot(account=account, after=datetime(2030, 1, 9, tzinfo=UTC))

    assert slot == datetime(2030, 1, 14, 17, 0, tzinfo=UTC)  # 18:00 the same Monday


def test_a_post_of_another_account_does_not_take_the_slot(
    camille: Membership, account: ConnectedAccount, other_account: ConnectedAccount, make_post: MakePost
) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)))
    make_post(wall(2030, 1, 14, 9, 0), on=[other_account])

    assert queue_next_slot(account=account, after=datetime(2030, 1, 9, tzinfo=UTC)) == datetime(
        2030, 1, 14, 8, 0, tzinfo=UTC
    )


def test_a_cancelled_post_frees_its_slot(camille: Membership, account: ConnectedAccount, make_post: MakePost) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)))
    post = make_post(wall(2030, 1, 14, 9, 0))
    for delivery in post.deliveries.all():
        assert delivery.action is not None
        delivery.action.status = ActionStatus.CANCELLED
        delivery.action.save()

    assert queue_next_slot(account=account, after=datetime(2030, 1, 9, tzinfo=UTC)) == datetime(
        2030, 1, 14, 8, 0, tzinfo=UTC
    )


def test_an_account_without_slots_says_so(account: ConnectedAccount) -> None:
    with pytest.raises(CalendarError, match="No queue slot"):
        queue_next_slot(account=account, after=datetime(2030, 1, 9, tzinfo=UTC))


def test_setting_slots_replaces_the_account_s_week(camille: Membership, account: ConnectedAccount) -> None:
    _slots(camille, account, (Weekday.MONDAY, time(9, 0)), (Weekday.FRIDAY, time(17, 30)))
    _slots(camille, account, (Weekday.TUESDAY, time(12, 0)), (Weekday.TUESDAY, time(12, 0)))

    assert list(QueueSlot.objects.values_list("weekday", "time")) == [(Weekday.TUESDAY, time(12, 0))]


def test_a_contributor_cannot_change_the_slots(theo: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(PermissionDenied):
        queue_slots_set(membership=theo, account=account, slots=[(0, time(9, 0))])
