"""Writes for working the inbox: notes, labels, saved replies, saved views, assignment rules, bulk actions.

Every service takes the acting membership, checks the permission (answering and sorting the
inbox is Perm.REPLY) and refuses rows of another workspace with PermissionError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.models import (
    AssignmentRule,
    Conversation,
    ConversationStatus,
    Label,
    Message,
    Note,
    SavedReply,
    SavedView,
)
from parvis.inbox.services import assignable_member
from parvis.inbox.sla import sla_record_status
from parvis.networks.models import ConnectedAccount
from parvis.networks.registry import display_name as network_display_name

MAX_NOTE_LENGTH = 5_000
MAX_BULK = 500
VARIABLES = ("name", "first_name", "handle", "account", "network", "agent")
_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class WorkError(ValueError):
    """The change cannot be made; the message says why, for the user."""


def _same_workspace(membership: Membership, *rows: Any) -> None:
    for row in rows:
        if row is not None and row.workspace_id != membership.workspace_id:
            raise PermissionError("Not your workspace")


# Notes ---------------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, membership: Membership, conversation: Conversation, text: str) -> Note:
    """An internal note for the team; it never leaves Parvis (no Action, no Message)."""
    require(membership, Perm.REPLY)
    _same_workspace(membership, conversation)
    text = text.strip()
    if not text:
        raise WorkError(_("The note is empty."))
    if len(text) > MAX_NOTE_LENGTH:
        raise WorkError(_("The note is too long (maximum %(limit)s characters).") % {"limit": MAX_NOTE_LENGTH})
    return Note.objects.create(
        workspace_id=membership.workspace_id, conversation=conversation, author=membership.user, text=text
    )


@transaction.atomic
def note_delete(*, membership: Membership, note: Note) -> None:
    """Its author removes a note."""
    require(membership, Perm.REPLY)
    _same_workspace(membership, note)
    if note.author_id != membership.user_id:
        raise PermissionError("Only its author can remove a note")
    note.delete()


# Labels --------------------------------------------------------------------------------------------


@transaction.atomic
def label_create(*, membership: Membership, name: str, color: str = "#6b7280") -> Label:
    """A label of the workspace; the same name (case-insensitive) gives back the existing one."""
    require(membership, Perm.REPLY)
    name = " ".join(name.split())[:60]
    if not name:
        raise WorkError(_("The label needs a name."))
    existing = Label.objects.filter(workspace_id=membership.workspace_id, name__iexact=name).first()
    if existing is not None:
        return existing
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        color = "#6b7280"
    return Label.objects.create(workspace_id=membership.workspace_id, name=name, color=color)


@transaction.atomic
def conversation_label_add(*, membership: Membership, conversation: Conversation, label: Label) -> None:
    require(membership, Perm.REPLY)
    _same_workspace(membership, conversation, label)
    conversation.labels.add(label)


@transaction.atomic
def conversation_label_remove(*, membership: Membership, conversation: Conversation, label: Label) -> None:
    require(membership, Perm.REPLY)
    _same_workspace(membership, conversation, label)
    conversation.labels.remove(label)


# Saved replies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedReply:
    """A saved reply filled for one message. Unknown variables stay visible in `text` and are listed."""

    text: str
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # known variables without a value for this message


def reply_variables(*, message: Message | None, agent: User | None) -> dict[str, str]:
    """The values of the saved-reply variables for `message`, answered by `agent`."""
    author = message.author if message is not None else None
    display = (author.display_name if author else "") or ""
    handle = author.handle if author else ""
    account = message.account if message is not None else None
    agent_name = ""
    if agent is not None:
        agent_name = agent.first_name or agent.get_full_name() or agent.get_username()
    return {
        "name": display or handle,
        "first_name": display.split()[0] if display.split() else "",
        "handle": handle,
        "account": account.handle if account else "",
        "network": network_display_name(account.network) if account else "",
        "agent": agent_name,
    }


def saved_reply_render(*, body: str, values: Mapping[str, str]) -> RenderedReply:
    """Fill `{variable}`s of `body` from `values`. An unknown or empty variable is left as typed, and flagged."""
    unknown: list[str] = []
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        value = values.get(name, "")
        if not value:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return value

    return RenderedReply(text=_VARIABLE.sub(fill, body), unknown=unknown, missing=missing)


def _clean_saved_reply(title: str, body: str, shortcut: str, language: str) -> tuple[str, str, str, str]:
    title, body = title.strip()[:120], body.strip()
    if not title or not body:
        raise WorkError(_("A saved reply needs a title and a text."))
    shortcut = re.sub(r"[^a-z0-9_-]", "", shortcut.strip().lower())[:40]
    return title, body, shortcut, language.strip().lower()[:8]


@transaction.atomic
def saved_reply_create(
    *, membership: Membership, title: str, body: str, shortcut: str = "", language: str = ""
) -> SavedReply:
    require(membership, Perm.REPLY)
    title, body, shortcut, language = _clean_saved_reply(title, body, shortcut, language)
    if shortcut and SavedReply.objects.filter(workspace_id=membership.workspace_id, shortcut=shortcut).exists():
        raise WorkError(_("Another saved reply already uses the shortcut %(shortcut)s.") % {"shortcut": shortcut})
    reply = SavedReply.objects.create(
        workspace_id=membership.workspace_id,
        title=title,
        body=body,
        shortcut=shortcut,
        language=language,
        created_by=membership.user,
    )
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.saved_reply.create",
        target=reply,
        summary=title,
    )
    return reply


@transaction.atomic
def saved_reply_update(
    *, membership: Membership, reply: SavedReply, title: str, body: str, shortcut: str = "", language: str = ""
) -> SavedReply:
    require(membership, Perm.REPLY)
    _same_workspace(membership, reply)
    title, body, shortcut, language = _clean_saved_reply(title, body, shortcut, language)
    clash = SavedReply.objects.filter(workspace_id=membership.workspace_id, shortcut=shortcut).exclude(pk=reply.pk)
    if shortcut and clash.exists():
        raise WorkError(_("Another saved reply already uses the shortcut %(shortcut)s.") % {"shortcut": shortcut})
    reply.title, reply.body, reply.shortcut, reply.language = title, body, shortcut, language
    reply.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.saved_reply.update",
        target=reply,
        summary=title,
    )
    return reply


@transaction.atomic
def saved_reply_delete(*, membership: Membership, reply: SavedReply) -> None:
    require(membership, Perm.REPLY)
    _same_workspace(membership, reply)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.saved_reply.delete",
        target=reply,
        summary=reply.title,
    )
    reply.delete()


# Saved views ---------------------------------------------------------------------------------------


@transaction.atomic
def saved_view_create(*, membership: Membership, name: str, query: str, shared: bool = False) -> SavedView:
    """Save the inbox filters (a query string) under a name, for oneself or for the whole team."""
    require(membership, Perm.VIEW_INBOX)
    if shared:
        require(membership, Perm.REPLY)
    name = " ".join(name.split())[:80]
    if not name:
        raise WorkError(_("The view needs a name."))
    query = query.lstrip("?")[:1000]
    last = SavedView.objects.filter(workspace_id=membership.workspace_id).order_by("-position").first()
    return SavedView.objects.create(
        workspace_id=membership.workspace_id,
        owner=None if shared else membership.user,
        name=name,
        query=query,
        position=(last.position + 1) if last else 0,
    )


@transaction.atomic
def saved_view_delete(*, membership: Membership, view: SavedView) -> None:
    """One's own view, or a shared one (for those who sort the inbox)."""
    _same_workspace(membership, view)
    if view.owner_id is None:
        require(membership, Perm.REPLY)
    elif view.owner_id != membership.user_id:
        raise PermissionError("Not your view")
    view.delete()


