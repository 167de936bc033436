"""After-ingest hook of the inbox-work area: assignment rules give new conversations to the team."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from parvis.inbox.hooks import ORDER_ASSIGNMENT, register_after_ingest

if TYPE_CHECKING:
    from parvis.inbox.models import Message
    from parvis.networks.models import ConnectedAccount


def assign_after_ingest(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    from parvis.inbox.work import conversations_assign_by_rules

    conversations_assign_by_rules(account=account, messages=messages)


def register() -> None:
    register_after_ingest("inbox.assignment", assign_after_ingest, order=ORDER_ASSIGNMENT)
