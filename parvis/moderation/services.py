"""Writes of moderation: the charter, the policy, rules, the ban list, decisions by hand, appeals.

Every write needs Perm.MODERATE and lands in the audit log. Decisions themselves are carried
out by `engine.decision_apply` (shared with the rules that run on arrival).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.models import Label, Message, ModerationState
from parvis.moderation.engine import (
    SOURCE,
    HideOnlyViolation,
    Plan,
    decision_apply,
    settings_for,
)
from parvis.moderation.models import (
    Appeal,
    AppealStatus,
    BanListEntry,
    Charter,
    CharterClause,
    CharterVersion,
    ModerationDecision,
    ModerationRule,
    ModerationSettings,
)
from parvis.moderation.text import PatternError, charter_clauses, charter_render, pattern_check
from parvis.networks.models import Action
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.networks.services import action_create

__all__ = [
    "HideOnlyViolation",
    "ModerationError",
    "appeal_answer",
    "appeal_record",
    "ban_add",
    "ban_remove",
    "charter_draft_save",
    "charter_publish",
    "message_moderate",
    "moderation_settings_update",
    "rule_delete",
    "rule_save",
]

MAX_CHARTER_LENGTH = 100_000


class ModerationError(ValueError):
    """The request cannot be carried out; the message says why, for the user."""


def _own(membership: Membership, workspace_id: int) -> None:
    if workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")


# --- the charter ---------------------------------------------------------------------------------


@transaction.atomic
def charter_draft_save(*, membership: Membership, title: str, body: str, slug: str = "") -> Charter:
    """Save the draft of the workspace's charter (created on first save). Nothing public changes."""
    require(membership, Perm.MODERATE)
    if len(body) > MAX_CHARTER_LENGTH:
        raise ModerationError(_("The charter is too long."))
    title = title.strip()[:200] or _("Community charter")
    charter = Charter.objects.filter(workspace=membership.workspace).first()
    wanted = slugify(slug)[:80] if slug else ""
    if charter is None:
        base = wanted or slugify(membership.workspace.slug)[:70] or "charter"
        candidate, suffix = base, 1
        while Charter.objects.filter(slug=candidate).exists():
            suffix += 1
            candidate = f"{base}-{suffix}"
        charter = Charter(workspace=membership.workspace, slug=candidate)
    elif wanted and wanted != charter.slug:
        if Charter.objects.filter(slug=wanted).exclude(pk=charter.pk).exists():
            raise ModerationError(_("This public address is taken."))
        charter.slug = wanted
    charter.title = title
    charter.draft_body = body
    charter.draft_updated_at = timezone.now()
    charter.save()
    audit_record(workspace=membership.workspace, actor=membership.user, verb="moderation.charter_draft", target=charter)
    return charter


@transaction.atomic
def charter_publish(*, membership: Membership) -> CharterVersion:
    """Publish the draft as the next version, with the clauses read from its numbered headings."""
    require(membership, Perm.MODERATE)
    charter = Charter.objects.select_for_update().filter(workspace=membership.workspace).first()
    if charter is None or not charter.draft_body.strip():
        raise ModerationError(_("Write the charter before publishing it."))
    clauses = charter_clauses(charter.draft_body)
    if not clauses:
        raise ModerationError(
            _("The charter has no numbered clause: start clause headings with their number, e.g. “## 3.2 No insults”.")
        )
    latest = charter.versions.order_by("-number").first()
    if latest is not None and latest.body == charter.draft_body and latest.title == charter.title:
        raise ModerationError(_("The draft is the same as the published version."))
    version = CharterVersion.objects.create(
        charter=charter,
        number=(latest.number + 1) if latest is not None else 1,
        title=charter.title,
        body=charter.draft_body,
        body_html=charter_render(charter.draft_body),
        published_at=timezone.now(),
        published_by=membership.user,
    )
    CharterClause.objects.bulk_create(
        [
            CharterClause(version=version, code=clause.code, title=clause.title, text=clause.text, order=index)
            for index, clause in enumerate(clauses)
        ]
    )
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.charter_publish",
        target=version,
        summary=f"{charter.title} v{version.number}",
        data={"clauses": [clause.code for clause in clauses]},
    )
    return version


# --- policy, rules, ban list ---------------------------------------------------------------------


@transaction.atomic
def moderation_settings_update(
    *,
    membership: Membership,
    hide_only: bool,
    explanation_mode: str,
    explanation_template: str,
    charter_url: str = "",
) -> ModerationSettings:
    require(membership, Perm.MODERATE)
    current = settings_for(membership.workspace)
    current.hide_only = hide_only
    current.explanation_mode = explanation_mode
    current.explanation_template = explanation_template.strip() or current.explanation_template
    current.charter_url = charter_url.strip()
    current.full_clean()
    current.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.settings",
        target=current,
        data={"hide_only": hide_only, "explanation_mode": explanation_mode},
    )
    return current


