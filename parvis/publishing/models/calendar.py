"""Queue slots: recurring weekly publishing times per account."""

from __future__ import annotations

__all__: list[str] = []
