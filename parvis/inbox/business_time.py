"""Business-time arithmetic for SLAs: deadlines, elapsed business time, opening hours.

Pure Python (no ORM, no Django). Every public function takes and returns *aware* datetimes;
results are in UTC. Definitions and examples: docs/sla-time.md.

Model
-----
A :class:`BusinessCalendar` says, for each local date in its time zone, which instants are
"open". A date is closed when it is a public holiday of the calendar's country/subdivision or
one of its extra closed dates; otherwise its open periods are the weekday's local intervals.

Local wall-clock bounds are turned into instants with these rules, so that DST changes are exact:

* an interval ``[start, end)`` covers the instants from the *first* time the clock reads
  ``start`` to the *last* time it reads ``end`` (on the autumn fall-back night, 01:30-03:30 in
  Europe/Paris is 3 real hours long);
* a wall time that does not exist (spring-forward gap) is the instant of the jump (on the
  spring-forward night, 01:30-03:30 is 1 real hour long, 02:15-02:45 is empty);
* an end of ``time(0)`` means midnight at the end of the day (24:00).

``always_open`` calendars (BtoC, 24/7) ignore hours, holidays and closed dates: business time
is real elapsed time.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "ALSACE_MOSELLE_SUBDIVISIONS",
    "MAX_CONSECUTIVE_CLOSED_DAYS",
    "OFFICE_WEEK",
    "BusinessCalendar",
    "CalendarNeverOpenError",
    "add_business_time",
    "business_time_between",
    "is_open",
    "median",
    "next_open",
    "percentile",
]

Interval = tuple[time, time]
"""A local opening interval ``(start, end)``; ``end == time(0)`` means 24:00."""

DayHours = tuple[Interval, ...]

MIDNIGHT = time(0)

#: Department numbers of Alsace-Moselle as users type them, mapped to the ``holidays`` subdivision
#: codes (Moselle is "57"; Bas-Rhin and Haut-Rhin form the "6AE" Collectivité européenne d'Alsace).
ALSACE_MOSELLE_SUBDIVISIONS: dict[str, str] = {"57": "57", "67": "6AE", "68": "6AE"}

#: A calendar that shows no open time for this many consecutive days is taken as never open.
MAX_CONSECUTIVE_CLOSED_DAYS = 2 * 366

#: Monday to Friday 09:00-18:00, the default week of a BtoB calendar.
OFFICE_WEEK: tuple[DayHours, ...] = (((time(9), time(18)),),) * 5 + ((), ())

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarNeverOpenError(ValueError):
    """The calendar has no open time at all, or none within MAX_CONSECUTIVE_CLOSED_DAYS days."""


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60_000_000


def _end_minutes(t: time) -> float:
    return 24 * 60 if t == MIDNIGHT else _minutes(t)


def _normalise_week(weekly_hours: Sequence[Sequence[Interval]]) -> tuple[DayHours, ...]:
    if len(weekly_hours) != 7:
        raise ValueError(f"weekly_hours needs 7 entries (Monday first), got {len(weekly_hours)}")
    week: list[DayHours] = []
    for name, day in zip(_WEEKDAY_NAMES, weekly_hours, strict=True):
        intervals: list[Interval] = []
        for interval in day:
            if not isinstance(interval, tuple | list) or len(interval) != 2:
                raise TypeError(f"{name}: each interval must be a (start, end) pair of times, got {interval!r}")
            start, end = interval
            if not isinstance(start, time) or not isinstance(end, time):
                raise TypeError(f"{name}: interval bounds must be datetime.time, got {start!r}, {end!r}")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(f"{name}: interval bounds are local wall times and must be naive")
            if _minutes(start) >= _end_minutes(end):
                raise ValueError(f"{name}: interval {start}-{end} is empty or reversed (end 00:00 means 24:00)")
            intervals.append((start, end))
        intervals.sort(key=lambda iv: _minutes(iv[0]))
        for (_, prev_end), (next_start, _) in itertools.pairwise(intervals):
            if _end_minutes(prev_end) > _minutes(next_start):
                raise ValueError(f"{name}: intervals overlap ({prev_end} > {next_start})")
        week.append(tuple(intervals))
    return tuple(week)


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def _gap_transition(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of the clock jump that skips the non-existent local time ``wall``."""
    # PEP 495: in a gap, fold=0 uses the offset before the jump, fold=1 the offset after, so
    # the jump lies between the two readings. Transitions fall on whole seconds.
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo_t, hi_t = min(first, second), max(first, second)
    before = lo_t.astimezone(zone).utcoffset()
    lo = math.floor(lo_t.timestamp())
    hi = math.ceil(hi_t.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def _local_to_utc(day: date, t: time, zone: ZoneInfo, *, latest: bool) -> datetime:
    """First (or, with ``latest``, last) instant at which the clock of ``zone`` reads ``day t``."""
    wall = datetime.combine(day, t)
    instant = wall.replace(tzinfo=zone, fold=1 if latest else 0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return _gap_transition(wall, zone)
    return instant


class _Compiled:
    """Per-calendar caches (zone object, open periods of each date in UTC)."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        self.closed_dates = frozenset(calendar.closed_dates)
        self.day_periods = functools.lru_cache(maxsize=4096)(self._day_periods)

    def is_closed_date(self, day: date) -> bool:
        cal = self.calendar
        if day in self.closed_dates:
            return True
        if cal.country is None:
            return False
        return day in _public_holidays(cal.country, cal.holiday_subdivision, day.year)

    def _day_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        hours = self.calendar.weekly_hours[day.weekday()]
        if not hours or self.is_closed_date(day):
            return ()
        periods: list[tuple[datetime, datetime]] = []
        for start, end in hours:
            begin = _local_to_utc(day, start, self.zone, latest=False)
            end_day = day + timedelta(days=1) if end == MIDNIGHT else day
            finish = _local_to_utc(end_day, end, self.zone, latest=True)
            if begin < finish:
                periods.append((begin, finish))
        return tuple(periods)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()


@dataclass(frozen=True)
class BusinessCalendar:
    """When a workspace or account is "at work", for SLA clocks.

    ``weekly_hours`` has 7 entries, Monday first; each is a sequence of local ``(start, end)``
    intervals (several per day allowed, a day may be empty; end ``time(0)`` means 24:00).
    ``country``/``subdivision`` select public holidays from the ``holidays`` package (``None``
    country: no public holidays); for Alsace-Moselle use "57", "67" or "68".
    ``closed_dates`` are extra local dates without business hours (a pont, a company closure).
    ``always_open`` makes every instant open (24/7), ignoring all the rest.
    """

    timezone: str = "Europe/Paris"
    weekly_hours: Sequence[Sequence[Interval]] = OFFICE_WEEK
    country: str | None = "FR"
    subdivision: str | None = None
    closed_dates: Iterable[date] = frozenset()
    always_open: bool = False
    _compiled: _Compiled = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        object.__setattr__(self, "weekly_hours", _normalise_week(self.weekly_hours))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        if self.country is not None:
            try:
                holidays.country_holidays(self.country, subdiv=self.holiday_subdivision)
            except NotImplementedError as exc:
                raise ValueError(
                    f"no public holidays known for country {self.country!r}, subdivision {self.subdivision!r}"
                ) from exc
        object.__setattr__(self, "_compiled", _Compiled(self))

    @property
    def holiday_subdivision(self) -> str | None:
        """The subdivision code as the ``holidays`` package names it ("67"/"68" become "6AE")."""
        if self.subdivision is None or self.country != "FR":
            return self.subdivision
        return ALSACE_MOSELLE_SUBDIVISIONS.get(self.subdivision, self.subdivision)

    @property
    def never_open(self) -> bool:
        """True when no weekday has any hours (and the calendar is not 24/7)."""
        return not self.always_open and not any(self.weekly_hours)

    @classmethod
    def btob(
        cls,
        timezone: str = "Europe/Paris",
        *,
        country: str | None = "FR",
        subdivision: str | None = None,
        closed_dates: Iterable[date] = (),
        opens: time = time(9),
        closes: time = time(18),
    ) -> BusinessCalendar:
        """Monday to Friday, 09:00-18:00 by default, closed on public holidays."""
        day: DayHours = ((opens, closes),)
        return cls(
            timezone=timezone,
            weekly_hours=(day,) * 5 + ((), ()),
            country=country,
            subdivision=subdivision,
            closed_dates=frozenset(closed_dates),
        )

    @classmethod
    def btoc(cls, timezone: str = "Europe/Paris") -> BusinessCalendar:
        """Around the clock, every day of the year (business time is real time)."""
        return cls(timezone=timezone, always_open=True)


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")
    return value.astimezone(UTC)


def _check_ever_open(calendar: BusinessCalendar) -> None:
    if calendar.never_open:
        raise CalendarNeverOpenError("the business calendar has no opening hours on any weekday")


def _closed_too_long(calendar: BusinessCalendar, since: date) -> CalendarNeverOpenError:
    return CalendarNeverOpenError(
        f"the business calendar has no open time for {MAX_CONSECUTIVE_CLOSED_DAYS} consecutive days "
        f"from {since.isoformat()} (check its hours, holidays and closed dates)"
    )


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The deadline: the earliest instant by which ``duration`` of business time has elapsed since ``start``.

    A zero duration gives ``start`` itself; a positive one ends inside an open period or exactly at
    the end of one (Friday 17:00 + 1 h in 9-18 hours is Friday 18:00, not Monday 09:00).
    Raises :class:`CalendarNeverOpenError` for a calendar that is never open.
    """
    now = _utc(start, "start")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    if calendar.always_open or not duration:
        return now + duration
    _check_ever_open(calendar)
    compiled = calendar._compiled
    remaining = duration
    day = compiled.local_date(now) - timedelta(days=1)
    closed_since = day
    while True:
        periods = compiled.day_periods(day)
        for begin, finish in periods:
            if finish <= now:
                continue
            begin = max(begin, now)
            available = finish - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            now = finish
        if periods:
            closed_since = day
        elif (day - closed_since).days > MAX_CONSECUTIVE_CLOSED_DAYS:
            raise _closed_too_long(calendar, closed_since)
        day += timedelta(days=1)


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed from ``start`` to ``end``; negative when ``end`` is before ``start``.

    ``business_time_between(c, s, add_business_time(c, s, d)) == d`` for every ``d >= 0``.
    """
    lo, hi = _utc(start, "start"), _utc(end, "end")
    if hi < lo:
        return -business_time_between(calendar, hi, lo)
    if calendar.always_open:
        return hi - lo
    compiled = calendar._compiled
    total = timedelta(0)
    cursor = lo  # periods are counted from the cursor on, so overlapping readings never count twice
    day = compiled.local_date(lo) - timedelta(days=1)
    last = compiled.local_date(hi) + timedelta(days=1)
    while day <= last:
        for begin, finish in compiled.day_periods(day):
            begin, finish = max(begin, cursor), min(finish, hi)
            if begin < finish:
                total += finish - begin
                cursor = finish
        day += timedelta(days=1)
    return total


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether ``at`` falls inside an open period (periods are half-open: 18:00 is closed in 9-18)."""
    now = _utc(at, "at")
    if calendar.always_open:
        return True
    compiled = calendar._compiled
    today = compiled.local_date(now)
    return any(
        begin <= now < finish
        for day in (today - timedelta(days=1), today)
        for begin, finish in compiled.day_periods(day)
    )


def next_open(calendar: BusinessCalendar, at: datetime) -> datetime:
    """``at`` itself when open, otherwise the start of the next open period (in UTC)."""
    now = _utc(at, "at")
    if calendar.always_open:
        return now
    _check_ever_open(calendar)
    compiled = calendar._compiled
    first = compiled.local_date(now) - timedelta(days=1)
    day = first
    while (day - first).days <= MAX_CONSECUTIVE_CLOSED_DAYS + 1:
        for begin, finish in compiled.day_periods(day):
            if finish > now:
                return max(begin, now)
        day += timedelta(days=1)
    raise _closed_too_long(calendar, first + timedelta(days=1))


def percentile(values: Iterable[timedelta], q: float) -> timedelta:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks.

    This is Hyndman & Fan type 7 (numpy's default, Excel's PERCENTILE.INC): sort the n values,
    take the position ``h = (n - 1) * q / 100`` and interpolate between the values at ranks
    ``floor(h)`` and ``ceil(h)``. The result is rounded to the microsecond. ``q = 50`` is the
    usual median (mean of the two middle values for an even count).
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    low, high = ordered[below], ordered[above]
    micros = (high - low) // timedelta(microseconds=1)
    return low + timedelta(microseconds=round(micros * fraction))


def median(values: Iterable[timedelta]) -> timedelta:
    """The median: :func:`percentile` at 50."""
    return percentile(values, 50)