RULE_FIELDS = (
    "name",
    "order",
    "enabled",
    "dry_run",
    "categories",
    "keywords",
    "patterns",
    "has_links",
    "mentions_only",
    "languages",
    "author_banned",
    "repeat_count",
    "repeat_window_minutes",
    "removal",
    "explain",
    "reply_template",
    "label",
    "assign_to",
    "mute",
    "block",
    "ban",
    "ban_days",
    "escalate",
    "clause",
)


@transaction.atomic
def rule_save(*, membership: Membership, rule: ModerationRule | None = None, **fields: Any) -> ModerationRule:
    """Create or change a rule. Patterns are compiled here: a pattern that could run forever is refused."""
    require(membership, Perm.MODERATE)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    if rule is None:
        rule = ModerationRule(workspace=membership.workspace)
    else:
        _own(membership, rule.workspace_id)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.keywords = [word.strip() for word in rule.keywords if word.strip()][:100]
    rule.patterns = [pattern for pattern in rule.patterns if pattern.strip()]
    for pattern in rule.patterns:
        try:
            pattern_check(pattern)
        except PatternError as error:
            raise ModerationError(
                _("The pattern “%(pattern)s” cannot be used: %(reason)s.") % {"pattern": pattern, "reason": error}
            ) from error
    if rule.removal and rule.clause_id is None:
        raise ModerationError(_("A rule that removes messages must name the charter clause it applies."))
    if rule.clause is not None and rule.clause.version.charter.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if (
        rule.label_id is not None
        and not Label.objects.filter(pk=rule.label_id, workspace=membership.workspace).exists()
    ):
        raise PermissionError("Not your workspace")
    if (
        rule.assign_to_id is not None
        and not Membership.objects.filter(workspace=membership.workspace, user_id=rule.assign_to_id).exists()
    ):
        raise ModerationError(_("Assign only to members of this workspace."))
    created = rule.pk is None
    rule.full_clean(exclude=["workspace"])
    rule.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.rule_create" if created else "moderation.rule_update",
        target=rule,
        summary=rule.name,
        data={"enabled": rule.enabled, "dry_run": rule.dry_run, "removal": rule.removal},
    )
    return rule


@transaction.atomic
def rule_delete(*, membership: Membership, rule: ModerationRule) -> None:
    require(membership, Perm.MODERATE)
    _own(membership, rule.workspace_id)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.rule_delete",
        target=rule,
        summary=rule.name,
    )
    rule.delete()


@transaction.atomic
def ban_add(
    *,
    membership: Membership,
    network: str,
    handle: str,
    reason: str = "",
    clause: CharterClause | None = None,
    until: datetime | None = None,
) -> BanListEntry:
    require(membership, Perm.MODERATE)
    handle = handle.strip()
    if not handle:
        raise ModerationError(_("Give the person's handle."))
    if clause is not None and clause.version.charter.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    from parvis.community.models import Identity

    identity = Identity.objects.filter(workspace=membership.workspace, network=network, handle__iexact=handle).first()
    entry = BanListEntry.objects.create(
        workspace=membership.workspace,
        network=network,
        identity=identity,
        handle=handle,
        reason=reason,
        clause=clause,
        until=until,
        created_by=membership.user,
    )
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="moderation.ban_add", target=entry, summary=handle
    )
    return entry


@transaction.atomic
def ban_remove(*, membership: Membership, entry: BanListEntry) -> None:
    require(membership, Perm.MODERATE)
    _own(membership, entry.workspace_id)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.ban_remove",
        target=entry,
        summary=entry.handle,
    )
    entry.delete()


# --- decisions by hand ---------------------------------------------------------------------------


@transaction.atomic
def message_moderate(
    *,
    membership: Membership,
    message: Message,
    action: str,
    clause: CharterClause | None,
    reason: str = "",
    explain: bool = True,
) -> ModerationDecision:
    """A person's decision on a message: hide, delete, mute, block or ban, under a clause of the charter.

    Removing needs a clause (removal only under the charter). In a "hide only" workspace, asking to
    delete is refused: nothing is ever deleted there.
    """
    require(membership, Perm.MODERATE)
    _own(membership, message.workspace_id)
    if clause is not None and clause.version.charter.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if action not in {"hide", "delete", "mute", "block", "ban"}:
        raise ModerationError(_("Unknown moderation action."))
    if action in {"hide", "delete"} and clause is None:
        raise ModerationError(_("Choose the charter clause this removal applies."))
    if action == "delete" and settings_for(membership.workspace).hide_only:
        raise ModerationError(_("This workspace never deletes messages: hide it instead."))
    if action in {"hide", "delete"} and message.moderation_state != ModerationState.VISIBLE:
        raise ModerationError(_("This message is already hidden."))
    plan = Plan(
        removal=action if action in {"hide", "delete"} else "",
        clause=clause,
        reason=reason.strip(),
        explain=explain,
        mute=action == "mute",
        block=action == "block",
        ban=action == "ban",
    )
    return decision_apply(message=message, plan=plan, user=membership.user)


