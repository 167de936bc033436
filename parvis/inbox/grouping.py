"""Answering everything, not necessarily everyone: group the messages that ask the same thing, answer once.

- `messages_group` (run after each ingested batch by `grouping_hooks`) puts each new message that asks
  something in the open group of the workspace (any account, any network, last GROUPING_WINDOW) that
  asks the same thing, or starts a group; other messages join a group only as near-duplicates.
- `group_answer` answers a whole group: each person on their own network and thread ("each"), or one
  person fully and the others with a short reply pointing to that answer ("point").
- `group_remove_messages` / `group_split` correct a wrong grouping; `faq_suggestions_refresh` proposes
  FAQ entries for questions that keep coming back, which a person accepts or dismisses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.models import (
    AnswerMode,
    Category,
    Conversation,
    ConversationStatus,
    Direction,
    FaqEntry,
    FaqReason,
    FaqSuggestion,
    FaqSuggestionStatus,
    GroupStatus,
    LabelSource,
    Message,
    MessageGroup,
    MessageKind,
    MessageVector,
    ModerationState,
)
from parvis.inbox.services import MAX_REPLY_LENGTH, ReplyError, message_reply
from parvis.networks.models import AccountStatus
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import get_connector
from parvis.networks.services import action_create
from parvis.nlp import grouping as nlp

# Open groups a new message is compared with: those that received a message this recently.
GROUPING_WINDOW = timedelta(days=14)
# At most this many open groups are compared (the most recent first).
MAX_CANDIDATE_GROUPS = 2000
# A group is shown (groups page, inbox link) from this many messages on.
MIN_SHOWN = 2
# FAQ: a group of at least FAQ_MIN_MESSAGES spread over at least FAQ_MIN_SPAN, or at least
# FAQ_MIN_GROUPS answered groups whose answers are near-duplicates of each other.
FAQ_MIN_MESSAGES = 5
FAQ_MIN_SPAN = timedelta(days=14)
FAQ_MIN_GROUPS = 2
FAQ_SIMILAR_ANSWER = 0.8
# Length counted for "{parent_url}" before the address is known (Mastodon counts any link as 23).
PARENT_URL_PLACEHOLDER_LENGTH = 60
PARENT_URL = "{parent_url}"
# Categories never grouped, even as near-duplicates, once a person or a rule says so: they are moderation's,
# not answers'. The model's guess alone does not exclude a message (it takes some questions for spam).
NEVER_GROUPED = frozenset({Category.INSULT_OR_HATE, Category.SPAM_OR_ADVERTISING})
DECIDED = frozenset({LabelSource.PERSON, LabelSource.RULE})


def _params() -> nlp.GroupingParams:
    return nlp.DEFAULT_PARAMS


# --- grouping on arrival ----------------------------------------------------------------------


def asks_something(message: Message) -> bool:
    """A question: classified as one, or a text that asks something (a question mark, a question's opening)."""
    return message.category == Category.QUESTION or nlp.asks_something(message.text)


def _groupable(message: Message) -> bool:
    return (
        message.direction == Direction.IN
        and message.kind != MessageKind.FOLLOW
        and message.group_id is None
        and bool(message.text.strip())
        and message.moderation_state == ModerationState.VISIBLE
        and not (message.category in NEVER_GROUPED and message.category_source in DECIDED)
    )


def _state_of(group: MessageGroup) -> nlp.GroupState:
    return nlp.GroupState(
        key=group.pk,
        size=group.size,
        centroid=nlp.vector_from_bytes(group.centroid),
        embedded=group.embedded,
        samples=list(group.samples),
        languages=list(group.languages),
    )


def _apply_state(group: MessageGroup, state: nlp.GroupState) -> None:
    group.size = state.size
    group.embedded = state.embedded
    group.centroid = nlp.vector_to_bytes(state.centroid) if state.centroid is not None else None
    group.samples = list(state.samples)
    group.languages = list(state.languages)


def messages_group(*, workspace: Workspace, messages: Sequence[Message], now: datetime | None = None) -> int:
    """Put each new message in the group that asks the same thing, or start one; returns how many were placed.

    Messages that ask something are compared by meaning and by words; the others only join a group of
    near-duplicates (the same text give or take a mention or a typo). One embedding call for the batch.
    """
    now = now or timezone.now()
    candidates = [message for message in messages if _groupable(message)]
    params = _params()
    questions = [message for message in candidates if asks_something(message)]
    others = [
        message
        for message in candidates
        if message not in questions and len(nlp.normalise(message.text)) >= params.min_chars
    ]
    todo = sorted(questions + others, key=lambda message: (message.occurred_at, message.pk))
    if not todo:
        return 0
    vectors: dict[int, nlp.Vector] = {}
    if questions:
        from parvis.nlp.embeddings import embed

        embedded = embed([nlp.content(message.text) for message in questions])
        vectors = {message.pk: embedded[index] for index, message in enumerate(questions)}

    # The window counts back from the batch's oldest message: a backfill of last month groups with last month.
    since = min(now, todo[0].occurred_at) - GROUPING_WINDOW
    open_groups = list(
        MessageGroup.objects.filter(workspace=workspace, status=GroupStatus.OPEN, last_message_at__gte=since).order_by(
            "-last_message_at", "-id"
        )[:MAX_CANDIDATE_GROUPS]
    )
    items = [nlp.Item(message.text, vectors.get(message.pk), message.language or "") for message in todo]
    assignments, states = nlp.assign(items, [_state_of(group) for group in open_groups], params)

    members: dict[int, list[Message]] = defaultdict(list)
    for assignment in assignments:
        members[assignment.group].append(todo[assignment.index])
    changed: list[MessageGroup] = []
    created: list[tuple[MessageGroup, int]] = []
    for position, joined in members.items():
        state = states[position]
        if position < len(open_groups):
            group = open_groups[position]
        else:
            first = joined[0]
            group = MessageGroup(
                workspace=workspace,
                representative_text=nlp.clean(first.text)[:1000] or first.text[:1000],
                first_message_at=first.occurred_at,
            )
            created.append((group, position))
        _apply_state(group, state)
        latest = max(message.occurred_at for message in joined)
        if group.last_message_at is None or latest > group.last_message_at:
            group.last_message_at = latest
        earliest = min(message.occurred_at for message in joined)
        if group.first_message_at is None or earliest < group.first_message_at:
            group.first_message_at = earliest
        if group.pk is not None:
            changed.append(group)
    if created:
        MessageGroup.objects.bulk_create([group for group, _ in created])
    if changed:
        MessageGroup.objects.bulk_update(
            changed, ["size", "embedded", "centroid", "samples", "languages", "first_message_at", "last_message_at"]
        )
    for position, joined in members.items():
        group = open_groups[position] if position < len(open_groups) else next(g for g, p in created if p == position)
        Message.objects.filter(pk__in=[message.pk for message in joined]).update(group=group)
        for message in joined:
            message.group = group
    if vectors:
        MessageVector.objects.bulk_create(
            [MessageVector(message_id=pk, vector=nlp.vector_to_bytes(vector)) for pk, vector in vectors.items()],
            ignore_conflicts=True,
        )
    return len(todo)


def _group_refresh(group: MessageGroup) -> MessageGroup:
    """Recompute a group's size, centroid, samples, languages and dates from its messages (after a correction)."""
    params = _params()
    members = list(group.messages.filter(direction=Direction.IN).order_by("occurred_at", "id"))
    stored = dict(
        MessageVector.objects.filter(message__in=[message.pk for message in members]).values_list(
            "message_id", "vector"
        )
    )
    state = nlp.GroupState(key=group.pk)
    for message in members:
        normalised = nlp.normalise(message.text)
        state.add(
            normalised if len(normalised) >= params.min_chars else "",
            nlp.vector_from_bytes(stored.get(message.pk)),
            params.samples,
            message.language or "",
        )
    _apply_state(group, state)
    group.first_message_at = members[0].occurred_at if members else None
    group.last_message_at = members[-1].occurred_at if members else None
    if members and not group.representative_text:
        group.representative_text = nlp.clean(members[0].text)[:1000]
    group.save()
    return group


# --- selectors -------------------------------------------------------------------------------


def group_list(workspace: Workspace, *, status: str = GroupStatus.OPEN) -> QuerySet[MessageGroup]:
    """Groups shown to people: two messages or more, most recent activity first."""
    return MessageGroup.objects.filter(workspace=workspace, status=status, size__gte=MIN_SHOWN).order_by(
        "-last_message_at", "-id"
    )


def group_get(workspace: Workspace, pk: int) -> MessageGroup:
    return MessageGroup.objects.get(workspace=workspace, pk=pk)


def group_messages(group: MessageGroup) -> list[Message]:
    """The received messages of a group, oldest first, with what the page shows (one query)."""
    return list(
        group.messages.filter(direction=Direction.IN)
        .select_related("author", "account", "conversation")
        .order_by("occurred_at", "id")
    )


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group: MessageGroup
    networks: list[str]
    accounts: list[str]
    samples: list[str]


def group_summaries(groups: Sequence[MessageGroup], samples: int = 3) -> list[GroupSummary]:
    """Networks, accounts and a few texts of each group, in one query for the whole page."""
    rows = (
        Message.objects.filter(group__in=[group.pk for group in groups], direction=Direction.IN)
        .order_by("occurred_at", "id")
        .values_list("group_id", "account__network", "account__handle", "text")
    )
    networks: dict[int, list[str]] = defaultdict(list)
    accounts: dict[int, list[str]] = defaultdict(list)
    texts: dict[int, list[str]] = defaultdict(list)
    for group_id, network, handle, text in rows:
        if network not in networks[group_id]:
            networks[group_id].append(network)
        if handle not in accounts[group_id]:
            accounts[group_id].append(handle)
        if len(texts[group_id]) < samples:
            texts[group_id].append(text)
    return [
        GroupSummary(group=group, networks=networks[group.pk], accounts=accounts[group.pk], samples=texts[group.pk])
        for group in groups
    ]


def faq_suggestion_list(workspace: Workspace) -> QuerySet[FaqSuggestion]:
    return FaqSuggestion.objects.filter(workspace=workspace, status=FaqSuggestionStatus.PENDING).order_by(
        "-created_at", "-id"
    )


def faq_suggestion_get(workspace: Workspace, pk: int) -> FaqSuggestion:
    return FaqSuggestion.objects.get(workspace=workspace, pk=pk)


def faq_entry_list(workspace: Workspace) -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(workspace=workspace)


# --- answering a group -----------------------------------------------------------------------


def person_name(message: Message) -> str:
    """{name}: the person's display name, else their @handle."""
    if message.author is None:
        return ""
    return message.author.display_name or message.author.handle


def render_answer(text: str, message: Message) -> str:
    """The answer for one person: {name} and {handle} replaced; {parent_url} left for the network step.

    Plain replacement, not str.format: braces typed by a person stay as they are.
    """
    handle = message.author.handle if message.author else ""
    return text.replace("{name}", person_name(message)).replace("{handle}", handle).strip()


@dataclass(frozen=True, slots=True)
class PreviewRow:
    message: Message
    text: str
    length: int
    limit: int
    role: str  # "answer" (the full answer) or "pointer" (points to it)

    @property
    def fits(self) -> bool:
        return self.length <= self.limit


def group_answer_preview(
    group: MessageGroup, *, text: str, mode: str = AnswerMode.EACH, pointer_text: str = "", first: Message | None = None
) -> list[PreviewRow]:
    """What each person would receive, with its length as their network counts it (no write)."""
    messages = _answerable(group)
    if not messages:
        return []
    chosen = first if first is not None and any(m.pk == first.pk for m in messages) else messages[0]
    rows: list[PreviewRow] = []
    for message in messages:
        pointer = mode == AnswerMode.POINT and message.pk != chosen.pk
        rendered = render_answer(pointer_text if pointer else text, message)
        try:
            connector = get_connector(message.account.network)
        except Exception:  # noqa: BLE001 - a connector that cannot load: shown as not fitting
            rows.append(PreviewRow(message, rendered, len(rendered), 0, "pointer" if pointer else "answer"))
            continue
        counted = rendered.replace(PARENT_URL, "https://" + "x" * (PARENT_URL_PLACEHOLDER_LENGTH - 8))
        length = connector.count_characters(counted)
        handle = message.author.handle if message.author else ""
        if connector.capabilities.reply_mentions_author and handle and handle.lower() not in rendered.lower():
            length += connector.count_characters(handle + " ")
        limit = connector.capabilities.max_characters or MAX_REPLY_LENGTH
        rows.append(PreviewRow(message, rendered, length, limit, "pointer" if pointer else "answer"))
    return rows


@dataclass(slots=True)
class GroupAnswerReport:
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)


