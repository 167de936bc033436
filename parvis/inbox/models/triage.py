"""Inbox models of the triage area."""

from __future__ import annotations

__all__: list[str] = []
