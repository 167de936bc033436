"""Hooks this app plugs into the inbox's in-pipe (see parvis.inbox.hooks)."""

from __future__ import annotations


def register() -> None:
    """Filled by the moderation (rules) and crisis areas."""