def _answerable(group: MessageGroup) -> list[Message]:
    return [message for message in group_messages(group) if message.kind != MessageKind.FOLLOW and message.external_id]


def _check_pointer(message: Message, text: str) -> None:
    """message_reply's checks for a reply whose text holds {parent_url} (its length counted with a placeholder)."""
    account = message.account
    if account.status not in {AccountStatus.ACTIVE, AccountStatus.ERROR, AccountStatus.NEEDS_REAUTH}:
        raise ReplyError(_("The account %(handle)s is disconnected.") % {"handle": account.handle})
    connector = get_connector(account.network)
    if ActionKind.REPLY not in connector.capabilities.actions:
        raise ReplyError(_("%(network)s does not allow replies from Parvis.") % {"network": connector.display_name})
    if not text:
        raise ReplyError(_("The reply is empty."))
    limit = connector.capabilities.max_characters or MAX_REPLY_LENGTH
    counted = text.replace(PARENT_URL, "https://" + "x" * (PARENT_URL_PLACEHOLDER_LENGTH - 8))
    length = connector.count_characters(counted)
    author_handle = message.author.handle if message.author else ""
    if connector.capabilities.reply_mentions_author and author_handle and author_handle.lower() not in text.lower():
        length += connector.count_characters(author_handle + " ")
    if length > limit:
        raise ReplyError(
            _("The reply is too long for %(network)s (maximum %(limit)s characters).")
            % {"network": connector.display_name, "limit": limit}
        )


