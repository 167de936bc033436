"""Hooks this app plugs into the inbox's in-pipe (see parvis.inbox.hooks)."""

from __future__ import annotations


def register() -> None:
    """Filled by the moderation (rules) and crisis areas, one delimited block each."""
    # --- moderation rules (area E) ---
    from parvis.moderation import rules

    rules.register()
    # --- end moderation rules ---
    # --- crisis (area B) ---
    from parvis.moderation.crisis import crisis_register

    crisis_register()
    # --- end crisis ---
