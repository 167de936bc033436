"""Carrying a moderation decision out: the decision row, the network Actions, the explanation.

Shared by a person's decision (services.message_moderate) and a rule's (rules.py). What is
recorded is what was actually done: a network that cannot hide a reply (Mastodon) gets the
documented fallback — a report to its moderators citing the clause and a mute of the author —
and the message is hidden in Parvis only, recorded as such (outcome "parvis_only").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parvis.core.permissions import Perm
from parvis.core.services import audit_record, notification_send
from parvis.inbox.models import Conversation, ConversationStatus, Direction, Message, MessageKind, ModerationState
from parvis.moderation.models import (
    BanListEntry,
    Charter,
    CharterClause,
    DecisionAction,
    DecisionOutcome,
    ExplanationMode,
    ModerationDecision,
    ModerationRule,
    ModerationSettings,
)
from parvis.moderation.text import clause_anchor, template_fill
from parvis.networks.models import Action
from parvis.networks.protocol import ActionKind, Capabilities
from parvis.networks.registry import UnknownNetwork, get_connector

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from parvis.core.models import Workspace

SOURCE = "moderation"
SHORT_EXPLANATION = "{author} {clause_code} · {clause_url}"


class HideOnlyViolation(RuntimeError):
    """A DELETE was about to be written in a "never delete, hide only" workspace: a bug, never allowed."""


def default_explanation(language: str) -> str:
    """The explanation template a workspace starts with, in its own language."""
    with translation.override(language):
        return _(
            "{author} your message was hidden under clause {clause_code} ({clause_title}) of our community "
            "charter: {clause_url}"
        )


def fallback_explanation(language: str) -> str:
    """The explanation when the network could not hide the message (it stays visible there): never claim a hide."""
    with translation.override(language):
        return _(
            "{author} your message breaks clause {clause_code} ({clause_title}) of our community charter: "
            "{clause_url} We have reported it to the moderators of this network."
        )


def explanation_template(policy: ModerationSettings, workspace: Workspace, outcome: str) -> str:
    """The workspace's explanation; when the network kept the message visible and the workspace kept the
    default wording ("your message was hidden"), the wording that says what really happened."""
    defaults = {default_explanation(workspace.language).strip(), default_explanation("en").strip()}
    if outcome == DecisionOutcome.NETWORK or policy.explanation_template.strip() not in defaults:
        return policy.explanation_template
    return fallback_explanation(workspace.language)


def settings_for(workspace: Workspace) -> ModerationSettings:
    """The workspace's policy; the defaults (hide only, explained by a reply) until someone saves one."""
    found = ModerationSettings.objects.filter(workspace=workspace).first()
    if found is not None:
        return found
    return ModerationSettings(workspace=workspace, explanation_template=default_explanation(workspace.language))


def charter_url(workspace: Workspace, clause: CharterClause | None = None) -> str:
    """The absolute address of the public charter (and of the clause's anchor).

    The workspace's own address when its settings give one, else Parvis's public page:
    PARVIS_BASE_URL + /charter/<slug>/ (PARVIS_BASE_URL is the public base URL of this
    installation, also used for OAuth callbacks). Empty when there is no charter at all.
    """
    configured = settings_for(workspace).charter_url
    if configured:
        base = configured
    else:
        charter = Charter.objects.filter(workspace=workspace).only("slug").first()
        if charter is None:
            return ""
        try:
            path = reverse("web:moderation_charter", kwargs={"slug": charter.slug})
        except NoReverseMatch:
            path = f"/charter/{charter.slug}/"
        base = settings.PARVIS_BASE_URL.rstrip("/") + path
    return f"{base}#{clause_anchor(clause.code)}" if clause is not None else base