def _reply_pointing(membership: Membership, message: Message, text: str, parent_sent: Message) -> Message:
    """A reply whose text holds {parent_url}: it waits for the first answer, whose address fills the text.

    Follows message_reply (sent Message + Action, conversation waiting, audit), with the parent Action.
    """
    _check_pointer(message, text)
    if parent_sent.action is None:  # pragma: no cover - message_reply always writes one
        raise ReplyError(_("The first answer has no delivery."))
    account = message.account
    author_handle = message.author.handle if message.author else ""
    action = action_create(
        workspace=membership.workspace,
        account=account,
        kind=ActionKind.REPLY,
        payload={
            "text": text,
            "in_reply_to_id": message.external_id,
            "in_reply_to_author": author_handle,
            "visibility": message.visibility,
            "parent_url_in_text": True,
        },
        source="inbox.group_answer",
        summary=text[:300],
        created_by=membership.user,
        parent=parent_sent.action,
    )
    now = timezone.now()
    sent = Message.objects.create(
        workspace=membership.workspace,
        conversation=message.conversation,
        account=account,
        direction=Direction.OUT,
        kind=MessageKind.DIRECT_MESSAGE if message.kind == MessageKind.DIRECT_MESSAGE else MessageKind.REPLY,
        in_reply_to_id=message.external_id,
        text=text,
        visibility=message.visibility,
        occurred_at=now,
        sent_by=membership.user,
        action=action,
    )
    Conversation.objects.filter(pk=message.conversation_id).update(
        status=ConversationStatus.WAITING, last_message_at=now
    )
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.reply",
        target=sent,
        summary=text,
        data={"account": account.pk, "in_reply_to": message.external_id, "parent_action": parent_sent.action.pk},
    )
    return sent


