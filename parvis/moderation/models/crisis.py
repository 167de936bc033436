"""Moderation models of the crisis area."""

from __future__ import annotations

__all__: list[str] = []