def clause_in_force(clause: CharterClause | None) -> CharterClause | None:
    """The same clause (same code) in the latest published version; the given one if it was dropped."""
    if clause is None:
        return None
    latest = (
        CharterClause.objects.filter(version__charter_id=clause.version.charter_id, code=clause.code)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return latest or clause


def ban_active(workspace: Workspace, network: str, handle: str, identity_id: int | None) -> bool:
    now = timezone.now()
    match = Q(handle__iexact=handle) if handle else Q(pk__in=[])
    if identity_id is not None:
        match |= Q(identity_id=identity_id)
    return (
        BanListEntry.objects.filter(workspace=workspace, network=network)
        .filter(match)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .exists()
    )


@dataclass
class Plan:
    """What to do with one message: filled by a person's form or a rule."""

    removal: str = ""  # "", "hide" or "delete"
    clause: CharterClause | None = None
    reason: str = ""
    explain: bool = False
    reply_template: str = ""
    label_id: int | None = None
    assign_to_id: int | None = None
    mute: bool = False
    block: bool = False
    ban: bool = False
    ban_days: int = 0
    escalate: bool = False


@dataclass
class _Done:
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    explanation: Action | None = None


def _capabilities(network: str) -> Capabilities:
    try:
        return get_connector(network).capabilities
    except (UnknownNetwork, ImportError):
        return Capabilities()


def _network_action(
    *,
    message: Message,
    kind: ActionKind,
    payload: dict[str, Any],
    summary: str,
    user: User | None,
    hide_only: bool,
) -> Action:
    # The one place moderation writes an Action: "hide only" is enforced here, whatever asked for it.
    from parvis.networks.services import action_create

    if kind == ActionKind.DELETE and hide_only:
        raise HideOnlyViolation("this workspace never deletes")
    return action_create(
        workspace=message.workspace,
        account=message.account,
        kind=kind,
        payload=payload,
        source=SOURCE,
        summary=summary,
        created_by=user,
    )


def _person_payload(message: Message) -> dict[str, Any] | None:
    author = message.author
    if author is None:
        return None
    return {"target_id": author.external_id, "target_handle": author.handle}


def decision_apply(
    *,
    message: Message,
    plan: Plan,
    user: User | None = None,
    rule: ModerationRule | None = None,
    dry_run: bool = False,
) -> ModerationDecision:
    """Decide on `message` under `plan`: write the decision, the Actions, the explanation, the audit entry.

    1. "Hide only": a delete becomes a hide.
    2. Removal: HIDE when the network can hide it, DELETE when it can remove others' messages (and
       the workspace deletes); otherwise the fallback — REPORT to the network's moderators citing the
       clause and MUTE the author where possible, the message hidden in Parvis only.
    3. Side actions: mute, block, ban list, label, assignment, reply, escalation.
    4. The explanation (reply or private message citing the clause and the charter's address).
    A dry run writes only the decision (outcome "dry_run") saying what would have been done.
    """
    workspace = message.workspace
    policy = settings_for(workspace)
    clause = clause_in_force(plan.clause)
    capabilities = _capabilities(message.account.network)
    actions = capabilities.actions
    requested = plan.removal
    removal = "hide" if requested == "delete" and policy.hide_only else requested
    done = _Done()
    outcome: str = DecisionOutcome.NONE
    clause_label = f"{clause.code} {clause.title}" if clause is not None else ""
    author_handle = message.author.handle if message.author else ""
    if requested == "delete" and removal == "hide":
        done.notes.append(_("Delete turned into hide: this workspace never deletes."))

    if dry_run:
        outcome = DecisionOutcome.DRY_RUN
        done.notes.append(_("Dry run: nothing was done on the network or in Parvis."))
    elif removal:
        outcome = _remove(message, removal, clause_label, plan, policy.hide_only, actions, capabilities, user, done)

    if not dry_run:
        person = _person_payload(message)
        # Asked for the author, if the network can (a mute already written by the fallback is not repeated).
        wanted = (
            (plan.mute, ActionKind.MUTE, "mute", _("The network cannot mute from Parvis: not muted.")),
            (plan.block, ActionKind.BLOCK, "block", _("The network cannot block from Parvis: not blocked.")),
        )
        for asked, kind, verb, refusal in wanted:
            if not asked or not person or any(item.kind == kind for item in done.actions):
                continue
            if kind not in actions:
                done.notes.append(refusal)
                continue
            done.actions.append(
                _network_action(
                    message=message,
                    kind=kind,
                    payload=person,
                    summary=f"{verb} {author_handle}",
                    user=user,
                    hide_only=policy.hide_only,
                )
            )
        if plan.ban and message.author is not None:
            until = timezone.now() + timedelta(days=plan.ban_days) if plan.ban_days else None
            BanListEntry.objects.create(
                workspace=workspace,
                network=message.account.network,
                identity=message.author,
                handle=message.author.handle,
                reason=plan.reason,
                clause=clause,
                until=until,
                created_by=user if user is not None and user.is_authenticated else None,
            )
        if plan.label_id is not None:
            message.conversation.labels.add(plan.label_id)
        if plan.assign_to_id is not None:
            Conversation.objects.filter(pk=message.conversation_id).update(
                assignee_id=plan.assign_to_id, status=ConversationStatus.ASSIGNED
            )
        if plan.reply_template.strip() and message.external_id and message.kind != MessageKind.FOLLOW:
            text = template_fill(plan.reply_template, _variables(message, clause))
            done.explanation = _send_text(
                message, text, clause=clause, via_direct=False, user=user, done=done, hide_only=policy.hide_only
            )
        elif plan.explain and removal and clause is not None and policy.explanation_mode != ExplanationMode.NONE:
            template = explanation_template(policy, workspace, outcome)
            text = template_fill(template, _variables(message, clause))
            done.explanation = _send_text(
                message,
                text,
                clause=clause,
                via_direct=policy.explanation_mode == ExplanationMode.DIRECT,
                user=user,
                done=done,
                hide_only=policy.hide_only,
            )

    action = _main_action(plan, removal)
    decision = ModerationDecision.objects.create(
        workspace=workspace,
        message=message,
        action=action,
        requested=requested or action,
        outcome=outcome,
        clause=clause,
        decided_by=user if user is not None and user.is_authenticated else None,
        rule=rule,
        rule_name=rule.name if rule is not None else "",
        reason=plan.reason,
        note="\n".join(done.notes),
        at=timezone.now(),
        dry_run=dry_run,
        explanation=done.explanation,
    )
    if done.actions:
        decision.actions.add(*done.actions)
    if plan.escalate and not dry_run:
        _escalate(decision)
    audit_record(
        workspace=workspace,
        actor=user,
        verb="moderation.dry_run" if dry_run else "moderation.decide",
        target=decision,
        summary=f"{action} {clause_label}".strip(),
        data={
            "message": message.pk,
            "rule": rule.pk if rule is not None else None,
            "clause": clause.code if clause is not None else "",
            "outcome": outcome,
            "actions": [a.kind for a in done.actions],
        },
    )
    return decision


def _main_action(plan: Plan, removal: str) -> str:
    if removal:
        return removal
    for flag, action in (
        (plan.ban, DecisionAction.BAN),
        (plan.block, DecisionAction.BLOCK),
        (plan.mute, DecisionAction.MUTE),
        (bool(plan.reply_template.strip()), DecisionAction.REPLY),
        (plan.label_id is not None, DecisionAction.LABEL),
        (plan.assign_to_id is not None, DecisionAction.ASSIGN),
        (plan.escalate, DecisionAction.ESCALATE),
    ):
        if flag:
            return action.value
    return DecisionAction.ESCALATE.value


def _remove(
    message: Message,
    removal: str,
    clause_label: str,
    plan: Plan,
    hide_only: bool,
    actions: frozenset[ActionKind],
    capabilities: Capabilities,
    user: User | None,
    done: _Done,
) -> str:
    """Remove the message as far as the network allows; returns the outcome actually reached."""
    target = {"target_id": message.external_id}
    on_network = bool(message.external_id) and message.kind != MessageKind.DIRECT_MESSAGE
    if removal == "delete" and on_network and ActionKind.DELETE in actions and capabilities.delete_others:
        done.actions.append(
            _network_action(
                message=message,
                kind=ActionKind.DELETE,
                payload=target,
                summary=f"delete {message.external_id}",
                user=user,
                hide_only=hide_only,
            )
        )
        Message.objects.filter(pk=message.pk).update(moderation_state=ModerationState.DELETED)
        return DecisionOutcome.NETWORK
    if removal == "delete":
        done.notes.append(_("The network cannot delete this message from Parvis: hidden instead."))
    if on_network and ActionKind.HIDE in actions:
        done.actions.append(
            _network_action(
                message=message,
                kind=ActionKind.HIDE,
                payload=target,
                summary=f"hide {message.external_id}",
                user=user,
                hide_only=hide_only,
            )
        )
        Message.objects.filter(pk=message.pk).update(moderation_state=ModerationState.HIDDEN)
        return DecisionOutcome.NETWORK
    # The fallback: the message stays on the network. Tell its moderators, stop seeing the author.
    if on_network and ActionKind.REPORT in actions:
        reason = _("Breaks clause %(clause)s of our community charter.") % {"clause": clause_label}
        if plan.reason:
            reason = f"{reason} {plan.reason}"
        url = charter_url(message.workspace)
        if url:
            reason = f"{reason} {url}"
        payload = {**target, "text": reason[:1000]}
        if message.author is not None:
            payload["target_handle"] = message.author.handle
            payload["author_id"] = message.author.external_id
        done.actions.append(
            _network_action(
                message=message,
                kind=ActionKind.REPORT,
                payload=payload,
                summary=f"report {message.external_id}",
                user=user,
                hide_only=hide_only,
            )
        )
        done.notes.append(_("The network cannot hide it: reported to its moderators."))
    person = _person_payload(message)
    if person and ActionKind.MUTE in actions:
        done.actions.append(
            _network_action(
                message=message,
                kind=ActionKind.MUTE,
                payload=person,
                summary=f"mute {person['target_handle']}",
                user=user,
                hide_only=hide_only,
            )
        )
        done.notes.append(_("The author is muted for this account."))
    done.notes.append(_("Hidden in Parvis only: the message is still visible on the network."))
    Message.objects.filter(pk=message.pk).update(moderation_state=ModerationState.HIDDEN)
    return DecisionOutcome.PARVIS_ONLY


def _variables(message: Message, clause: CharterClause | None) -> dict[str, str]:
    author = message.author.handle if message.author else ""
    if author and not author.startswith("@"):
        author = "@" + author
    return {
        "author": author,
        "clause_code": clause.code if clause is not None else "",
        "clause_title": clause.title if clause is not None else "",
        "charter_url": charter_url(message.workspace),
        "clause_url": charter_url(message.workspace, clause),
        "workspace": message.workspace.name,
    }


def _send_text(
    message: Message,
    text: str,
    *,
    clause: CharterClause | None,
    via_direct: bool,
    user: User | None,
    done: _Done,
    hide_only: bool,
) -> Action | None:
    """Post `text` as a reply to the message (or a private message to its author) and keep it in the thread."""
    try:
        connector = get_connector(message.account.network)
    except (UnknownNetwork, ImportError):
        done.notes.append(_("The network cannot reply from Parvis: no explanation sent."))
        return None
    actions = connector.capabilities.actions
    limit = connector.capabilities.max_characters
    if limit and connector.count_characters(text) > limit:
        text = template_fill(SHORT_EXPLANATION, _variables(message, clause))
        if connector.count_characters(text) > limit:
            done.notes.append(_("The explanation is too long for the network: not sent."))
            return None
    author = message.author
    if via_direct and author is not None and ActionKind.SEND_DIRECT in actions:
        kind, payload = (
            ActionKind.SEND_DIRECT,
            {"text": text, "target_id": author.external_id, "target_handle": author.handle},
        )
    elif ActionKind.REPLY in actions and message.external_id:
        if via_direct:
            done.notes.append(_("The network cannot send a private message from Parvis: explained by a reply."))
        kind = ActionKind.REPLY
        payload = {
            "text": text,
            "in_reply_to_id": message.external_id,
            "in_reply_to_author": author.handle if author else "",
            "visibility": message.visibility,
        }
    else:
        done.notes.append(_("The network cannot reply from Parvis: no explanation sent."))
        return None
    action = _network_action(
        message=message, kind=kind, payload=payload, summary=text[:300], user=user, hide_only=hide_only
    )
    Message.objects.create(
        workspace=message.workspace,
        conversation=message.conversation,
        account=message.account,
        direction=Direction.OUT,
        kind=MessageKind.DIRECT_MESSAGE if kind == ActionKind.SEND_DIRECT else MessageKind.REPLY,
        in_reply_to_id=message.external_id,
        text=text,
        visibility=message.visibility,
        occurred_at=timezone.now(),
        sent_by=user if user is not None and user.is_authenticated else None,
        action=action,
    )
    done.actions.append(action)
    return action


def _escalate(decision: ModerationDecision) -> None:
    try:
        url = reverse("web:moderation_decisions")
    except NoReverseMatch:
        url = ""
    clause = decision.clause
    notification_send(
        workspace=decision.workspace,
        kind="moderation.escalate",
        title=_("A message needs a manager's eye (moderation)"),
        body=_("%(rule)s: %(text)s")
        % {"rule": decision.rule_name or _("Moderation"), "text": decision.message.text[:200]}
        + (f" ({clause.code})" if clause is not None else ""),
        url=url,
        perm=Perm.MANAGE_TEAM,
        level="warning",
    )