@transaction.atomic
def group_answer(
    *,
    membership: Membership,
    group: MessageGroup,
    text: str,
    mode: str = AnswerMode.EACH,
    pointer_text: str = "",
    first: Message | None = None,
) -> GroupAnswerReport:
    """Answer every message of the group in one move, each on its own network and thread.

    mode "each": `text` (with {name} / {handle}) to every person, through message_reply.
    mode "point": `text` to `first` (or the group's first message), and `pointer_text` (which must hold
    {parent_url}, replaced by the address of that first answer once it is published) to the others.
    A reply refused for one message (too long for its network, account disconnected) is reported in
    `failed` without stopping the others; the first answer of "point" must go, or nothing does.
    """
    require(membership, Perm.REPLY)
    if group.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    text = text.strip()
    if not text:
        raise ReplyError(_("The reply is empty."))
    mode = AnswerMode(mode)
    messages = _answerable(group)
    if not messages:
        raise ReplyError(_("Nothing in this group can be answered from Parvis."))
    report = GroupAnswerReport()
    if mode == AnswerMode.EACH:
        for message in messages:
            try:
                report.sent.append(
                    message_reply(membership=membership, message=message, text=render_answer(text, message))
                )
            except ReplyError as error:
                report.failed.append((message, str(error)))
    else:
        pointer_text = pointer_text.strip()
        if PARENT_URL not in pointer_text:
            raise ReplyError(_("The short reply must contain {parent_url}, the address of the full answer."))
        chosen = first if first is not None and any(m.pk == first.pk for m in messages) else messages[0]
        main = message_reply(membership=membership, message=chosen, text=render_answer(text, chosen))
        report.sent.append(main)
        for message in messages:
            if message.pk == chosen.pk:
                continue
            try:
                with transaction.atomic():
                    report.sent.append(_reply_pointing(membership, message, render_answer(pointer_text, message), main))
            except ReplyError as error:
                report.failed.append((message, str(error)))
    if report.sent:
        group.status = GroupStatus.ANSWERED
        group.answered_at = timezone.now()
        group.answered_by = membership.user
        group.answer_text = text
        group.answer_mode = mode
        group.save(update_fields=["status", "answered_at", "answered_by", "answer_text", "answer_mode", "updated_at"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.group_answer",
        target=group,
        summary=text,
        data={
            "mode": str(mode),
            "sent": [message.pk for message in report.sent],
            "failed": [{"message": message.pk, "error": error} for message, error in report.failed],
        },
    )
    return report


# --- corrections -------------------------------------------------------------------------------


def _members(group: MessageGroup, message_ids: Sequence[int]) -> list[Message]:
    chosen = list(group.messages.filter(pk__in=list(message_ids), direction=Direction.IN))
    if not chosen:
        raise ValueError(_("Choose messages of this group."))
    return chosen


@transaction.atomic
def group_remove_messages(*, membership: Membership, group: MessageGroup, message_ids: Sequence[int]) -> int:
    """Take messages out of a group (they asked something else); they stay ungrouped."""
    require(membership, Perm.REPLY)
    if group.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    chosen = _members(group, message_ids)
    Message.objects.filter(pk__in=[message.pk for message in chosen]).update(group=None)
    _group_refresh(group)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.group_remove",
        target=group,
        data={"messages": [message.pk for message in chosen]},
    )
    return len(chosen)


