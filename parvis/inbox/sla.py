"""SLA timers and policies: which policy applies, when answers are due, and what stops the clocks.

The inbox-work area calls `sla_record_answer` and `sla_record_status` from its reply and status
services; the after-ingest hook (parvis.inbox.sla_hooks) calls `sla_start_timers` on every stored
batch. Deadlines are business time on the policy's calendar (parvis.inbox.business_time).

Timer states of a conversation (docs/sla.md):

* first answer running: `awaiting_since` is set (the oldest incoming message not answered yet),
  `first_response_due_at` is its deadline; an answer sets `first_response_at` and clears
  `awaiting_since`; "done" clears it too.
* resolution running: `resolution_due_at` set and `resolved_at` empty; "done" sets `resolved_at`.
* a new message after an answer starts a new first-answer timer; after "done" it restarts both.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.business_time import BusinessCalendar, CalendarNeverOpenError, add_business_time
from parvis.inbox.models import (
    Category,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    SlaAlert,
    SlaAlertLevel,
    SlaAssignment,
    SlaKind,
    SlaPolicy,
    SlaPreset,
)
from parvis.networks.models import ConnectedAccount

__all__ = [
    "PRESETS",
    "SlaPolicyError",
    "policy_calendar",
    "sla_account_assign",
    "sla_applies",
    "sla_policy_create",
    "sla_policy_delete",
    "sla_policy_for_account",
    "sla_policy_update",
    "sla_record_answer",
    "sla_record_status",
    "sla_start_timers",
]

# Items that wait for no answer: a new follower is welcomed (inbox.welcome), not answered; spam is
# moderated, not answered. A person who corrects the class does not restart a timer (docs/sla.md).
NOT_ANSWERABLE_KINDS = frozenset({MessageKind.FOLLOW})
NOT_ANSWERABLE_CATEGORIES = frozenset({Category.SPAM_OR_ADVERTISING})

_OFFICE_DAY = [["09:00", "12:00"], ["14:00", "18:00"]]
_WIDE_DAY = [["08:00", "22:00"]]

#: One-click presets: BtoB answers within 24 business hours (Monday-Friday 9-12 and 14-18, closed
#: on public holidays), resolves within 48; BtoC answers within 1 h and resolves within 4 h,
#: every day 08:00-22:00, holidays included.
PRESETS: dict[str, dict[str, Any]] = {
    SlaPreset.BTOB: {
        "first_response_minutes": 24 * 60,
        "resolution_minutes": 48 * 60,
        "weekly_hours": [_OFFICE_DAY] * 5 + [[], []],
        "holiday_country": "FR",
        "always_open": False,
    },
    SlaPreset.BTOC: {
        "first_response_minutes": 60,
        "resolution_minutes": 4 * 60,
        "weekly_hours": [_WIDE_DAY] * 7,
        "holiday_country": "",
        "always_open": False,
    },
}


class SlaPolicyError(ValueError):
    """The policy cannot be saved as given; the message says why, for the user."""


# --- calendars --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _calendar(
    timezone: str,
    week: tuple[tuple[tuple[time, time], ...], ...],
    country: str | None,
    subdivision: str | None,
    closed: frozenset[date],
    always_open: bool,
) -> BusinessCalendar:
    # Cached so the calendar's own per-date cache survives between batches and alert runs.
    return BusinessCalendar(
        timezone=timezone,
        weekly_hours=week,
        country=country,
        subdivision=subdivision,
        closed_dates=closed,
        always_open=always_open,
    )


def policy_calendar(policy: SlaPolicy, workspace: Workspace | None = None) -> BusinessCalendar:
    """The business calendar of a policy (its own time zone, else the workspace's)."""
    zone = policy.timezone or (workspace or policy.workspace).timezone
    return _calendar(
        zone,
        policy.week(),
        policy.holiday_country or None,
        policy.holiday_subdivision or None,
        policy.closed(),
        policy.always_open,
    )


def sla_policy_for_account(account: ConnectedAccount) -> SlaPolicy | None:
    """The account's own policy, else the workspace's default, else None (no SLA)."""
    assignment = SlaAssignment.objects.filter(account=account).select_related("policy").first()
    if assignment is not None:
        return assignment.policy
    return SlaPolicy.objects.filter(workspace_id=account.workspace_id, is_default=True).first()


def sla_applies(message: Message) -> bool:
    """Whether an incoming message waits for an answer (and so starts SLA timers)."""
    return message.kind not in NOT_ANSWERABLE_KINDS and message.category not in NOT_ANSWERABLE_CATEGORIES


# --- timers -----------------------------------------------------------------------------------


def _deadline(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime | None:
    try:
        return add_business_time(calendar, start, timedelta(minutes=minutes))
    except CalendarNeverOpenError:
        return None


def _planned_alerts(
    conversation: Conversation,
    kind: str,
    calendar: BusinessCalendar,
    start: datetime,
    minutes: int,
    deadline: datetime,
    warning_percent: int,
) -> list[SlaAlert]:
    alerts = [
        SlaAlert(conversation=conversation, kind=kind, level=SlaAlertLevel.BREACH, deadline=deadline, fire_at=deadline)
    ]
    if 0 < warning_percent < 100:
        warn_at = add_business_time(calendar, start, timedelta(minutes=minutes * warning_percent / 100))
        if warn_at < deadline:
            alerts.append(
                SlaAlert(
                    conversation=conversation,
                    kind=kind,
                    level=SlaAlertLevel.WARNING,
                    deadline=deadline,
                    fire_at=warn_at,
                )
            )
    return alerts


def _replace_alerts(conversation_ids: dict[str, set[int]], alerts: list[SlaAlert]) -> None:
    """Drop the unsent alerts of the restarted timers, then plan the new ones."""
    for kind, ids in conversation_ids.items():
        if ids:
            SlaAlert.objects.filter(conversation_id__in=ids, kind=kind, sent_at__isnull=True).delete()
    if alerts:
        SlaAlert.objects.bulk_create(alerts, ignore_conflicts=True)


TIMER_FIELDS = [
    "sla_policy",
    "awaiting_since",
    "first_response_due_at",
    "first_response_at",
    "resolution_due_at",
    "resolved_at",
]


def sla_start_timers(*, account: ConnectedAccount, messages: Sequence[Message]) -> int:
    """Start (or restart) the timers of the conversations that just received answerable messages.

    Three queries for the batch whatever its size (policy, conversations, alerts) plus the writes.
    Returns how many conversations had a timer (re)started.
    """
    oldest: dict[int, datetime] = {}
    for message in messages:
        if message.direction != "in" or not sla_applies(message):
            continue
        current = oldest.get(message.conversation_id)
        if current is None or message.occurred_at < current:
            oldest[message.conversation_id] = message.occurred_at
    if not oldest:
        return 0
    policy = sla_policy_for_account(account)
    if policy is None:
        return 0
    calendar = policy_calendar(policy, account.workspace)
    changed: list[Conversation] = []
    restarted: dict[str, set[int]] = {SlaKind.FIRST_RESPONSE: set(), SlaKind.RESOLUTION: set()}
    alerts: list[SlaAlert] = []
    conversations = Conversation.objects.filter(pk__in=list(oldest)).exclude(kind=MessageKind.FOLLOW)
    for conversation in conversations.only("pk", *TIMER_FIELDS):
        start = oldest[conversation.pk]
        waiting = conversation.awaiting_since is not None
        if waiting and conversation.awaiting_since is not None and conversation.awaiting_since <= start:
            continue  # already waiting since an older message: its deadline stands
        resolution_running = (
            conversation.resolution_due_at is not None
            and conversation.resolved_at is None
            and conversation.sla_policy_id is not None
        )
        first_due = _deadline(calendar, start, policy.first_response_minutes)
        if first_due is None:
            continue  # a calendar that is never open: no deadline can be given
        conversation.sla_policy = policy
        conversation.awaiting_since = start
        conversation.first_response_due_at = first_due
        conversation.first_response_at = None
        restarted[SlaKind.FIRST_RESPONSE].add(conversation.pk)
        alerts += _planned_alerts(
            conversation,
            SlaKind.FIRST_RESPONSE,
            calendar,
            start,
            policy.first_response_minutes,
            first_due,
            policy.warning_percent,
        )
        if not resolution_running:
            resolution_due = _deadline(calendar, start, policy.resolution_minutes)
            conversation.resolution_due_at = resolution_due
            conversation.resolved_at = None
            restarted[SlaKind.RESOLUTION].add(conversation.pk)
            if resolution_due is not None:
                alerts += _planned_alerts(
                    conversation,
                    SlaKind.RESOLUTION,
                    calendar,
                    start,
                    policy.resolution_minutes,
                    resolution_due,
                    policy.warning_percent,
                )
        changed.append(conversation)
    if changed:
        _write_timers(changed)
        _replace_alerts(restarted, alerts)
    return len(changed)


def _write_timers(conversations: list[Conversation]) -> None:
    """One UPDATE per distinct set of timer values (conversations whose wait started at the same
    instant share one). Django's bulk_update builds a CASE per row and field, which costs about
    10 ms a row on SQLite: plain UPDATEs by primary key are far cheaper (docs/sla.md, figures)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for conversation in conversations:
        values = tuple(
            getattr(conversation, name if name != "sla_policy" else "sla_policy_id") for name in TIMER_FIELDS
        )
        groups.setdefault(values, []).append(conversation.pk)
    for values, ids in groups.items():
        changes = {
            name if name != "sla_policy" else "sla_policy_id": value
            for name, value in zip(TIMER_FIELDS, values, strict=True)
        }
        Conversation.objects.filter(pk__in=ids).update(**changes)


def _copy_timers(conversation: Conversation) -> None:
    fresh = (
        Conversation.objects.filter(pk=conversation.pk)
        .values(*[f"{name}_id" if name == "sla_policy" else name for name in TIMER_FIELDS])
        .first()
    )
    if fresh is not None:
        for name, value in fresh.items():
            setattr(conversation, name, value)


def sla_record_answer(*, conversation: Conversation, at: datetime) -> None:
    """A reply was sent in `conversation` at `at`: the first-answer timer stops (if running)."""
    stopped = Conversation.objects.filter(pk=conversation.pk, awaiting_since__isnull=False).update(
        awaiting_since=None, first_response_at=at
    )
    if stopped:
        SlaAlert.objects.filter(
            conversation_id=conversation.pk, kind=SlaKind.FIRST_RESPONSE, sent_at__isnull=True
        ).delete()
    else:  # no timer ran (no policy, or already answered): keep the first answer's time for the record
        Conversation.objects.filter(pk=conversation.pk, first_response_at__isnull=True).update(first_response_at=at)
    _copy_timers(conversation)


def sla_record_status(*, conversation: Conversation, status: str, at: datetime) -> None:
    """`conversation` moved to `status` at `at` (done stops the timers; reopening restarts the resolution one).

    A conversation reopened by hand (done → new/assigned/waiting) gets a new resolution deadline
    counted from `at`; no one is waiting for a first answer, so that timer stays stopped. A new
    message after "done" restarts both, through the after-ingest hook.
    """
    if status == ConversationStatus.DONE:
        stopped = Conversation.objects.filter(pk=conversation.pk, resolved_at__isnull=True).update(
            resolved_at=at, awaiting_since=None
        )
        if stopped:
            SlaAlert.objects.filter(conversation_id=conversation.pk, sent_at__isnull=True).delete()
        _copy_timers(conversation)
        return
    row = (
        Conversation.objects.filter(pk=conversation.pk, resolved_at__isnull=False).select_related("sla_policy").first()
    )
    if row is None:
        return
    policy = row.sla_policy
    changes: dict[str, Any] = {"resolved_at": None}
    alerts: list[SlaAlert] = []
    if policy is not None:
        calendar = policy_calendar(policy)
        due = _deadline(calendar, at, policy.resolution_minutes)
        changes["resolution_due_at"] = due
        if due is not None:
            alerts = _planned_alerts(
                row, SlaKind.RESOLUTION, calendar, at, policy.resolution_minutes, due, policy.warning_percent
            )
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    _replace_alerts({SlaKind.RESOLUTION: {conversation.pk}}, alerts)
    _copy_timers(conversation)


# --- policies (settings page) ------------------------------------------------------------------


def _normalise_hours(weekly_hours: Sequence[Sequence[Sequence[str]]]) -> list[list[list[str]]]:
    days = [[[str(start), str(end)] for start, end in day] for day in weekly_hours]
    if len(days) != 7:
        raise SlaPolicyError(_("Give the hours of the seven days of the week."))
    return days


def _validate(policy: SlaPolicy) -> None:
    if policy.first_response_minutes <= 0 or policy.resolution_minutes <= 0:
        raise SlaPolicyError(_("Response times must be longer than zero."))
    if policy.resolution_minutes < policy.first_response_minutes:
        raise SlaPolicyError(_("The resolution time cannot be shorter than the first-answer time."))
    if not 0 <= policy.warning_percent <= 100:
        raise SlaPolicyError(_("The warning threshold is a percentage between 0 and 100."))
    try:
        calendar = policy_calendar(policy)
    except (ValueError, TypeError) as error:
        raise SlaPolicyError(_("These business hours are not valid: %(error)s") % {"error": error}) from error
    if calendar.never_open:
        raise SlaPolicyError(_("Give at least one opening interval, or choose 24/7."))


def _make_default(policy: SlaPolicy) -> None:
    SlaPolicy.objects.filter(workspace_id=policy.workspace_id, is_default=True).exclude(pk=policy.pk).update(
        is_default=False
    )


@transaction.atomic
def sla_policy_create(
    *, membership: Membership, preset: str, name: str = "", is_default: bool | None = None
) -> SlaPolicy:
    """A policy from a preset (one click): BtoB or BtoC; the first policy becomes the default."""
    require(membership, Perm.MANAGE_TEAM)
    if preset not in PRESETS:
        raise SlaPolicyError(_("Unknown preset."))
    workspace = membership.workspace
    first = not SlaPolicy.objects.filter(workspace=workspace).exists()
    label = str(SlaPreset(preset).label)
    policy = SlaPolicy(
        workspace=workspace,
        name=(name or label)[:100],
        preset=preset,
        timezone=workspace.timezone,
        is_default=first if is_default is None else is_default,
        **PRESETS[preset],
    )
    _validate(policy)
    if policy.is_default:
        SlaPolicy.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
    policy.save()
    audit_record(
        workspace=workspace, actor=membership.user, verb="sla.policy_create", target=policy, summary=policy.name
    )
    return policy


EDITABLE_FIELDS = frozenset(
    {
        "name",
        "first_response_minutes",
        "resolution_minutes",
        "weekly_hours",
        "timezone",
        "holiday_country",
        "holiday_subdivision",
        "closed_dates",
        "always_open",
        "is_default",
        "warning_percent",
    }
)


@transaction.atomic
def sla_policy_update(*, membership: Membership, policy: SlaPolicy, changes: dict[str, Any]) -> SlaPolicy:
    """Change a policy. Running timers keep the deadlines they were given; new ones use the new rules."""
    require(membership, Perm.MANAGE_TEAM)
    if policy.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "weekly_hours" in changes:
        changes["weekly_hours"] = _normalise_hours(changes["weekly_hours"])
    if "closed_dates" in changes:
        changes["closed_dates"] = sorted(
            {value.isoformat() if isinstance(value, date) else str(value) for value in changes["closed_dates"]}
        )
    for key, value in changes.items():
        setattr(policy, key, value)
    if {"first_response_minutes", "resolution_minutes", "weekly_hours", "always_open", "holiday_country"} & set(
        changes
    ):
        policy.preset = SlaPreset.CUSTOM
    _validate(policy)
    if policy.is_default:
        _make_default(policy)
    policy.save()
    audit_record(
        workspace=policy.workspace,
        actor=membership.user,
        verb="sla.policy_update",
        target=policy,
        summary=policy.name,
        data={key: value for key, value in changes.items() if key not in {"weekly_hours", "closed_dates"}},
    )
    return policy


@transaction.atomic
def sla_policy_delete(*, membership: Membership, policy: SlaPolicy) -> None:
    """Delete a policy; conversations keep their deadlines, accounts fall back to the default."""
    require(membership, Perm.MANAGE_TEAM)
    if policy.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    audit_record(
        workspace=policy.workspace, actor=membership.user, verb="sla.policy_delete", target=policy, summary=policy.name
    )
    policy.delete()


@transaction.atomic
def sla_account_assign(*, membership: Membership, account: ConnectedAccount, policy: SlaPolicy | None) -> None:
    """Give an account its own policy (None: the workspace's default applies)."""
    require(membership, Perm.MANAGE_TEAM)
    if account.workspace_id != membership.workspace_id or (
        policy is not None and policy.workspace_id != membership.workspace_id
    ):
        raise PermissionError("Not your workspace")
    if policy is None:
        SlaAssignment.objects.filter(account=account).delete()
    else:
        SlaAssignment.objects.update_or_create(account=account, defaults={"policy": policy})
    audit_record(
        workspace=account.workspace,
        actor=membership.user,
        verb="sla.account_assign",
        target=account,
        summary=policy.name if policy is not None else "",
    )
