"""Business-time arithmetic for SLAs (parvis.inbox.business_time): pure functions, no database.

Times in comments are Europe/Paris local time unless marked UTC. In winter Paris is UTC+1 (CET),
in summer UTC+2 (CEST); 2026 changes on 29 March and 25 October, 2027 on 28 March.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from parvis.inbox.business_time import (
    MAX_CONSECUTIVE_CLOSED_DAYS,
    BusinessCalendar,
    CalendarNeverOpenError,
    add_business_time,
    business_time_between,
    is_open,
    median,
    next_open,
    percentile,
)

PARIS = ZoneInfo("Europe/Paris")
H = timedelta(hours=1)
ALL_DAY = ((time(0), time(0)),)  # 00:00-24:00


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def only_sunday(*intervals: tuple[time, time]) -> BusinessCalendar:
    return BusinessCalendar(weekly_hours=((),) * 6 + (intervals,), country=None)


BTOB = BusinessCalendar.btob()
LUNCH = BusinessCalendar(weekly_hours=(((time(9), time(12, 30)), (time(14), time(18))),) * 5 + ((), ()))


# --- Weekends and the BtoB week -------------------------------------------------------------------


def test_a_message_on_friday_1700_with_24_business_hours_is_due_wednesday_1400() -> None:
    # Fri 20 Nov 2026 17:00 -> 18:00 uses 1 h (23 h left); Mon 23 Nov 9 h (14 left);
    # Tue 24 Nov 9 h (5 left); Wed 25 Nov 09:00 + 5 h = 14:00 CET = 13:00 UTC.
    due = add_business_time(BTOB, paris(2026, 11, 20, 17), 24 * H)
    assert due == utc(2026, 11, 25, 13)
    assert due.tzinfo is UTC


def test_a_message_arriving_on_saturday_starts_counting_monday_0900() -> None:
    saturday = paris(2026, 11, 21, 10, 30)
    assert not is_open(BTOB, saturday)
    assert next_open(BTOB, saturday) == paris(2026, 11, 23, 9)
    assert add_business_time(BTOB, saturday, H) == paris(2026, 11, 23, 10)
    assert business_time_between(BTOB, saturday, paris(2026, 11, 23, 10)) == H


def test_a_deadline_that_ends_exactly_at_closing_time_is_closing_time_not_next_morning() -> None:
    # Fri 17:00 + 1 h = Fri 18:00: the earliest instant at which 1 business hour has elapsed.
    assert add_business_time(BTOB, paris(2026, 11, 20, 17), H) == paris(2026, 11, 20, 18)


def test_opening_periods_are_half_open() -> None:
    assert is_open(BTOB, paris(2026, 11, 20, 9))
    assert not is_open(BTOB, paris(2026, 11, 20, 18))
    assert next_open(BTOB, paris(2026, 11, 20, 18)) == paris(2026, 11, 23, 9)


def test_a_zero_duration_deadline_is_the_start_itself() -> None:
    assert add_business_time(BTOB, paris(2026, 11, 21, 10), timedelta(0)) == paris(2026, 11, 21, 10)


def test_a_200_business_hour_deadline_skips_whole_days_and_armistice_day() -> None:
    # From Mon 2 Nov 2026 09:00, 9 h days: 2-6 Nov (5 days), 9, 10, 12, 13 Nov (Wed 11 is a holiday: 9),
    # 16-20 (14), 23-27 (19), 30 Nov, 1, 2 Dec (22 days = 198 h, ending Wed 2 Dec 18:00);
    # the last 2 h end Thu 3 Dec 11:00 CET = 10:00 UTC.
    assert add_business_time(BTOB, paris(2026, 11, 2, 9), 200 * H) == utc(2026, 12, 3, 10)


# --- French public holidays -----------------------------------------------------------------------


def test_ascension_thursday_is_closed_but_the_pont_friday_is_worked() -> None:
    # Ascension 2027 is Thu 6 May. From Wed 5 May 17:00, 12 h: Wed 1 h, Fri 7 May 9 h (10),
    # Mon 10 May 09:00 + 2 h = 11:00.
    assert not is_open(BTOB, paris(2027, 5, 6, 10))
    assert is_open(BTOB, paris(2027, 5, 7, 10))
    assert add_business_time(BTOB, paris(2027, 5, 5, 17), 12 * H) == paris(2027, 5, 10, 11)


def test_a_pont_configured_as_a_closed_date_is_skipped_too() -> None:
    # Same as above with Fri 7 May closed: Wed 1 h, Mon 10 May 9 h (10), Tue 11 May 09:00 + 2 h = 11:00.
    calendar = BusinessCalendar.btob(closed_dates=[date(2027, 5, 7)])
    assert not is_open(calendar, paris(2027, 5, 7, 10))
    assert add_business_time(calendar, paris(2027, 5, 5, 17), 12 * H) == paris(2027, 5, 11, 11)


def test_easter_monday_2027_is_closed_on_the_weekend_the_clocks_go_forward() -> None:
    # Fri 26 Mar 2027 17:00 CET (16:00 UTC) + 2 h: Fri 1 h; Sat, Sun 28 (DST), Mon 29 (Easter Monday)
    # closed; Tue 30 Mar 09:00 CEST + 1 h = 10:00 CEST = 08:00 UTC.
    assert not is_open(BTOB, paris(2027, 3, 29, 10))
    assert add_business_time(BTOB, paris(2027, 3, 26, 17), 2 * H) == utc(2027, 3, 30, 8)


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 1, 1),  # New Year's Day, Friday
        date(2027, 5, 17),  # Whit Monday
        date(2027, 7, 14),  # Wednesday
        date(2026, 5, 1),  # Friday
        date(2026, 5, 8),  # Friday
        date(2025, 8, 15),  # Friday
        date(2026, 11, 11),  # Wednesday
        date(2027, 11, 1),  # Monday
        date(2026, 12, 25),  # Friday
    ],
)
def test_french_national_holidays_on_weekdays_are_closed(day: date) -> None:
    assert day.weekday() < 5
    assert not is_open(BTOB, datetime.combine(day, time(10), tzinfo=PARIS))


@pytest.mark.parametrize("department", ["57", "67", "68"])
def test_alsace_moselle_closes_on_good_friday_and_26_december(department: str) -> None:
    # Good Friday 2028 is Fri 14 April; 26 Dec 2028 is a Tuesday.
    calendar = BusinessCalendar.btob(subdivision=department)
    assert not is_open(calendar, paris(2028, 4, 14, 10))
    assert not is_open(calendar, paris(2028, 12, 26, 10))
    # Fri 22 Dec 2028 17:00 + 2 h: 1 h on Friday, Mon 25 and Tue 26 closed, Wed 27 09:00 + 1 h.
    assert add_business_time(calendar, paris(2028, 12, 22, 17), 2 * H) == paris(2028, 12, 27, 10)


def test_the_rest_of_france_works_on_good_friday_and_26_december() -> None:
    assert is_open(BTOB, paris(2028, 4, 14, 10))
    assert is_open(BTOB, paris(2028, 12, 26, 10))
    assert add_business_time(BTOB, paris(2028, 12, 22, 17), 2 * H) == paris(2028, 12, 26, 10)


def test_a_calendar_without_country_has_no_public_holidays() -> None:
    calendar = BusinessCalendar.btob(country=None)
    assert is_open(calendar, paris(2026, 12, 25, 10))


def test_an_unknown_subdivision_is_refused() -> None:
    with pytest.raises(ValueError, match="subdivision"):
        BusinessCalendar.btob(subdivision="99")


# --- Daylight-saving changes ----------------------------------------------------------------------


def test_a_spring_forward_night_interval_0130_0330_is_one_hour_long() -> None:
    # 29 Mar 2026: 01:30 CET = 00:30 UTC, clocks jump 02:00 -> 03:00, 03:30 CEST = 01:30 UTC.
    calendar = only_sunday((time(1, 30), time(3, 30)))
    day_start, day_end = paris(2026, 3, 29, 0), paris(2026, 3, 30, 0)
    assert business_time_between(calendar, day_start, day_end) == H
    assert add_business_time(calendar, day_start, H / 2) == utc(2026, 3, 29, 1)  # 03:00 CEST


def test_a_fall_back_night_interval_0130_0330_is_three_hours_long() -> None:
    # 25 Oct 2026: 01:30 CEST = 23:30 UTC (Sat), clocks go back 03:00 -> 02:00, 03:30 CET = 02:30 UTC.
    calendar = only_sunday((time(1, 30), time(3, 30)))
    assert business_time_between(calendar, paris(2026, 10, 25, 0), paris(2026, 10, 26, 0)) == 3 * H
    assert add_business_time(calendar, paris(2026, 10, 25, 0), 3 * H) == utc(2026, 10, 25, 2, 30)


def test_an_opening_time_that_does_not_exist_opens_when_the_clock_jumps() -> None:
    # 02:30 does not exist on 29 Mar 2026: the office opens at the jump, 03:00 CEST = 01:00 UTC.
    calendar = only_sunday((time(2, 30), time(4)))
    assert not is_open(calendar, utc(2026, 3, 29, 0, 59))
    assert next_open(calendar, utc(2026, 3, 29, 0)) == utc(2026, 3, 29, 1)
    assert business_time_between(calendar, paris(2026, 3, 29, 0), paris(2026, 3, 30, 0)) == H


def test_an_interval_entirely_inside_the_spring_forward_gap_is_empty() -> None:
    calendar = BusinessCalendar(weekly_hours=(((time(9), time(10)),),) * 6 + (((time(2, 15), time(2, 45)),),))
    assert business_time_between(calendar, paris(2026, 3, 29, 0), paris(2026, 3, 30, 0)) == timedelta(0)
    assert next_open(calendar, paris(2026, 3, 29, 0)) == paris(2026, 3, 30, 9)


def test_a_sunday_open_all_day_lasts_23_hours_in_march_and_25_hours_in_october() -> None:
    calendar = only_sunday(*ALL_DAY)
    assert business_time_between(calendar, paris(2026, 3, 28, 12), paris(2026, 3, 30, 12)) == 23 * H
    assert business_time_between(calendar, paris(2026, 10, 24, 12), paris(2026, 10, 26, 12)) == 25 * H
    assert is_open(calendar, utc(2026, 3, 29, 0, 30))  # 01:30 CET, Sunday


def test_btob_hours_keep_their_local_time_across_the_dst_weekend() -> None:
    # Fri 27 Mar 2026 17:00 CET + 2 h: Fri 1 h, Mon 30 Mar 09:00 CEST (07:00 UTC) + 1 h = 08:00 UTC.
    assert add_business_time(BTOB, paris(2026, 3, 27, 17), 2 * H) == utc(2026, 3, 30, 8)
    # Fri 23 Oct 2026 17:00 CEST + 2 h: Mon 26 Oct 09:00 CET (08:00 UTC) + 1 h = 09:00 UTC.
    assert add_business_time(BTOB, paris(2026, 10, 23, 17), 2 * H) == utc(2026, 10, 26, 9)


def test_a_24_7_calendar_ends_24_hours_on_the_spring_forward_day_24_real_hours_later() -> None:
    # Sat 28 Mar 2026 12:00 CET = 11:00 UTC; 24 real hours later is Sun 29 Mar 11:00 UTC = 13:00 CEST.
    start = paris(2026, 3, 28, 12)
    assert add_business_time(BusinessCalendar.btoc(), start, 24 * H) == utc(2026, 3, 29, 11)
    hours_every_day = BusinessCalendar(weekly_hours=(ALL_DAY,) * 7, country=None)
    assert add_business_time(hours_every_day, start, 24 * H) == utc(2026, 3, 29, 11)


def test_a_24_7_calendar_ignores_holidays() -> None:
    christmas = paris(2026, 12, 25, 10)
    assert is_open(BusinessCalendar.btoc(), christmas)
    assert business_time_between(BusinessCalendar.btoc(), christmas, christmas + 5 * H) == 5 * H


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Paris", date(2026, 3, 28)),
        ("Europe/Paris", date(2026, 10, 24)),
        ("Asia/Beirut", date(2022, 10, 29)),  # clocks go back at midnight: 23:00-24:00 Saturday happens twice
        ("America/Sao_Paulo", date(2018, 11, 3)),  # clocks go forward at midnight: 4 Nov has no 00:xx
        ("Australia/Lord_Howe", date(2026, 4, 4)),  # a 30-minute change
    ],
)
def test_a_calendar_open_all_day_every_day_counts_real_time_through_any_dst_change(zone: str, day: date) -> None:
    calendar = BusinessCalendar(timezone=zone, weekly_hours=(ALL_DAY,) * 7, country=None)
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    rng = random.Random(zone)
    for _ in range(300):
        a = start + timedelta(minutes=rng.randrange(0, 72 * 60))
        b = a + timedelta(minutes=rng.randrange(0, 72 * 60))
        assert business_time_between(calendar, a, b) == b - a
        assert add_business_time(calendar, a, b - a) == b
        assert is_open(calendar, a)


# --- Split days -----------------------------------------------------------------------------------


def test_a_lunch_break_is_not_business_time() -> None:
    # Tue 24 Nov 2026 12:00 + 1 h: 12:00-12:30 (30 min), lunch, 14:00 + 30 min = 14:30.
    assert add_business_time(LUNCH, paris(2026, 11, 24, 12), H) == paris(2026, 11, 24, 14, 30)
    assert business_time_between(LUNCH, paris(2026, 11, 24, 12), paris(2026, 11, 24, 14, 30)) == H
    assert not is_open(LUNCH, paris(2026, 11, 24, 13))
    assert next_open(LUNCH, paris(2026, 11, 24, 13)) == paris(2026, 11, 24, 14)


def test_a_split_day_counts_seven_and_a_half_hours() -> None:
    assert business_time_between(LUNCH, paris(2026, 11, 24, 0), paris(2026, 11, 25, 0)) == 7.5 * H


# --- business_time_between ------------------------------------------------------------------------


def test_business_time_between_is_negative_when_the_end_is_before_the_start() -> None:
    # Time left on a deadline already passed: Mon 10:00 deadline seen at Mon 12:00 is 2 h overdue.
    assert business_time_between(BTOB, paris(2026, 11, 23, 12), paris(2026, 11, 23, 10)) == -2 * H


def test_business_time_between_two_closed_instants_is_zero() -> None:
    assert business_time_between(BTOB, paris(2026, 11, 21, 9), paris(2026, 11, 22, 23)) == timedelta(0)


@pytest.mark.parametrize(
    "calendar",
    [
        BTOB,
        LUNCH,
        BusinessCalendar.btob(subdivision="57", closed_dates=[date(2027, 5, 7), date(2026, 12, 24)]),
        BusinessCalendar.btob("America/New_York", country="US"),
        only_sunday((time(1, 30), time(3, 30)), (time(22), time(0))),
        BusinessCalendar.btoc(),
    ],
    ids=["btob", "lunch", "alsace-pont", "new-york", "sunday-nights", "btoc"],
)
def test_business_time_between_is_the_inverse_of_add_business_time(calendar: BusinessCalendar) -> None:
    rng = random.Random(20261121)
    origin = utc(2026, 1, 1)
    for _ in range(400):
        start = origin + timedelta(seconds=rng.randrange(0, 2 * 366 * 86400))
        duration = timedelta(seconds=rng.randrange(0, 200 * 3600))
        due = add_business_time(calendar, start, duration)
        assert business_time_between(calendar, start, due) == duration
        assert due >= start
        if duration:
            # The deadline is the earliest such instant: one second earlier is not enough.
            assert business_time_between(calendar, start, due - timedelta(seconds=1)) < duration


def _open_by_the_wall_clock(calendar: BusinessCalendar, instant: datetime, holidays: set[date]) -> bool:
    """Independent reference: read the local clock and compare it with the weekday's intervals."""
    local = instant.astimezone(ZoneInfo(calendar.timezone))
    if local.date() in holidays:
        return False
    now = local.time()
    return any(start <= now and (end == time(0) or now < end) for start, end in calendar.weekly_hours[local.weekday()])