@transaction.atomic
def group_split(*, membership: Membership, group: MessageGroup, message_ids: Sequence[int]) -> MessageGroup:
    """Move messages of a group into a new group of their own (they ask the same thing as each other)."""
    require(membership, Perm.REPLY)
    if group.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    chosen = _members(group, message_ids)
    new = MessageGroup.objects.create(
        workspace=group.workspace, representative_text=nlp.clean(chosen[0].text)[:1000], status=group.status
    )
    Message.objects.filter(pk__in=[message.pk for message in chosen]).update(group=new)
    _group_refresh(group)
    _group_refresh(new)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.group_split",
        target=group,
        data={"messages": [message.pk for message in chosen], "new_group": new.pk},
    )
    return new


@transaction.atomic
def group_close(*, membership: Membership, group: MessageGroup) -> MessageGroup:
    """Nothing to answer as a group: new messages no longer join it."""
    require(membership, Perm.REPLY)
    if group.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    group.status = GroupStatus.CLOSED
    group.save(update_fields=["status", "updated_at"])
    audit_record(workspace=membership.workspace, actor=membership.user, verb="inbox.group_close", target=group)
    return group


# --- FAQ -------------------------------------------------------------------------------------------


def _similar_answer_clusters(groups: Sequence[MessageGroup]) -> list[list[MessageGroup]]:
    """Answered groups whose answers are near-duplicates of each other (greedy, first answer as the anchor)."""
    clusters: list[tuple[str, list[MessageGroup]]] = []
    for group in groups:
        normalised = nlp.normalise(group.answer_text)
        if not normalised:
            continue
        for anchor, members in clusters:
            if nlp.near_duplicate_score(anchor, normalised) >= FAQ_SIMILAR_ANSWER:
                members.append(group)
                break
        else:
            clusters.append((normalised, [group]))
    return [members for _, members in clusters if len(members) >= FAQ_MIN_GROUPS]


