"""Welcome: new followers are followed back and thanked, under each account's rule, rate-limited.

Runs after ingest (welcome_hooks.py) on the FOLLOW messages just stored. For each new follower:
1. Likely spam accounts are skipped (bot flag, no display name, handle full of digits, default
   avatar, earlier messages classed as spam), each test switchable per account.
2. A slot is found within the rate limits (per hour, per day) and outside quiet hours: the excess
   is deferred to a later slot, never dropped.
3. A FOLLOW Action (follow back) and the thanks (PUBLISH mentioning them, or SEND_DIRECT), both due
   at the slot, written through `action_create`; one WelcomeLog row says what was decided and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parvis.community.models import Identity
from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.models import (
    Category,
    Direction,
    Message,
    MessageKind,
    ThanksMode,
    WelcomeDecision,
    WelcomeLog,
    WelcomeRule,
)
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.networks.services import action_create

SOURCE = "inbox.welcome"
# The log keeps reasons as codes; the page shows them in the reader's language.
REASON_LABELS = {
    "unknown account": gettext_lazy("unknown account"),
    "bot": gettext_lazy("marked as a bot"),
    "no display name": gettext_lazy("no display name"),
    "handle full of digits": gettext_lazy("handle full of digits"),
    "default avatar": gettext_lazy("default avatar"),
    "messages classed as spam": gettext_lazy("messages classed as spam"),
    "rate limit is zero": gettext_lazy("the rate limit is zero"),
    "rate limit or quiet hours": gettext_lazy("rate limit or quiet hours"),
    "the network cannot follow from Parvis": gettext_lazy("the network cannot follow from Parvis"),
    "the network cannot send private messages from Parvis: thanked publicly": gettext_lazy(
        "the network cannot send private messages from Parvis: thanked publicly"
    ),
    "the network cannot post the thanks from Parvis": gettext_lazy("the network cannot post the thanks from Parvis"),
}


def reason_labels(reasons: list[str]) -> list[str]:
    return [str(REASON_LABELS.get(reason, reason)) for reason in reasons]


MAX_SLOT_SEARCH = 10_000  # bounds the slot search; a rule with per_day 0 welcomes nobody
_VARIABLE = re.compile(r"\{(\w+)\}")
DEFAULT_AVATAR_MARKERS = ("missing.png", "/avatars/original/missing", "default_avatar", "default-avatar")

# --- likely spam ----------------------------------------------------------------------------------


def digits_heavy(handle: str) -> bool:
    """A local part with 5 digits or more, or mostly digits: "@jean84736291", "@user_2024_1234"."""
    local = handle.lstrip("@").split("@")[0]
    digits = sum(char.isdigit() for char in local)
    return digits >= 5 or (len(local) > 0 and digits / len(local) >= 0.5)


def default_avatar(url: str) -> bool:
    return not url or any(marker in url for marker in DEFAULT_AVATAR_MARKERS)


def spam_reasons(rule: WelcomeRule, identity: Identity | None, spam_authors: set[int]) -> list[str]:
    """Why this follower looks like a spam account (empty: they look like a person)."""
    if identity is None:
        return ["unknown account"]
    reasons = []
    if rule.skip_bots and identity.is_bot:
        reasons.append("bot")
    if rule.skip_no_display_name and not identity.display_name.strip():
        reasons.append("no display name")
    if rule.skip_digit_handles and digits_heavy(identity.handle):
        reasons.append("handle full of digits")
    if rule.skip_default_avatar and default_avatar(identity.avatar_url):
        reasons.append("default avatar")
    if rule.skip_spam_class and identity.pk in spam_authors:
        reasons.append("messages classed as spam")
    return reasons


# --- rate limits and quiet hours --------------------------------------------------------------------


def in_quiet_hours(rule: WelcomeRule, moment: datetime, zone: Any) -> datetime | None:
    """The end of the quiet hours `moment` falls in (local time of the workspace), or None."""
    if rule.quiet_start is None or rule.quiet_end is None or rule.quiet_start == rule.quiet_end:
        return None
    local = timezone.localtime(moment, zone)
    now_t = local.time()
    start, end = rule.quiet_start, rule.quiet_end
    inside = start <= now_t < end if start < end else (now_t >= start or now_t < end)
    if not inside:
        return None
    end_day = local.date() if now_t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=zone)


def next_slot(rule: WelcomeRule, taken: list[datetime], now: datetime, zone: Any) -> datetime | None:
    """The earliest instant ≥ now within the per-hour and per-day limits and outside quiet hours."""
    if rule.per_hour == 0 or rule.per_day == 0:
        return None
    # Slots are given in order, so no slot is ever after the candidate: the windows that end at
    # the candidate are the only ones it can overfill.
    candidate = max([now, *taken])
    for _ in range(MAX_SLOT_SEARCH):
        quiet_end = in_quiet_hours(rule, candidate, zone)
        if quiet_end is not None:
            candidate = quiet_end
            continue
        hour = sorted(t for t in taken if candidate - timedelta(hours=1) < t <= candidate)
        if len(hour) >= rule.per_hour:
            candidate = hour[len(hour) - rule.per_hour] + timedelta(hours=1)
            continue
        day = sorted(t for t in taken if candidate - timedelta(days=1) < t <= candidate)
        if len(day) >= rule.per_day:
            candidate = day[len(day) - rule.per_day] + timedelta(days=1)
            continue
        return candidate
    return None


# --- the hook -------------------------------------------------------------------------------------


def fill(template: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def welcome_followers(account: ConnectedAccount, messages: Sequence[Message]) -> list[WelcomeLog]:
    """After-ingest hook: welcome the new followers among `messages` under the account's rule."""
    follows = [m for m in messages if m.kind == MessageKind.FOLLOW and m.direction == Direction.IN]
    if not follows:
        return []
    rule = WelcomeRule.objects.filter(account=account, enabled=True).first()
    if rule is None:
        return []
    already = set(
        WelcomeLog.objects.filter(account=account, identity_id__in=[m.author_id for m in follows]).values_list(
            "identity_id", flat=True
        )
    )
    spam_authors = set(
        Message.objects.filter(
            workspace_id=account.workspace_id,
            author_id__in=[m.author_id for m in follows],
            category=Category.SPAM_OR_ADVERTISING,
        ).values_list("author_id", flat=True)
    )
    now = timezone.now()
    taken: list[datetime] = [
        due
        for due in WelcomeLog.objects.filter(
            account=account,
            decision__in=[WelcomeDecision.WELCOMED, WelcomeDecision.DEFERRED],
            due_at__gt=now - timedelta(days=1),
        ).values_list("due_at", flat=True)
        if due is not None
    ]
    try:
        capabilities = get_connector(account.network).capabilities.actions
    except (UnknownNetwork, ImportError):
        capabilities = frozenset()
    zone = account.workspace.zone
    logs = []
    for message in follows:
        identity = message.author
        if identity is not None and identity.pk in already:
            continue  # followed, unfollowed, followed again: welcomed once
        logs.append(_welcome_one(rule, account, message, identity, spam_authors, taken, now, zone, capabilities))
        if identity is not None:
            already.add(identity.pk)
    return logs


