"""Reads for the inbox: the filtered list (keyset pages), one conversation, the author's history."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from parvis.community.models import Identity, Member
from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm, role_has
from parvis.inbox.models import (
    AssignmentRule,
    Conversation,
    ConversationStatus,
    Direction,
    Label,
    Message,
    Note,
    SavedReply,
    SavedView,
)
from parvis.inbox.reactions import reactions_by_identities

PAGE_SIZE = 50
SORTS = ("newest", "priority")


@dataclass(frozen=True)
class InboxFilters:
    """What the list shows. Empty values mean "any"; `status="open"` means everything not done."""

    status: str | None = "open"
    account_id: int | None = None
    network: str = ""
    kind: str = ""
    category: str = ""
    sentiment: str = ""
    priority_min: int | None = None
    label_id: int | None = None
    assignee: str = ""  # "mine", "unassigned" or a user id
    language: str = ""
    text: str = ""
    overdue: bool = False
    sort: str = "newest"


def conversation_list(
    workspace: Workspace,
    *,
    account_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> QuerySet[Conversation]:
    """Newest first. `status="open"` means everything not done."""
    filters = InboxFilters(status=status, account_id=account_id, kind=kind or "")
    conversations = conversation_filter(workspace, filters, user=None).select_related("account", "assignee")
    return conversations.order_by("-last_message_at", "-id")


def conversation_filter(workspace: Workspace, filters: InboxFilters, *, user: User | None) -> QuerySet[Conversation]:
    """The conversations of `workspace` that pass `filters` (unordered). `user` is who "mine" means."""
    conversations = Conversation.objects.filter(workspace=workspace)
    if filters.status == "open":
        conversations = conversations.exclude(status=ConversationStatus.DONE)
    elif filters.status and filters.status != "all":
        conversations = conversations.filter(status=filters.status)
    if filters.account_id:
        conversations = conversations.filter(account_id=filters.account_id)
    if filters.network:
        conversations = conversations.filter(account__network=filters.network)
    if filters.kind:
        conversations = conversations.filter(kind=filters.kind)
    if filters.priority_min is not None:
        conversations = conversations.filter(priority__gte=filters.priority_min)
    if filters.label_id:
        conversations = conversations.filter(
            Exists(
                Conversation.labels.through.objects.filter(conversation_id=OuterRef("pk"), label_id=filters.label_id)
            )
        )
    if filters.assignee == "mine":
        conversations = conversations.filter(assignee_id=user.pk if user else None)
    elif filters.assignee == "unassigned":
        conversations = conversations.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        conversations = conversations.filter(assignee_id=int(filters.assignee))
    if filters.overdue:
        conversations = conversations.filter(first_response_due_at__lt=timezone.now(), first_response_at__isnull=True)
    incoming = Q()
    if filters.category:
        incoming &= Q(category=filters.category)
    if filters.sentiment:
        incoming &= Q(sentiment=filters.sentiment)
    if filters.language:
        incoming &= Q(language__istartswith=filters.language)
    if incoming:
        conversations = conversations.filter(
            Exists(Message.objects.filter(incoming, conversation_id=OuterRef("pk"), direction=Direction.IN))
        )
    text = " ".join(filters.text.split())
    if text:
        conversations = conversations.filter(
            Q(preview__icontains=text)
            | Exists(Message.objects.filter(conversation_id=OuterRef("pk"), text__icontains=text))
        )
    return conversations


# Keyset pagination ----------------------------------------------------------------------------------
# A page is "the next PAGE_SIZE rows after the last one seen", in a total order (the sort key, then the
# id): stable when rows share a timestamp, and as cheap for page 1000 as for page 1 with the indexes
# on (workspace, status, -last_message_at) and (workspace, status, -priority, -last_message_at).


@dataclass
class InboxPage:
    items: list[Conversation]
    next_cursor: str | None
    newest_mark: str = ""  # the list's high-water mark, for "N new since this page was shown"
    filters: InboxFilters = field(default_factory=InboxFilters)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """Exact (integer) microseconds since the epoch: a float would drift by one and break equality."""
    return (moment - EPOCH) // MICROSECOND


def _from_micros(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


def encode_cursor(conversation: Conversation, sort: str) -> str:
    parts = [str(_micros(conversation.last_message_at)), str(conversation.pk)]
    if sort == "priority":
        parts.insert(0, str(conversation.priority))
    return base64.urlsafe_b64encode(".".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, ...] | None:
    """The key in `cursor`, or None when it is not one of ours (an edited URL starts over)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = tuple(int(part) for part in raw.split("."))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(values) != (3 if sort == "priority" else 2):
        return None
    try:
        _from_micros(values[-2])
    except OverflowError:
        return None
    return values


