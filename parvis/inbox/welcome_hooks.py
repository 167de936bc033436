"""Registers the welcome area's after-ingest hook (parvis/inbox/apps.py calls `register()`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parvis.inbox.models import Message
    from parvis.networks.models import ConnectedAccount


def _welcome(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    from parvis.inbox.welcome import welcome_followers

    welcome_followers(account, messages)


def register() -> None:
    from parvis.inbox.hooks import ORDER_WELCOME, register_after_ingest

    register_after_ingest("welcome", _welcome, order=ORDER_WELCOME)
