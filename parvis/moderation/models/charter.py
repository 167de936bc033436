"""Moderation models of the charter area."""

from __future__ import annotations

__all__: list[str] = []