def _after(key: tuple[int, ...], sort: str) -> Q:
    if sort == "priority":
        priority, micros, pk = key
        moment = _from_micros(micros)
        return (
            Q(priority__lt=priority)
            | Q(priority=priority, last_message_at__lt=moment)
            | Q(priority=priority, last_message_at=moment, pk__lt=pk)
        )
    micros, pk = key
    moment = _from_micros(micros)
    return Q(last_message_at__lt=moment) | Q(last_message_at=moment, pk__lt=pk)


def conversation_page(
    workspace: Workspace,
    filters: InboxFilters,
    *,
    user: User | None,
    after: str | None = None,
    size: int | None = None,
) -> InboxPage:
    """One page of the list: one query for the rows (+1 to know there is more), then bounded queries
    for what each row shows (the latest received message, labels)."""
    size = PAGE_SIZE if size is None else size
    sort = filters.sort if filters.sort in SORTS else "newest"
    conversations = conversation_filter(workspace, filters, user=user).select_related("account", "assignee")
    key = decode_cursor(after, sort) if after else None
    if key is not None:
        conversations = conversations.filter(_after(key, sort))
    order = ["-priority", "-last_message_at", "-id"] if sort == "priority" else ["-last_message_at", "-id"]
    rows = list(conversations.order_by(*order)[: size + 1])
    items, more = rows[:size], len(rows) > size
    attach_rows(items)
    newest = max((item.last_message_at for item in items), default=None)
    return InboxPage(
        items=items,
        next_cursor=encode_cursor(items[-1], sort) if more and items else None,
        newest_mark=("" if key is not None else str(_micros(newest)) if newest else "0"),
        filters=filters,
    )


def attach_rows(items: Sequence[Conversation]) -> None:
    """Give each row its latest received message and its labels, in three queries for the whole page."""
    latest = latest_incoming_for(items)
    labels: dict[int, list[Label]] = {item.pk: [] for item in items}
    through = Conversation.labels.through.objects.filter(conversation_id__in=list(labels)).select_related("label")
    for link in through:
        labels[link.conversation_id].append(link.label)
    for item in items:
        item.latest_incoming = latest.get(item.pk)  # type: ignore[attr-defined]
        item.label_list = sorted(labels[item.pk], key=lambda label: label.name.lower())  # type: ignore[attr-defined]


def conversation_count_since(
    workspace: Workspace, filters: InboxFilters, *, user: User | None, mark: str, limit: int = 99
) -> int:
    """How many conversations of the list moved since `mark` (a page's newest_mark), up to `limit`."""
    try:
        since = _from_micros(int(mark))
    except (TypeError, ValueError, OverflowError):
        return 0
    moved = conversation_filter(workspace, filters, user=user).filter(last_message_at__gt=since)
    return len(moved.values_list("pk", flat=True)[: limit + 1])


# One conversation -----------------------------------------------------------------------------------


def conversation_get(workspace: Workspace, conversation_id: int) -> Conversation:
    return (
        Conversation.objects.select_related("account", "assignee")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author", "action", "sent_by", "account").order_by(
                    "occurred_at", "id"
                ),
            ),
            Prefetch("notes", queryset=Note.objects.select_related("author").order_by("created_at", "id")),
            "labels",
        )
        .get(workspace=workspace, pk=conversation_id)
    )


def message_get(workspace: Workspace, message_id: int) -> Message:
    return Message.objects.select_related("account", "author", "conversation").get(workspace=workspace, pk=message_id)


def latest_incoming(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .exclude(external_id="")
        .order_by("-occurred_at", "-id")
        .select_related("author", "account")
        .first()
    )


