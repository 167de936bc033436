"""Wall-clock times in Europe/Paris to UTC instants, across the 2026 daylight-saving changes.

2026: summer time starts on 29 March (02:00 → 03:00) and ends on 25 October (03:00 → 02:00).
"""

# Naive datetimes are the point here: they are wall-clock times, read in a time zone.
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc, utc_to_local

PARIS = ZoneInfo("Europe/Paris")


def test_a_winter_time_is_one_hour_ahead_of_utc() -> None:
    assert local_to_utc(datetime(2026, 1, 15, 9, 0), PARIS) == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def test_a_summer_time_is_two_hours_ahead_of_utc() -> None:
    assert local_to_utc(datetime(2026, 7, 15, 9, 0), PARIS) == datetime(2026, 7, 15, 7, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_spring_change_is_refused() -> None:
    with pytest.raises(InvalidLocalTime, match="2026-03-29 02:30"):
        local_to_utc(datetime(2026, 3, 29, 2, 30), PARIS)


def test_the_times_around_the_spring_gap_exist() -> None:
    assert local_to_utc(datetime(2026, 3, 29, 1, 59), PARIS) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 3, 29, 3, 0), PARIS) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_time_repeated_by_the_autumn_change_is_taken_at_its_first_occurrence() -> None:
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), PARIS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_the_first_occurrence_is_taken_even_when_the_second_is_asked() -> None:
    assert local_to_utc(datetime(2026, 10, 25, 2, 30, fold=1), PARIS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_aware_time_is_only_converted() -> None:
    aware = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)

    assert local_to_utc(aware, PARIS) == aware


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (datetime(2026, 3, 22, 9, 0), datetime(2026, 4, 5, 9, 0)),  # around the spring change
        (datetime(2026, 10, 18, 9, 0), datetime(2026, 11, 1, 9, 0)),  # around the autumn change
    ],
)
def test_a_nine_oclock_post_stays_at_nine_across_a_change(before: datetime, after: datetime) -> None:
    for wall_clock in (before, after):
        local = utc_to_local(local_to_utc(wall_clock, PARIS), PARIS)
        assert (local.hour, local.minute) == (9, 0)
    assert local_to_utc(after, PARIS) - local_to_utc(before, PARIS) != after - before


def test_utc_to_local_gives_the_wall_clock_of_the_workspace() -> None:
    local = utc_to_local(datetime(2026, 7, 15, 7, 0, tzinfo=UTC), PARIS)

    assert local.replace(tzinfo=None) == datetime(2026, 7, 15, 9, 0)