def _welcome_one(
    rule: WelcomeRule,
    account: ConnectedAccount,
    message: Message,
    identity: Identity | None,
    spam_authors: set[int],
    taken: list[datetime],
    now: datetime,
    zone: Any,
    capabilities: frozenset[ActionKind],
) -> WelcomeLog:
    log = WelcomeLog(
        workspace_id=account.workspace_id,
        account=account,
        message=message,
        identity=identity,
        handle=identity.handle if identity is not None else "",
    )
    reasons = spam_reasons(rule, identity, spam_authors)
    if reasons:
        log.decision = WelcomeDecision.SKIPPED
        log.reasons = reasons
        log.save()
        return log
    assert identity is not None  # noqa: S101 - spam_reasons refuses an unknown account
    if not rule.follow_back and rule.thanks == ThanksMode.NONE:
        log.decision = WelcomeDecision.NOTHING
        log.save()
        return log
    slot = next_slot(rule, taken, now, zone)
    if slot is None:
        log.decision = WelcomeDecision.SKIPPED
        log.reasons = ["rate limit is zero"]
        log.save()
        return log
    taken.append(slot)
    log.due_at = slot
    log.decision = WelcomeDecision.DEFERRED if slot > now else WelcomeDecision.WELCOMED
    if slot > now:
        log.reasons.append("rate limit or quiet hours")
    person = {"target_id": identity.external_id, "target_handle": identity.handle}
    if rule.follow_back:
        if ActionKind.FOLLOW in capabilities:
            log.follow_action = action_create(
                workspace=account.workspace,
                account=account,
                kind=ActionKind.FOLLOW,
                payload=person,
                due_at=slot,
                source=SOURCE,
                summary=f"follow back {identity.handle}",
            )
        else:
            log.reasons.append("the network cannot follow from Parvis")
    if rule.thanks != ThanksMode.NONE:
        handle = identity.handle if identity.handle.startswith("@") else "@" + identity.handle
        values = {"handle": handle, "name": identity.display_name or handle, "account": account.handle}
        direct = rule.thanks == ThanksMode.DIRECT and ActionKind.SEND_DIRECT in capabilities
        if rule.thanks == ThanksMode.DIRECT and not direct:
            log.reasons.append("the network cannot send private messages from Parvis: thanked publicly")
        if direct:
            kind, payload = ActionKind.SEND_DIRECT, {**person, "text": fill(rule.direct_template, values)}
        else:
            text = fill(rule.mention_template, values)
            if handle.lower() not in text.lower():
                text = f"{handle} {text}"
            kind, payload = ActionKind.PUBLISH, {"text": text}
        if kind in capabilities:
            log.thanks_action = action_create(
                workspace=account.workspace,
                account=account,
                kind=kind,
                payload=payload,
                due_at=slot,
                source=SOURCE,
                summary=payload["text"][:300],
            )
        else:
            log.reasons.append("the network cannot post the thanks from Parvis")
    log.save()
    return log


# --- writes from the page -------------------------------------------------------------------------

RULE_FIELDS = {f.name for f in WelcomeRule._meta.get_fields()} - {"id", "account", "updated_at"}


@transaction.atomic
def welcome_rule_save(*, membership: Membership, account: ConnectedAccount, **fields: Any) -> WelcomeRule:
    """Create or change the welcome rule of one account (Perm.REPLY: welcoming is answering)."""
    require(membership, Perm.REPLY)
    if account.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise TypeError(f"unknown welcome rule fields: {sorted(unknown)}")
    rule = WelcomeRule.objects.filter(account=account).first() or WelcomeRule(account=account)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean(exclude=["account"])
    rule.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.welcome_rule",
        target=rule,
        summary=account.handle,
        data={"enabled": rule.enabled, "follow_back": rule.follow_back, "thanks": rule.thanks},
    )
    return rule


def quiet_time(value: str) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None