# --- appeals -------------------------------------------------------------------------------------


@transaction.atomic
def appeal_record(
    *,
    membership: Membership,
    decision: ModerationDecision,
    channel: str,
    text: str,
    received_at: datetime | None = None,
) -> Appeal:
    """Write down that someone contests a decision (received by reply, private message, e-mail...)."""
    require(membership, Perm.MODERATE)
    _own(membership, decision.workspace_id)
    if not text.strip():
        raise ModerationError(_("Write what the person says."))
    appeal = Appeal.objects.create(
        decision=decision,
        received_at=received_at or timezone.now(),
        channel=channel,
        text=text.strip(),
        recorded_by=membership.user,
    )
    appeal.full_clean()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.appeal_record",
        target=appeal,
        data={"decision": decision.pk, "channel": channel},
    )
    return appeal


@transaction.atomic
def appeal_answer(*, membership: Membership, appeal: Appeal, status: str, answer: str) -> Appeal:
    """Uphold or overturn. Overturned: the decision is reverted — UNHIDE (and UNMUTE/UNBLOCK) where the
    network can, the message visible again in Parvis; a deletion cannot be undone, and says so."""
    require(membership, Perm.MODERATE)
    decision = appeal.decision
    _own(membership, decision.workspace_id)
    if appeal.status != AppealStatus.OPEN:
        raise ModerationError(_("This appeal was already answered."))
    if status not in {AppealStatus.UPHELD, AppealStatus.OVERTURNED}:
        raise ModerationError(_("Uphold or overturn the decision."))
    appeal.status = status
    appeal.answer = answer.strip()
    appeal.answered_by = membership.user
    appeal.answered_at = timezone.now()
    appeal.save()
    undone: list[str] = []
    if status == AppealStatus.OVERTURNED and not decision.reverted:
        undone = _decision_revert(membership, decision)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="moderation.appeal_answer",
        target=appeal,
        summary=appeal.answer,
        data={"decision": decision.pk, "status": status, "undone": undone},
    )
    return appeal


UNDO = {ActionKind.HIDE: ActionKind.UNHIDE, ActionKind.MUTE: ActionKind.UNMUTE, ActionKind.BLOCK: ActionKind.UNBLOCK}


def _decision_revert(membership: Membership, decision: ModerationDecision) -> list[str]:
    message = decision.message
    try:
        capabilities = get_connector(message.account.network).capabilities.actions
    except (UnknownNetwork, ImportError):
        capabilities = frozenset()
    undone: list[str] = []
    notes: list[str] = []
    previous: list[Action] = list(decision.actions.all())
    for action in previous:
        kind = ActionKind(action.kind)
        if kind == ActionKind.DELETE:
            notes.append(_("A deleted message cannot be restored."))
            continue
        opposite = UNDO.get(kind)
        if opposite is None:
            continue
        if opposite not in capabilities:
            notes.append(_("The network cannot undo “%(kind)s” from Parvis.") % {"kind": kind.value})
            continue
        payload = {key: action.payload[key] for key in ("target_id", "target_handle") if key in action.payload}
        created = action_create(
            workspace=decision.workspace,
            account=message.account,
            kind=opposite,
            payload=payload,
            source=SOURCE,
            summary=f"{opposite.value} after an appeal",
            created_by=membership.user,
        )
        decision.actions.add(created)
        undone.append(opposite.value)
    # A deleted message stays deleted (state "deleted"); a hidden one is visible again.
    Message.objects.filter(pk=message.pk, moderation_state=ModerationState.HIDDEN).update(
        moderation_state=ModerationState.VISIBLE
    )
    if decision.action == "ban" and message.author_id is not None:
        BanListEntry.objects.filter(
            workspace=decision.workspace, identity_id=message.author_id, created_at__gte=decision.at
        ).delete()
    decision.reverted = True
    decision.reverted_at = timezone.now()
    decision.note = "\n".join([decision.note, *notes]).strip()
    decision.save(update_fields=["reverted", "reverted_at", "note"])
    return undone
