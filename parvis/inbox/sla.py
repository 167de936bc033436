"""SLA timers: the inbox-work area calls these when a conversation is answered or changes status.

(Stub signatures laid by the lead; the SLA area fills them in.)
"""

from __future__ import annotations

from datetime import datetime

from parvis.inbox.models import Conversation


def sla_record_answer(*, conversation: Conversation, at: datetime) -> None:
    """A reply was sent in `conversation` at `at`: the first-answer timer stops (if running)."""


def sla_record_status(*, conversation: Conversation, status: str, at: datetime) -> None:
    """`conversation` moved to `status` at `at` (done stops the resolution timer; reopening restarts it)."""