@transaction.atomic
def saved_view_move(*, membership: Membership, view: SavedView, position: int) -> SavedView:
    _same_workspace(membership, view)
    if view.owner_id is None:
        require(membership, Perm.REPLY)
    elif view.owner_id != membership.user_id:
        raise PermissionError("Not your view")
    view.position = max(0, position)
    view.save(update_fields=["position"])
    return view


# Assignment rules ----------------------------------------------------------------------------------

RULE_CONDITIONS = ("account", "network", "kind", "category", "language", "keyword")


@transaction.atomic
def assignment_rule_create(
    *,
    membership: Membership,
    name: str,
    conditions: Mapping[str, Any],
    assignee_id: int | None = None,
    round_robin_ids: Sequence[int] = (),
    position: int | None = None,
    enabled: bool = True,
) -> AssignmentRule:
    """A rule: when every given condition matches a new conversation, give it to `assignee_id`, or
    to each of `round_robin_ids` in turn."""
    require(membership, Perm.REPLY)
    rule = AssignmentRule(workspace_id=membership.workspace_id)
    _fill_rule(membership, rule, name, conditions, assignee_id, round_robin_ids, enabled)
    if position is None:
        last = AssignmentRule.objects.filter(workspace_id=membership.workspace_id).order_by("-position").first()
        position = (last.position + 1) if last else 0
    rule.position = position
    rule.save()
    rule.members.set(round_robin_ids)
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="inbox.rule.create", target=rule, summary=rule.name
    )
    return rule


