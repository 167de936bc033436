"""Wall-clock times in the workspace's time zone to UTC instants, safe across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class InvalidLocalTime(ValueError):
    pass


def local_to_utc(naive: datetime, zone: ZoneInfo) -> datetime:
    """Interpret `naive` as a wall-clock time in `zone`.

    A time skipped by the spring change (02:30 in Paris on the last Sunday of March) does not
    exist: refuse it rather than guess. A time repeated by the autumn change is taken at its
    first occurrence (summer time), which is what a person scheduling "02:30" means first.
    """
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either repeated (fold matters, take the first) or skipped (round-trip fails).
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise InvalidLocalTime(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks change at that time."
            )
    return first.astimezone(UTC)


def utc_to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)
