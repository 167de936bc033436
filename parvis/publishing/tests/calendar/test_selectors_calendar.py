from __future__ import annotations

from datetime import date, time

from parvis.core.models import Membership, Voice
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.publishing.models import Campaign
from parvis.publishing.selectors_calendar import (
    CalendarFilter,
    clock_changes,
    month_grid,
    safe_colour,
    week_grid,
)
from parvis.publishing.tests.calendar.conftest import MakePost
from parvis.publishing.tests.calendar.helpers import wall


def _day(weeks: list, wanted: date):  # type: ignore[no-untyped-def,type-arg]
    return next(day for week in weeks for day in week if day.date == wanted)


def test_the_month_shows_posts_at_their_local_time_on_both_sides_of_the_clock_change(
    camille: Membership, make_post: MakePost
) -> None:
    make_post(wall(2030, 3, 29, 9, 0), text="Avant")
    make_post(wall(2030, 3, 31, 9, 0), text="Après")

    weeks = month_grid(camille.workspace, year=2030, month=3)

    [before] = _day(weeks, date(2030, 3, 29)).entries
    [after] = _day(weeks, date(2030, 3, 31)).entries
    assert (before.post.text, before.local.time()) == ("Avant", time(9, 0))
    assert (after.post.text, after.local.time()) == ("Après", time(9, 0))
    assert before.post.scheduled_at.hour == 8 and after.post.scheduled_at.hour == 7  # UTC differs


def test_the_week_of_the_spring_change_puts_nine_o_clock_posts_on_the_nine_o_clock_row(
    camille: Membership, make_post: MakePost
) -> None:
    make_post(wall(2030, 3, 25, 9, 0))  # Monday, winter time
    make_post(wall(2030, 3, 31, 9, 0))  # Sunday, summer time

    rows = week_grid(camille.workspace, monday=date(2030, 3, 25), grid_minutes=30)

    nine = next(row for row in rows if row.time == time(9, 0))
    assert [len(cell.entries) for cell in nine.cells] == [1, 0, 0, 0, 0, 0, 1]
    assert sum(len(cell.entries) for row in rows for cell in row.cells) == 2


def test_the_week_of_the_autumn_change_shows_local_times(camille: Membership, make_post: MakePost) -> None:
    make_post(wall(2030, 10, 27, 18, 45))  # Sunday, winter time again

    rows = week_grid(camille.workspace, monday=date(2030, 10, 21), grid_minutes=15)

    cell = next(row for row in rows if row.time == time(18, 45)).cells[6]
    assert [entry.local.strftime("%H:%M") for entry in cell.entries] == ["18:45"]


def test_the_hour_skipped_in_spring_has_no_droppable_cells(camille: Membership) -> None:
    rows = week_grid(camille.workspace, monday=date(2030, 3, 25), grid_minutes=30)

    sunday_gap = [row.time for row in rows if not row.cells[6].exists]
    assert sunday_gap == [time(2, 0), time(2, 30)]
    assert all(cell.exists for row in rows for cell in row.cells[:6])


def test_clock_changes_are_found_in_the_shown_days(camille: Membership) -> None:
    days = [date(2030, 3, 30), date(2030, 3, 31), date(2030, 10, 27)]

    assert clock_changes(camille.workspace, days) == {date(2030, 3, 31): 60, date(2030, 10, 27): -60}


def test_filters_by_account_campaign_voice_and_status(
    camille: Membership, account: ConnectedAccount, other_account: ConnectedAccount, make_post: MakePost
) -> None:
    workspace = camille.workspace
    campaign = Campaign.objects.create(workspace=workspace, name="Salon 2030", color="#aa3300")
    voice = Voice.objects.create(workspace=workspace, name="Présidente")
    other_account.voice = voice
    other_account.save()
    first = make_post(wall(2030, 3, 4, 9, 0), campaign=campaign)
    second = make_post(wall(2030, 3, 5, 9, 0), on=[other_account])
    published = make_post(wall(2030, 3, 6, 9, 0))
    Action.objects.filter(delivery__post=published).update(status=ActionStatus.DONE)

    def shown(**query: object) -> list[int]:
        flt = CalendarFilter.from_query(query)
        weeks = month_grid(workspace, year=2030, month=3, flt=flt)
        return [entry.post.pk for week in weeks for day in week for entry in day.entries]

    assert shown() == [first.pk, second.pk, published.pk]
    assert shown(campaign=str(campaign.pk)) == [first.pk]
    assert shown(account=str(other_account.pk)) == [second.pk]
    assert shown(voice=str(voice.pk)) == [second.pk]
    assert shown(status="published") == [published.pk]
    assert shown(status="scheduled") == [first.pk, second.pk]
    assert shown(status="draft") == []


def test_published_posts_are_not_movable_and_chips_take_the_campaign_colour(
    camille: Membership, make_post: MakePost
) -> None:
    campaign = Campaign.objects.create(workspace=camille.workspace, name="Salon", color="#aa3300")
    post = make_post(wall(2030, 3, 6, 9, 0), campaign=campaign)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    [entry] = _day(month_grid(camille.workspace, year=2030, month=3), date(2030, 3, 6)).entries

    assert not entry.movable
    assert entry.colour == "#aa3300"
    assert entry.label == "Published"


def test_a_colour_that_is_not_a_hex_code_never_reaches_a_style_attribute() -> None:
    assert safe_colour("red;}") == "#3b6ea5"
    assert safe_colour("#A1b2C3") == "#A1b2C3"


def test_the_filter_survives_a_round_trip_through_the_query_string() -> None:
    flt = CalendarFilter(accounts=(3, 7), campaign=2, status="in_review", voice=5)

    from django.http import QueryDict

    assert CalendarFilter.from_query(QueryDict(flt.query())) == flt
    assert CalendarFilter.from_query({"status": "<script>", "campaign": "x"}) == CalendarFilter()
