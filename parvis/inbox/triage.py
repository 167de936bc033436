"""Triage on arrival (the Django side of `parvis.nlp`) and the priority of messages and conversations.

Priority, 0..100 (documented in docs/triage.md):

- a message: its class weight (pulled towards "other" when the model is unsure), plus up to 15 for
  negativity, plus or minus the author's standing in the community (regulars and followers up,
  bots down); computed on arrival and after a correction.
- a conversation: the highest priority among its incoming messages not answered yet, plus up to
  20 as its first-answer deadline approaches (full when overdue). Spam-level items get no SLA bonus.

The pure functions take plain values; the services below read and write in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parvis.inbox.hooks import register_after_ingest
from parvis.inbox.models import (
    Category,
    Conversation,
    ConversationStatus,
    Direction,
    LabelSource,
    Message,
    ModerationState,
    Sentiment,
)
from parvis.networks.periodic import register_periodic

if TYPE_CHECKING:
    from parvis.community.models import Identity
    from parvis.networks.models import ConnectedAccount
    from parvis.nlp.triage import Triage

# --- the formula (pure) ----------------------------------------------------------------------------

CLASS_WEIGHT: dict[str, int] = {
    Category.INSULT_OR_HATE: 60,
    Category.AGGRESSIVE: 55,
    Category.CRITICISM: 50,
    Category.QUESTION: 45,
    Category.OTHER: 25,
    Category.PRAISE: 15,
    Category.SPAM_OR_ADVERTISING: 5,
}
UNSURE_WEIGHT = CLASS_WEIGHT[Category.OTHER]
SURE_SCORE = 0.5  # a model probability at or above this counts fully; below, the weight slides towards "other"
NEGATIVITY_POINTS = 15
SLA_POINTS = 20
SLA_WINDOW = timedelta(hours=4)  # the SLA bonus grows over the last 4 hours before the deadline
NO_SLA_BONUS_BELOW = 10  # spam and bots need no answer: no deadline bonus
BOT_PENALTY = -20
LONG_FOLLOWER = timedelta(days=30)
MAX_PRIORITY = 100


@dataclass(frozen=True, slots=True)
class Standing:
    """What the community knows of the author, before this message."""

    message_count: int = 0
    follows_since: datetime | None = None
    is_bot: bool = False

    @classmethod
    def of(cls, identity: Identity | None) -> Standing:
        if identity is None:
            return cls()
        return cls(message_count=identity.message_count, follows_since=identity.follows_since, is_bot=identity.is_bot)


def standing_points(standing: Standing, now: datetime) -> int:
    """-20 for a bot; else up to +10: a follower (+2, +5 after 30 days) who writes to us (+3 from 5, +5 from 20)."""
    if standing.is_bot:
        return BOT_PENALTY
    points = 0
    if standing.follows_since is not None:
        points += 5 if now - standing.follows_since >= LONG_FOLLOWER else 2
    if standing.message_count >= 20:
        points += 5
    elif standing.message_count >= 5:
        points += 3
    return points


def negativity(sentiment: str, sentiment_score: float | None) -> float:
    """0..1: how negative the message is; a person's "negative" on a positive score counts 0.5."""
    if sentiment != Sentiment.NEGATIVE:
        return 0.0
    if sentiment_score is None or sentiment_score > -0.05:
        return 0.5
    return min(1.0, -sentiment_score)


def class_points(category: str, category_score: float | None, *, by_person: bool) -> float:
    weight = CLASS_WEIGHT.get(category, UNSURE_WEIGHT)
    confidence = 1.0 if by_person or category_score is None else min(1.0, max(0.0, category_score) / SURE_SCORE)
    return UNSURE_WEIGHT + (weight - UNSURE_WEIGHT) * confidence


def message_priority(
    *,
    category: str,
    category_score: float | None,
    by_person: bool = False,
    sentiment: str = "",
    sentiment_score: float | None = None,
    standing: Standing = Standing(),
    now: datetime,
) -> int:
    """A message's own priority, 0..100 (0 when it has no class: a follow, an empty message)."""
    if not category:
        return 0
    points = class_points(category, category_score, by_person=by_person)
    if category != Category.SPAM_OR_ADVERTISING:
        points += NEGATIVITY_POINTS * negativity(sentiment, sentiment_score)
    points += standing_points(standing, now)
    return round(min(MAX_PRIORITY, max(0.0, points)))


def sla_points(due_at: datetime | None, now: datetime) -> int:
    """0 with no deadline or more than 4 h left; grows linearly to 20 at the deadline and stays there."""
    if due_at is None:
        return 0
    left = due_at - now
    if left <= timedelta(0):
        return SLA_POINTS
    if left >= SLA_WINDOW:
        return 0
    return round(SLA_POINTS * (1 - left / SLA_WINDOW))


