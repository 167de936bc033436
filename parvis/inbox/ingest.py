"""In-pipe handlers for the inbox: mentions, replies, private messages and new followers.

Each batch is stored once: events already stored (same account + external id)
are skipped, new ones are written with bulk inserts, and the unique
constraint catches a concurrent poll of the same account.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.utils import timezone

from parvis.community.models import Identity
from parvis.community.services import identities_count_messages, identities_mark_following, identities_resolve
from parvis.inbox import triage, triage_training
from parvis.inbox.hooks import run_after_ingest
from parvis.inbox.models import Conversation, ConversationStatus, Direction, Message, MessageKind
from parvis.networks.ingest import register_preparer, register_route, register_warm_up
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import EventKind, NetworkEvent
from parvis.nlp.triage import Triage, triage_batch

KIND_FOR_EVENT: dict[EventKind, MessageKind] = {
    EventKind.MENTION: MessageKind.MENTION,
    EventKind.REPLY: MessageKind.REPLY,
    EventKind.DIRECT_MESSAGE: MessageKind.DIRECT_MESSAGE,
    EventKind.FOLLOW: MessageKind.FOLLOW,
    EventKind.REVIEW: MessageKind.REVIEW,
}


def register() -> None:
    for kind in KIND_FOR_EVENT:
        register_route(kind, ingest_messages)
    # The language detector, the lexicons, the embedding model and the seed class model load before
    # the ingest transaction opens; a workspace's own model is a small blob read inside it.
    register_warm_up(triage_training.warm_up)
    register_preparer(prepare_triage)
    triage.register()


def _thread_key(event: NetworkEvent, known_threads: dict[str, str]) -> str:
    """Join the thread of the message it answers when we know it, else the one the network gives."""
    if event.in_reply_to_id and event.in_reply_to_id in known_threads:
        return known_threads[event.in_reply_to_id]
    if event.kind == EventKind.FOLLOW:
        return f"follow:{event.external_id}"
    return event.thread_key or event.in_reply_to_id or event.external_id


def ingest_messages(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
    """Store new events as inbox messages; returns how many were new."""
    ids = [event.external_id for event in events]
    already = set(
        Message.objects.filter(account=account, direction=Direction.IN, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    fresh: list[NetworkEvent] = []
    seen: set[str] = set()
    for event in sorted(events, key=lambda e: e.occurred_at):
        if event.external_id in already or event.external_id in seen:
            continue
        seen.add(event.external_id)
        fresh.append(event)
    if not fresh:
        return 0
    workspace = account.workspace
    identities = identities_resolve(
        workspace=workspace,
        network=account.network,
        authors=[(event.author, event.occurred_at) for event in fresh if event.author is not None],
    )
    triaged = _triage(workspace.pk, fresh, account_id=account.pk)
    now = timezone.now()

    # Threads: messages answering a stored message join its conversation, our own replies
    # included (a sent message is known on the network by the external id of its Action).
    parents = {event.in_reply_to_id for event in fresh if event.in_reply_to_id}
    known_threads: dict[str, str] = dict(
        Message.objects.filter(account=account, direction=Direction.IN, external_id__in=parents).values_list(
            "external_id", "conversation__thread_key"
        )
    )
    known_threads.update(
        Message.objects.filter(account=account, direction=Direction.OUT, action__external_id__in=parents).values_list(
            "action__external_id", "conversation__thread_key"
        )
    )
    keys: dict[str, str] = {}
    for event in fresh:
        keys[event.external_id] = _thread_key(event, known_threads)
        known_threads[event.external_id] = keys[event.external_id]
    conversations = _conversations_for(account, fresh, keys)

    messages = [
        Message(
            workspace=workspace,
            conversation=conversations[keys[event.external_id]],
            account=account,
            direction=Direction.IN,
            kind=KIND_FOR_EVENT[event.kind],
            external_id=event.external_id,
            in_reply_to_id=event.in_reply_to_id,
            author=identities.get(event.author.external_id) if event.author else None,
            text=event.text,
            url=event.url,
            visibility=event.visibility,
            occurred_at=event.occurred_at,
            **_triage_fields(event, triaged, identities, now),
        )
        for event in fresh
    ]
    Message.objects.bulk_create(messages, ignore_conflicts=True)

    counts = Counter(message.author.pk for message in messages if message.author and message.kind != MessageKind.FOLLOW)
    identities_count_messages(counts=dict(counts))
    # Each follower follows us since their own follow (events are oldest first: the first one wins).
    followed_at: dict[str, datetime] = {}
    for event in fresh:
        if event.kind == EventKind.FOLLOW and event.author is not None:
            followed_at.setdefault(event.author.external_id, event.occurred_at)
    by_time: dict[datetime, list[Identity]] = defaultdict(list)
    for external_id, since in followed_at.items():
        by_time[since].append(identities[external_id])
    for since, followers in by_time.items():
        identities_mark_following(identities=followers, since=since)
    stored = list(
        Message.objects.filter(
            account=account, direction=Direction.IN, external_id__in=[event.external_id for event in fresh]
        )
        .select_related("conversation", "author")
        .order_by("occurred_at", "id")
    )
    run_after_ingest(account, stored)
    return len(messages)


# Triage computed by `prepare_triage` before the ingest transaction: (account id, external id, text) → result.
_PREPARED: ContextVar[dict[tuple[int, str, str], Triage] | None] = ContextVar("inbox_prepared_triage", default=None)


def prepare_triage(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> Callable[[], None]:
    """Triage the batch's new messages before the write transaction opens (networks.ingest.prepared).

    Embeddings take about 10 ms a message: inside the transaction, a batch of a few hundred would
    hold SQLite's write lock for seconds. Messages already stored are skipped (one indexed query).
    """
    candidates = [event for event in events if event.kind in KIND_FOR_EVENT and triage.needs_triage(event.text)]
    stored = set(
        Message.objects.filter(
            account=account, direction=Direction.IN, external_id__in=[event.external_id for event in candidates]
        ).values_list("external_id", flat=True)
    )
    todo = [event for event in candidates if event.external_id not in stored]
    results = _triage(account.workspace_id, todo, prepared=False) if todo else {}
    token = _PREPARED.set({(account.pk, event.external_id, event.text): results[event.external_id] for event in todo})
    return lambda: _PREPARED.reset(token)


def _triage(
    workspace_id: int, events: Sequence[NetworkEvent], *, account_id: int = 0, prepared: bool = True
) -> dict[str, Triage]:
    """Language, sentiment, class and signals of every event with text, in one batch; keyed by external id.

    What `prepare_triage` already computed for this account is taken as it is; the rest is computed now.
    """
    ready = (_PREPARED.get() or {}) if prepared else {}
    found: dict[str, Triage] = {}
    todo = []
    for event in events:
        if not triage.needs_triage(event.text):
            continue
        result = ready.get((account_id, event.external_id, event.text))
        if result is not None:
            found[event.external_id] = result
        else:
            todo.append(event)
    if todo:
        model, _version = triage_training.class_model_for(workspace_id)
        results = triage_batch([event.text for event in todo], model=model)
        found.update({event.external_id: result for event, result in zip(todo, results, strict=True)})
    return found


def _triage_fields(
    event: NetworkEvent, triaged: dict[str, Triage], identities: dict[str, Identity], now: datetime
) -> dict[str, Any]:
    result = triaged.get(event.external_id)
    if result is None:
        return {}
    author = identities.get(event.author.external_id) if event.author else None
    return triage.triage_fields(result, standing=triage.Standing.of(author), now=now)


# A conversation someone had closed, or that was waiting for the other person, needs us again.
REOPENED_BY_NEW_MESSAGE = (ConversationStatus.DONE, ConversationStatus.WAITING)


def _conversations_for(
    account: ConnectedAccount, events: Sequence[NetworkEvent], keys: dict[str, str]
) -> dict[str, Conversation]:
    """Fetch or create each thread's conversation; reopen it and bump it when something new arrives.

    Events may arrive out of order: a late one never moves a conversation back in time.
    """
    first: dict[str, NetworkEvent] = {}
    latest: dict[str, NetworkEvent] = {}
    for event in events:  # oldest first
        key = keys[event.external_id]
        first.setdefault(key, event)
        latest[key] = event
    existing = {
        conversation.thread_key: conversation
        for conversation in Conversation.objects.filter(account=account, thread_key__in=list(latest))
    }
    new = [
        Conversation(
            workspace=account.workspace,
            account=account,
            thread_key=key,
            kind=KIND_FOR_EVENT[first[key].kind],
            last_message_at=event.occurred_at,
            preview=event.text[:280],
        )
        for key, event in latest.items()
        if key not in existing
    ]
    if new:
        Conversation.objects.bulk_create(new, ignore_conflicts=True)
    for key, conversation in existing.items():
        event = latest[key]
        Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=event.occurred_at).update(
            last_message_at=event.occurred_at, preview=event.text[:280]
        )
    reopened = Conversation.objects.filter(
        pk__in=[conversation.pk for conversation in existing.values()], status__in=REOPENED_BY_NEW_MESSAGE
    )
    reopened.filter(assignee__isnull=True).update(status=ConversationStatus.NEW)
    reopened.filter(assignee__isnull=False).update(status=ConversationStatus.ASSIGNED)
    return {
        conversation.thread_key: conversation
        for conversation in Conversation.objects.filter(account=account, thread_key__in=list(latest))
    }
