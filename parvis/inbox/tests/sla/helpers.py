from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from parvis.inbox.models import Conversation, Direction, Message
from parvis.networks.models import ConnectedAccount

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


_counter = iter(range(1, 10**9))


def request(
    account: ConnectedAccount,
    received: datetime,
    answered: datetime | None = None,
    by: User | None = None,
    *,
    conversation: Conversation | None = None,
) -> Conversation:
    """A conversation with one incoming message and, optionally, our answer (constructed data)."""
    n = next(_counter)
    if conversation is None:
        conversation = Conversation.objects.create(
            workspace=account.workspace,
            account=account,
            thread_key=f"t{n}",
            kind="mention",
            last_message_at=received,
        )
    Message.objects.create(
        workspace=account.workspace,
        conversation=conversation,
        account=account,
        kind="mention",
        external_id=f"in{n}",
        text="Une question",
        occurred_at=received,
    )
    if answered is not None:
        Message.objects.create(
            workspace=account.workspace,
            conversation=conversation,
            account=account,
            direction=Direction.OUT,
            kind="reply",
            text="Une réponse",
            occurred_at=answered,
            sent_by=by,
        )
    return conversation


def arrive(
    account: ConnectedAccount,
    at: datetime,
    external_id: str = "m1",
    *,
    thread_key: str = "",
    kind: str = "mention",
    category: str = "",
    text: str = "Bonjour, une question ?",
) -> Conversation:
    """A message stored as ingest stores it, then the SLA's after-ingest hook, as ingest runs it.

    (The real in-pipe also runs triage, which loads models: too slow for these unit tests; the
    hook's registration is checked on its own.)
    """
    from parvis.inbox import hooks

    conversation, _created = Conversation.objects.get_or_create(
        account=account,
        thread_key=thread_key or external_id,
        defaults={"workspace": account.workspace, "kind": kind, "last_message_at": at},
    )
    message = Message.objects.create(
        workspace=account.workspace,
        conversation=conversation,
        account=account,
        kind=kind,
        external_id=external_id,
        text=text,
        category=category,
        occurred_at=at,
    )
    hooks._HOOKS["inbox.sla"].run(account, [message])
    conversation.refresh_from_db()
    return conversation