def conversation_priority(top_message: int, due_at: datetime | None, now: datetime) -> int:
    """The highest priority of its unanswered incoming messages, plus the deadline bonus."""
    if top_message <= 0:
        return 0
    bonus = sla_points(due_at, now) if top_message >= NO_SLA_BONUS_BELOW else 0
    return min(MAX_PRIORITY, top_message + bonus)


# --- on arrival --------------------------------------------------------------------------------------


def needs_triage(text: str) -> bool:
    """Only messages with words are triaged (a follow without text is not)."""
    return bool(text and text.strip())


def triage_fields(result: Triage, *, standing: Standing, now: datetime) -> dict[str, Any]:
    """The Message fields for one triage result (class by the model)."""
    return {
        "language": result.language,
        "sentiment": result.sentiment,
        "sentiment_score": round(result.sentiment_score, 4),
        "category": result.label,
        "category_score": round(result.label_score, 4),
        "category_source": LabelSource.MODEL,
        "signals": result.signals.as_dict(),
        "priority": message_priority(
            category=result.label,
            category_score=result.label_score,
            sentiment=result.sentiment,
            sentiment_score=result.sentiment_score,
            standing=standing,
            now=now,
        ),
    }


def message_priority_of(message: Message, now: datetime) -> int:
    """Recompute a stored message's priority (after a correction); reads its author."""
    return message_priority(
        category=message.category,
        category_score=message.category_score,
        by_person=message.category_source == LabelSource.PERSON,
        sentiment=message.sentiment,
        sentiment_score=message.sentiment_score,
        standing=Standing.of(message.author),
        now=now,
    )


# --- conversations, in bulk ---------------------------------------------------------------------------

OPEN_STATUSES = (ConversationStatus.NEW, ConversationStatus.ASSIGNED)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _top_unanswered() -> Subquery:
    """The highest priority among a conversation's incoming messages newer than its latest sent message."""
    last_sent = (
        Message.objects.filter(conversation=OuterRef(OuterRef("pk")), direction=Direction.OUT)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.IN)
        .exclude(moderation_state__in=[ModerationState.HIDDEN, ModerationState.DELETED])
        .filter(Q(occurred_at__gt=Coalesce(Subquery(last_sent), Value(_EPOCH, output_field=DateTimeField()))))
        .order_by("-priority")
        .values("priority")[:1]
    )


def conversations_refresh_priority(*, conversation_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Recompute the priority of these conversations: one read query and one bulk update of the changed ones.

    Returns {conversation id: new priority} for every conversation given.
    """
    ids = list(set(conversation_ids))
    result: dict[int, int] = {}
    changed: list[Conversation] = []
    for start in range(0, len(ids), 500):
        rows = (
            Conversation.objects.filter(pk__in=ids[start : start + 500])
            .annotate(top=_top_unanswered())
            .values_list("pk", "priority", "top", "first_response_due_at", "first_response_at")
        )
        for pk, old, top, due_at, answered_at in rows:
            new = conversation_priority(top or 0, None if answered_at else due_at, now)
            result[pk] = new
            if new != old:
                changed.append(Conversation(pk=pk, priority=new))
    if changed:
        Conversation.objects.bulk_update(changed, ["priority"], batch_size=500)
    return result


def conversations_refresh_due(now: datetime) -> int:
    """Periodic job: open conversations whose first-answer deadline is within 4 h (or passed) move up."""
    ids = list(
        Conversation.objects.filter(
            status__in=OPEN_STATUSES,
            first_response_at__isnull=True,
            first_response_due_at__isnull=False,
            first_response_due_at__lte=now + SLA_WINDOW,
            # Overdue for more than a day: the bonus has long been full, nothing moves.
            first_response_due_at__gte=now - timedelta(days=1),
        ).values_list("pk", flat=True)[:20_000]
    )
    if not ids:
        return 0
    return len(conversations_refresh_priority(conversation_ids=ids, now=now))


def _after_ingest(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    """After the SLA hook set the deadlines: the priority of the conversations that received messages."""
    priorities = conversations_refresh_priority(
        conversation_ids=[message.conversation_id for message in messages], now=timezone.now()
    )
    for message in messages:  # hooks after this one may save the conversation object: keep it current
        if message.conversation_id in priorities and "conversation" in message._state.fields_cache:
            message.conversation.priority = priorities[message.conversation_id]


ORDER_PRIORITY = 15  # after the SLA timers (10), before grouping (20)


def register() -> None:
    register_after_ingest("triage.priority", _after_ingest, order=ORDER_PRIORITY)
    register_periodic("inbox.triage_priority", every=timedelta(minutes=5), run=conversations_refresh_due)
