"""Wiring of the grouping area: after each stored batch, group the new messages; FAQ suggestions daily.

`register()` is called from the inbox app's ready() (parvis/inbox/apps.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from parvis.inbox.hooks import ORDER_GROUPING, register_after_ingest

if TYPE_CHECKING:
    from parvis.inbox.models import Message
    from parvis.networks.models import ConnectedAccount

logger = logging.getLogger(__name__)

HOOK_NAME = "inbox.grouping"
FAQ_JOB = "inbox.faq_suggestions"


def group_after_ingest(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    """Runs inside the ingest transaction: one embedding call for the batch's questions.

    Grouping is a convenience: if it fails, its savepoint is rolled back and the messages are still
    stored (ungrouped), rather than the whole batch being refused and polled again forever.
    """
    from parvis.inbox.grouping import messages_group

    try:
        with transaction.atomic():
            messages_group(workspace=account.workspace, messages=messages)
    except Exception:
        logger.exception("grouping of %s messages of account %s failed; they stay ungrouped", len(messages), account.pk)


def register() -> None:
    from parvis.inbox.grouping import faq_refresh_all
    from parvis.networks.ingest import register_warm_up
    from parvis.networks.periodic import register_periodic
    from parvis.nlp.embeddings import warm_up

    register_after_ingest(HOOK_NAME, group_after_ingest, order=ORDER_GROUPING)
    register_warm_up(warm_up)  # the model loads before the ingest transaction, not inside it
    register_periodic(FAQ_JOB, every=timedelta(hours=6), run=faq_refresh_all)