@transaction.atomic
def faq_suggestions_refresh(*, workspace: Workspace, now: datetime | None = None) -> list[FaqSuggestion]:
    """Suggest FAQ entries for questions that keep coming back; a group is suggested at most once.

    1. Recurring: a group of at least FAQ_MIN_MESSAGES messages spread over at least FAQ_MIN_SPAN.
    2. Similar answers: at least FAQ_MIN_GROUPS answered groups whose answers are near-duplicates.
    """
    already = set(
        FaqSuggestion.objects.filter(workspace=workspace).values_list("groups", flat=True).exclude(groups=None)
    )
    fresh: list[FaqSuggestion] = []
    recurring = (
        MessageGroup.objects.filter(workspace=workspace, size__gte=FAQ_MIN_MESSAGES)
        .exclude(pk__in=already)
        .exclude(first_message_at=None)
        .order_by("id")
    )
    for group in recurring:
        first_at, last_at = group.first_message_at, group.last_message_at
        if first_at is None or last_at is None or last_at - first_at < FAQ_MIN_SPAN:
            continue
        suggestion = FaqSuggestion.objects.create(
            workspace=workspace,
            question=group.representative_text,
            answer=group.answer_text,
            reason=FaqReason.RECURRING,
            message_count=group.size,
            first_seen_at=group.first_message_at,
            last_seen_at=group.last_message_at,
        )
        suggestion.groups.add(group)
        already.add(group.pk)
        fresh.append(suggestion)
    answered = list(
        MessageGroup.objects.filter(workspace=workspace, status=GroupStatus.ANSWERED)
        .exclude(pk__in=already)
        .exclude(answer_text="")
        .order_by("answered_at", "id")
    )
    for members in _similar_answer_clusters(answered):
        biggest = max(members, key=lambda group: group.size)
        suggestion = FaqSuggestion.objects.create(
            workspace=workspace,
            question=biggest.representative_text,
            answer=members[-1].answer_text,
            reason=FaqReason.SIMILAR_ANSWERS,
            message_count=sum(group.size for group in members),
            first_seen_at=min((g.first_message_at for g in members if g.first_message_at), default=None),
            last_seen_at=max((g.last_message_at for g in members if g.last_message_at), default=None),
        )
        suggestion.groups.add(*members)
        fresh.append(suggestion)
    return fresh


def faq_refresh_all(now: datetime) -> None:
    """Periodic job: refresh the FAQ suggestions of every workspace with answered or large groups."""
    workspaces = Workspace.objects.filter(
        pk__in=MessageGroup.objects.filter(size__gte=FAQ_MIN_GROUPS).values("workspace_id")
    )
    for workspace in workspaces:
        faq_suggestions_refresh(workspace=workspace, now=now)


@transaction.atomic
def faq_suggestion_accept(*, membership: Membership, suggestion: FaqSuggestion, question: str, answer: str) -> FaqEntry:
    require(membership, Perm.REPLY)
    if suggestion.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise ValueError(_("An FAQ entry needs a question and an answer."))
    if suggestion.status != FaqSuggestionStatus.PENDING:
        raise ValueError(_("This suggestion was already decided."))
    suggestion.status = FaqSuggestionStatus.ACCEPTED
    suggestion.decided_by = membership.user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    entry = FaqEntry.objects.create(
        workspace=membership.workspace,
        question=question,
        answer=answer,
        suggestion=suggestion,
        created_by=membership.user,
    )
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="inbox.faq_accept", target=entry, summary=question
    )
    return entry


@transaction.atomic
def faq_suggestion_dismiss(*, membership: Membership, suggestion: FaqSuggestion) -> FaqSuggestion:
    require(membership, Perm.REPLY)
    if suggestion.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if suggestion.status != FaqSuggestionStatus.PENDING:
        raise ValueError(_("This suggestion was already decided."))
    suggestion.status = FaqSuggestionStatus.DISMISSED
    suggestion.decided_by = membership.user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.faq_dismiss",
        target=suggestion,
        summary=suggestion.question,
    )
    return suggestion