def latest_incoming_for(conversations: Sequence[Conversation]) -> dict[int, Message]:
    """`latest_incoming` of each conversation of a page, in two queries instead of one per row."""
    if not conversations:
        return {}
    latest = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.IN)
        .exclude(external_id="")
        .order_by("-occurred_at", "-id")
        .values("id")[:1]
    )
    ids = (
        Conversation.objects.filter(pk__in=[conversation.pk for conversation in conversations])
        .annotate(latest_id=Subquery(latest))
        .values_list("latest_id", flat=True)
    )
    messages = Message.objects.filter(pk__in=[pk for pk in ids if pk is not None]).select_related("author", "account")
    return {message.conversation_id: message for message in messages}


# The author's panel ---------------------------------------------------------------------------------


@dataclass
class AuthorHistory:
    """A person of the community across networks: their handles and their latest messages to us."""

    member: Member | None
    identities: list[Identity]
    messages: list[Message]
    conversation_count: int = 0
    reactions: dict[str, int] = field(default_factory=dict)  # favourites and boosts they gave our posts


def author_history(workspace: Workspace, identity: Identity, *, limit: int = 12) -> AuthorHistory:
    """The community member behind `identity`: every identity they have, and their `limit` latest
    received messages on any account of the workspace (three queries, whatever their history)."""
    if identity.workspace_id != workspace.pk:
        return AuthorHistory(member=None, identities=[], messages=[])
    member = identity.member
    identities = list(Identity.objects.filter(workspace=workspace, member_id=identity.member_id).order_by("network"))
    messages = list(
        Message.objects.filter(workspace=workspace, direction=Direction.IN, author__member_id=identity.member_id)
        .select_related("account", "author", "conversation")
        .order_by("-occurred_at", "-id")[:limit]
    )
    reactions = reactions_by_identities(workspace, [item.pk for item in identities])
    return AuthorHistory(member=member, identities=identities, messages=messages, reactions=reactions)


# Team, labels, saved replies, views, rules ----------------------------------------------------------


def assignable_members(workspace: Workspace) -> list[User]:
    """The people a conversation can be given to: members whose role answers the inbox."""
    memberships = Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")
    return [item.user for item in memberships if role_has(item.role, Perm.REPLY)]


def label_list(workspace: Workspace) -> QuerySet[Label]:
    return Label.objects.filter(workspace=workspace).order_by("name")


def label_get(workspace: Workspace, label_id: int) -> Label:
    return Label.objects.get(workspace=workspace, pk=label_id)


def saved_reply_list(workspace: Workspace, *, language: str = "") -> list[SavedReply]:
    """The saved replies, those in `language` (or in no particular language) first."""
    replies = list(SavedReply.objects.filter(workspace=workspace).order_by("title", "id"))
    if language:
        wanted = language.lower()[:2]
        replies.sort(key=lambda reply: 0 if reply.language[:2] in {"", wanted} else 1)
    return replies


def saved_reply_get(workspace: Workspace, reply_id: int) -> SavedReply:
    return SavedReply.objects.get(workspace=workspace, pk=reply_id)


def saved_view_list(workspace: Workspace, *, user: User) -> QuerySet[SavedView]:
    """The team's shared views and the user's own."""
    return SavedView.objects.filter(Q(owner__isnull=True) | Q(owner=user), workspace=workspace).order_by(
        "position", "name", "id"
    )


def saved_view_get(workspace: Workspace, view_id: int, user: User) -> SavedView:
    return saved_view_list(workspace, user=user).get(pk=view_id)


def assignment_rule_list(workspace: Workspace) -> QuerySet[AssignmentRule]:
    return (
        AssignmentRule.objects.filter(workspace=workspace)
        .select_related("account", "assignee")
        .prefetch_related("members")
        .order_by("position", "id")
    )


def assignment_rule_get(workspace: Workspace, rule_id: int) -> AssignmentRule:
    return AssignmentRule.objects.get(workspace=workspace, pk=rule_id)


def note_get(workspace: Workspace, note_id: int) -> Note:
    return Note.objects.get(workspace=workspace, pk=note_id)
