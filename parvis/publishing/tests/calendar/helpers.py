"""Helpers shared by the calendar tests (and the calendar's web and browser tests)."""

from __future__ import annotations

from datetime import datetime


def wall(*parts: int) -> datetime:
    """A wall-clock time (naive on purpose): `local_to_utc` places it in the workspace's zone."""
    return datetime(*parts)  # noqa: DTZ001