@pytest.mark.parametrize(
    "calendar",
    [BTOB, LUNCH, only_sunday((time(1, 30), time(3, 30)), (time(22), time(0)))],
    ids=["btob", "lunch", "sunday-nights"],
)
def test_business_time_between_agrees_with_reading_the_wall_clock_minute_by_minute(calendar: BusinessCalendar) -> None:
    import holidays as holidays_package

    french = set(holidays_package.country_holidays("FR", years=range(2026, 2028)).keys())
    holidays = french if calendar.country else set()
    rng = random.Random(7)
    # Windows around the DST weekends, Easter, Ascension and an ordinary week.
    anchors = [utc(2026, 3, 27), utc(2026, 10, 23), utc(2027, 3, 26), utc(2027, 5, 4), utc(2026, 11, 19)]
    for anchor in anchors:
        for _ in range(4):
            a = anchor + timedelta(minutes=rng.randrange(0, 2 * 1440))
            b = a + timedelta(minutes=rng.randrange(0, 3 * 1440))
            minutes = int((b - a) / timedelta(minutes=1))
            expected = sum(
                _open_by_the_wall_clock(calendar, a + timedelta(minutes=m), holidays) for m in range(minutes)
            )
            assert business_time_between(calendar, a, b) == timedelta(minutes=expected)
            for m in range(0, minutes, 37):
                instant = a + timedelta(minutes=m)
                assert is_open(calendar, instant) == _open_by_the_wall_clock(calendar, instant, holidays)


