"""Inbox models of the welcome area."""

from __future__ import annotations

__all__: list[str] = []