@transaction.atomic
def assignment_rule_update(
    *,
    membership: Membership,
    rule: AssignmentRule,
    name: str,
    conditions: Mapping[str, Any],
    assignee_id: int | None = None,
    round_robin_ids: Sequence[int] = (),
    enabled: bool = True,
) -> AssignmentRule:
    require(membership, Perm.REPLY)
    _same_workspace(membership, rule)
    _fill_rule(membership, rule, name, conditions, assignee_id, round_robin_ids, enabled)
    rule.save()
    rule.members.set(round_robin_ids)
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="inbox.rule.update", target=rule, summary=rule.name
    )
    return rule


@transaction.atomic
def assignment_rule_delete(*, membership: Membership, rule: AssignmentRule) -> None:
    require(membership, Perm.REPLY)
    _same_workspace(membership, rule)
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="inbox.rule.delete", target=rule, summary=rule.name
    )
    rule.delete()


def _fill_rule(
    membership: Membership,
    rule: AssignmentRule,
    name: str,
    conditions: Mapping[str, Any],
    assignee_id: int | None,
    round_robin_ids: Sequence[int],
    enabled: bool,
) -> None:
    unknown = set(conditions) - set(RULE_CONDITIONS)
    if unknown:
        raise WorkError(_("Unknown condition: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    rule.name = " ".join(name.split())[:120]
    if not rule.name:
        raise WorkError(_("The rule needs a name."))
    account = conditions.get("account")
    if account is not None:
        _same_workspace(membership, account)
    rule.account = account
    for key in ("network", "kind", "category", "language", "keyword"):
        setattr(rule, key, str(conditions.get(key) or "").strip())
    rule.language = rule.language.lower()
    if round_robin_ids:
        for user_id in round_robin_ids:
            assignable_member(membership, user_id)
        rule.round_robin, rule.assignee = True, None
    elif assignee_id is not None:
        rule.round_robin, rule.assignee = False, assignable_member(membership, assignee_id)
    else:
        raise WorkError(_("Choose who gets the conversations: one member, or several in turn."))
    rule.enabled = enabled


def rule_matches(rule: AssignmentRule, message: Message, *, network: str) -> bool:
    """Whether every condition of `rule` holds for `message`, received on `network` (empty conditions match)."""
    checks = (
        not rule.account_id or message.account_id == rule.account_id,
        not rule.network or network == rule.network,
        not rule.kind or message.kind == rule.kind,
        not rule.category or message.category == rule.category,
        not rule.language or (message.language or "").lower().startswith(rule.language),
        not rule.keyword or rule.keyword.lower() in (message.text or "").lower(),
    )
    return all(checks)


def rule_next_assignee(rule: AssignmentRule) -> int | None:
    """The user id the rule gives the next conversation to; a round-robin rule moves its turn on."""
    if not rule.round_robin:
        return rule.assignee_id
    members = sorted(user.pk for user in rule.members.all())
    if not members:
        return None
    following = [pk for pk in members if pk > rule.round_robin_last]
    chosen = following[0] if following else members[0]
    rule.round_robin_last = chosen
    rule.save(update_fields=["round_robin_last"])
    return chosen


def conversations_assign_by_rules(*, account: ConnectedAccount, messages: Iterable[Message]) -> dict[int, int]:
    """Apply the enabled rules to the new, unassigned conversations of `messages`, received on `account`.

    Returns {conversation id: user id}. Bounded work per batch: one query for the rules, one for
    the conversations, one update per assignee.
    """
    rules = list(
        AssignmentRule.objects.filter(workspace_id=account.workspace_id, enabled=True)
        .prefetch_related("members")
        .order_by("position", "id")
    )
    if not rules:
        return {}
    by_conversation: dict[int, list[Message]] = {}
    for message in messages:
        if message.direction == "in":
            by_conversation.setdefault(message.conversation_id, []).append(message)
    candidates = set(
        Conversation.objects.filter(
            pk__in=list(by_conversation), assignee__isnull=True, status=ConversationStatus.NEW
        ).values_list("pk", flat=True)
    )
    chosen: dict[int, int] = {}
    for conversation_id in sorted(candidates):
        for rule in rules:
            if any(
                rule_matches(rule, message, network=account.network) for message in by_conversation[conversation_id]
            ):
                user_id = rule_next_assignee(rule)
                if user_id is not None:
                    chosen[conversation_id] = user_id
                break
    by_user: dict[int, list[int]] = {}
    for conversation_id, user_id in chosen.items():
        by_user.setdefault(user_id, []).append(conversation_id)
    now = timezone.now()
    for user_id, ids in by_user.items():
        Conversation.objects.filter(pk__in=ids).update(assignee_id=user_id, status=ConversationStatus.ASSIGNED)
        for conversation in Conversation.objects.filter(pk__in=ids):
            sla_record_status(conversation=conversation, status=ConversationStatus.ASSIGNED, at=now)
    return chosen


# Bulk actions --------------------------------------------------------------------------------------

BULK_ACTIONS = ("status", "done", "assign", "label", "unlabel")


@transaction.atomic
def conversations_bulk(
    *,
    membership: Membership,
    conversation_ids: Sequence[int],
    action: str,
    status: str | None = None,
    assignee_id: int | None = None,
    label: Label | None = None,
) -> int:
    """One change to many conversations, all or nothing; returns how many conversations it touched.

    Any id outside the caller's workspace refuses the whole batch (PermissionError).
    """
    require(membership, Perm.REPLY)
    if action not in BULK_ACTIONS:
        raise WorkError(_("Unknown bulk action."))
    ids = sorted(set(conversation_ids))
    if not ids:
        raise WorkError(_("Select at least one conversation."))
    if len(ids) > MAX_BULK:
        raise WorkError(_("Select at most %(limit)s conversations at once.") % {"limit": MAX_BULK})
    conversations = list(Conversation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(conversations) != len(ids) or any(c.workspace_id != membership.workspace_id for c in conversations):
        raise PermissionError("Not your workspace")
    now = timezone.now()
    summary = action
    if action in {"status", "done"}:
        target = ConversationStatus(ConversationStatus.DONE if action == "done" else (status or ""))
        for conversation in conversations:
            if conversation.status == target:
                continue
            conversation.status = target
            if target == ConversationStatus.ASSIGNED and conversation.assignee_id is None:
                conversation.assignee = membership.user
            conversation.save(update_fields=["status", "assignee"])
            sla_record_status(conversation=conversation, status=target, at=now)
        summary = f"status → {target}"
    elif action == "assign":
        assignee = assignable_member(membership, assignee_id) if assignee_id is not None else None
        for conversation in conversations:
            previous = conversation.status
            conversation.assignee = assignee
            if assignee is not None and previous == ConversationStatus.NEW:
                conversation.status = ConversationStatus.ASSIGNED
            elif assignee is None and previous == ConversationStatus.ASSIGNED:
                conversation.status = ConversationStatus.NEW
            conversation.save(update_fields=["status", "assignee"])
            if conversation.status != previous:
                sla_record_status(conversation=conversation, status=conversation.status, at=now)
        summary = f"assign → {assignee.get_username() if assignee else '-'}"
    else:
        if label is None:
            raise WorkError(_("Choose a label."))
        _same_workspace(membership, label)
        through = Conversation.labels.through
        if action == "label":
            through.objects.bulk_create(
                [through(conversation_id=c.pk, label_id=label.pk) for c in conversations], ignore_conflicts=True
            )
        else:
            through.objects.filter(conversation_id__in=ids, label_id=label.pk).delete()
        summary = f"{action} {label.name}"
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb=f"inbox.bulk.{action}",
        target="Conversation",
        summary=summary,
        data={"conversations": ids},
    )
    return len(conversations)