def test_a_year_of_business_time_is_found_without_looping_minute_by_minute() -> None:
    start = paris(2026, 1, 5, 9)
    due = add_business_time(BTOB, start, 3000 * H)  # 333 business days and 3 hours
    assert business_time_between(BTOB, start, due) == 3000 * H
    assert due.year == 2027


# --- Invalid input --------------------------------------------------------------------------------


def test_a_calendar_never_open_raises_a_clear_error() -> None:
    closed = BusinessCalendar(weekly_hours=((),) * 7)
    with pytest.raises(CalendarNeverOpenError, match="no opening hours"):
        add_business_time(closed, paris(2026, 11, 20, 17), H)
    with pytest.raises(CalendarNeverOpenError, match="no opening hours"):
        next_open(closed, paris(2026, 11, 20, 17))


def test_a_calendar_whose_open_days_are_all_closed_dates_raises_instead_of_looping() -> None:
    mondays = [date(2026, 11, 23) + timedelta(weeks=n) for n in range(MAX_CONSECUTIVE_CLOSED_DAYS // 7 + 10)]
    calendar = BusinessCalendar(weekly_hours=(((time(9), time(10)),),) + ((),) * 6, closed_dates=mondays)
    with pytest.raises(CalendarNeverOpenError, match="consecutive days"):
        add_business_time(calendar, paris(2026, 11, 20, 17), H)
    with pytest.raises(CalendarNeverOpenError, match="consecutive days"):
        next_open(calendar, paris(2026, 11, 20, 17))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_time(BTOB, datetime(2026, 11, 20, 17), H)  # noqa: DTZ001


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(BTOB, paris(2026, 11, 20, 17), -H)


@pytest.mark.parametrize(
    "day",
    [((time(18), time(9)),), ((time(9), time(12)), (time(11), time(14)))],
    ids=["reversed", "overlapping"],
)
def test_reversed_or_overlapping_hours_are_refused(day: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(ValueError, match="Monday"):
        BusinessCalendar(weekly_hours=(day,) + ((),) * 6)


def test_hours_not_given_as_pairs_of_times_are_refused() -> None:
    with pytest.raises(TypeError, match="Monday"):
        BusinessCalendar(weekly_hours=((time(9), time(18)),) * 7)  # type: ignore[arg-type]


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(timezone="Europe/Atlantis")


# --- Report helpers -------------------------------------------------------------------------------


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert median([4 * H, H, 3 * H, 2 * H]) == 2.5 * H


def test_p90_interpolates_linearly_between_closest_ranks() -> None:
    # Values 1..10 minutes: position (10 - 1) * 0.9 = 8.1, between 9 and 10 minutes: 9.1 minutes.
    minutes = [timedelta(minutes=n) for n in range(1, 11)]
    assert percentile(minutes, 90) == timedelta(minutes=9, seconds=6)
    assert percentile(minutes, 0) == timedelta(minutes=1)
    assert percentile(minutes, 100) == timedelta(minutes=10)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        median([])
