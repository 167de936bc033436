"""Crisis mode: spike detection, opening and closing, routing to the crisis team, pausing scheduled posts.

Detection (every 5 minutes, `crisis_watch(now)`): the number of *negative* incoming messages
(negative sentiment, or classed criticism, aggressive, insult-or-hate) in the last hour, overall
and per account, is compared with the same hourly count over the previous `baseline_days` days
(rolling one-hour windows ending on the hour before the current one): a spike is a count of at
least `max(min_count, mean + sensitivity * standard deviation)`. A spike opens crisis mode
(`auto_open`) or alerts the team, who open it by hand (docs/crisis.md).

While a crisis is open: new negative conversations go to the crisis team in turn (after-ingest
hook), every page shows a banner, scheduled posts are held if the workspace asks for it, and
everything done is logged (CrisisLogEntry). Closing releases the held posts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm, role_has
from parvis.core.services import audit_record, notification_send, require
from parvis.inbox.models import Category, Conversation, ConversationStatus, Direction, Message, MessageKind, Sentiment
from parvis.moderation.models import Crisis, CrisisLogEntry, CrisisOpenedBy, CrisisScope, CrisisSettings
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.publishing.services.posts import SOURCE_POST

__all__ = [
    "CRISIS_HOLD_MESSAGE",
    "Measure",
    "crisis_close",
    "crisis_hourly_counts",
    "crisis_log",
    "crisis_measure",
    "crisis_note",
    "crisis_open",
    "crisis_open_for",
    "crisis_register",
    "crisis_route",
    "crisis_settings_get",
    "crisis_settings_update",
    "crisis_watch",
    "is_negative_q",
]

WATCH_EVERY = timedelta(minutes=5)
WINDOW = timedelta(hours=1)
NEGATIVE_CATEGORIES = (Category.CRITICISM, Category.AGGRESSIVE, Category.INSULT_OR_HATE)
CRISIS_HOLD_MESSAGE = "Paused during a crisis: released when the crisis is closed."
OVERDUE_HOLD_MESSAGE = "Its time passed during a crisis: publish it again or reschedule it."


def is_negative_q() -> Q:
    """Incoming messages that count for crisis detection and routing."""
    return (
        Q(direction=Direction.IN)
        & ~Q(kind=MessageKind.FOLLOW)
        & (Q(sentiment=Sentiment.NEGATIVE) | Q(category__in=NEGATIVE_CATEGORIES))
    )


def _is_negative(message: Message) -> bool:
    return (
        message.direction == Direction.IN
        and message.kind != MessageKind.FOLLOW
        and (message.sentiment == Sentiment.NEGATIVE or message.category in NEGATIVE_CATEGORIES)
    )


# --- settings ---------------------------------------------------------------------------------


def crisis_settings_get(workspace: Workspace) -> CrisisSettings:
    """The workspace's settings, or the defaults (unsaved) when it never changed them."""
    found = CrisisSettings.objects.filter(workspace=workspace).first()
    return found if found is not None else CrisisSettings(workspace=workspace)


SETTINGS_FIELDS = frozenset(
    {"watch", "auto_open", "baseline_days", "sensitivity", "min_count", "pause_scheduled_posts"}
)


@transaction.atomic
def crisis_settings_update(
    *, membership: Membership, changes: dict[str, Any], team: Iterable[User] | None = None
) -> CrisisSettings:
    require(membership, Perm.MODERATE)
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    settings, _created = CrisisSettings.objects.get_or_create(workspace=membership.workspace)
    for key, value in changes.items():
        setattr(settings, key, value)
    if settings.baseline_days < 1 or settings.sensitivity < 0:
        raise ValueError(_("The baseline needs at least one day and the sensitivity cannot be negative."))
    settings.save()
    if team is not None:
        members = set(
            Membership.objects.filter(workspace=membership.workspace, user__in=list(team)).values_list(
                "user_id", flat=True
            )
        )
        settings.team.set(list(members))
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="crisis.settings",
        target=settings,
        data={key: value for key, value in changes.items()},
    )
    return settings


# --- detection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    workspace_id: int
    account_id: int | None  # None: all accounts
    count: int
    mean: float
    std: float
    threshold: float
    window_start: datetime

    @property
    def spike(self) -> bool:
        return self.count >= self.threshold

    def as_trigger(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "mean": round(self.mean, 3),
            "std": round(self.std, 3),
            "threshold": round(self.threshold, 3),
            "window_start": self.window_start.isoformat(),
        }


def _hour_index(now: datetime, at: datetime) -> int:
    """0 for [now - 1 h, now), 1 for [now - 2 h, now - 1 h)... (windows include their start)."""
    return -((at - now) // WINDOW) - 1


def _stats(counts: Sequence[int]) -> tuple[float, float]:
    n = len(counts)
    mean = sum(counts) / n
    variance = sum((value - mean) ** 2 for value in counts) / n
    return mean, math.sqrt(variance)


def crisis_measure(workspace: Workspace, settings: CrisisSettings, now: datetime) -> list[Measure]:
    """The last hour's negative count against its baseline, overall (first) and for each account.

    One query for the whole baseline period; hours are rolling windows ending at `now`.
    """
    hours = settings.baseline_days * 24
    start = now - WINDOW * (hours + 1)
    rows = Message.objects.filter(is_negative_q(), workspace=workspace, occurred_at__gte=start, occurred_at__lt=now)
    buckets: dict[int | None, list[int]] = defaultdict(lambda: [0] * (hours + 1))
    for account_id, occurred_at in rows.values_list("account_id", "occurred_at").iterator(chunk_size=5000):
        index = _hour_index(now, occurred_at)  # 0: the last hour
        if 0 <= index <= hours:
            buckets[None][index] += 1
            buckets[account_id][index] += 1
    buckets.setdefault(None, [0] * (hours + 1))  # the overall line exists even when empty
    measures = []
    for key in sorted(buckets, key=lambda key: (key is not None, key or 0)):
        counts = buckets[key]
        mean, std = _stats(counts[1:])
        measures.append(
            Measure(
                workspace_id=workspace.pk,
                account_id=key,
                count=counts[0],
                mean=mean,
                std=std,
                threshold=max(float(settings.min_count), mean + settings.sensitivity * std),
                window_start=now - WINDOW,
            )
        )
    return measures


def crisis_hourly_counts(
    workspace: Workspace, *, now: datetime, hours: int = 48, account: ConnectedAccount | None = None
) -> list[tuple[datetime, int]]:
    """Negative messages per rolling hour over the last `hours` hours (for the crisis page's chart)."""
    rows = Message.objects.filter(is_negative_q(), workspace=workspace, occurred_at__gte=now - WINDOW * hours)
    if account is not None:
        rows = rows.filter(account=account)
    counts = [0] * hours
    for occurred_at in rows.filter(occurred_at__lt=now).values_list("occurred_at", flat=True):
        index = _hour_index(now, occurred_at)
        if 0 <= index < hours:
            counts[index] += 1
    return [(now - WINDOW * (index + 1), counts[index]) for index in reversed(range(hours))]


def _open_crises(workspace_id: int) -> list[Crisis]:
    return list(Crisis.objects.filter(workspace_id=workspace_id, closed_at__isnull=True))


def _covered(open_crises: Sequence[Crisis], account_id: int | None) -> bool:
    return any(
        c.scope == CrisisScope.OVERALL or (account_id is not None and c.account_id == account_id) for c in open_crises
    )


def crisis_watch(now: datetime) -> list[Crisis]:
    """The periodic job: measure every watched workspace with negative messages in the last hour.

    Returns the crises it opened. Workspaces without a single negative message in the last hour
    cost nothing beyond the first query.
    """
    active = set(
        Message.objects.filter(is_negative_q(), occurred_at__gte=now - WINDOW, occurred_at__lt=now)
        .values("workspace_id")
        .annotate(n=Count("pk"))
        .values_list("workspace_id", flat=True)
    )
    opened: list[Crisis] = []
    for workspace in Workspace.objects.filter(pk__in=active):
        settings = crisis_settings_get(workspace)
        if not settings.watch:
            continue
        measures = [measure for measure in crisis_measure(workspace, settings, now) if measure.spike]
        if not measures:
            continue
        open_crises = _open_crises(workspace.pk)
        overall = next((measure for measure in measures if measure.account_id is None), None)
        # An overall spike covers the accounts' ones: one crisis, not one per account.
        chosen = [overall] if overall is not None else measures
        for measure in chosen:
            if _covered(open_crises, measure.account_id):
                continue
            crisis = _on_spike(workspace, settings, measure, now)
            if crisis is not None:
                opened.append(crisis)
                open_crises.append(crisis)
    # Scheduled posts written during a crisis are held too.
    for crisis in Crisis.objects.filter(closed_at__isnull=True).select_related("workspace"):
        if crisis_settings_get(crisis.workspace).pause_scheduled_posts:
            _hold_scheduled(crisis, now, actor=None)
    return opened


def _scope_name(workspace: Workspace, account_id: int | None) -> str:
    if account_id is None:
        return _("all accounts")
    account = ConnectedAccount.objects.filter(pk=account_id, workspace=workspace).first()
    return account.handle if account is not None else "?"


def _recipients(workspace: Workspace, settings: CrisisSettings) -> list[User]:
    users: dict[int, User] = {}
    if settings.pk is not None:
        users.update({user.pk: user for user in settings.team.all()})
    for member in Membership.objects.filter(workspace=workspace).select_related("user"):
        if role_has(member.role, Perm.MODERATE):
            users.setdefault(member.user.pk, member.user)
    return list(users.values())


@transaction.atomic
def _on_spike(workspace: Workspace, settings: CrisisSettings, measure: Measure, now: datetime) -> Crisis | None:
    with translation.override(workspace.language):
        scope = _scope_name(workspace, measure.account_id)
        summary = _(
            "%(count)d negative or critical messages in the last hour on %(scope)s "
            "(usually %(mean).1f an hour; alert from %(threshold).0f)."
        ) % {"count": measure.count, "scope": scope, "mean": measure.mean, "threshold": measure.threshold}
        if settings.auto_open:
            title = _("Crisis mode opened: spike of negative messages on %(scope)s") % {"scope": scope}
        else:
            title = _("Spike of negative messages on %(scope)s: open crisis mode?") % {"scope": scope}
    crisis = None
    if settings.auto_open:
        account = ConnectedAccount.objects.get(pk=measure.account_id) if measure.account_id is not None else None
        crisis = crisis_open_for(
            workspace=workspace,
            account=account,
            opened_by=CrisisOpenedBy.RULE,
            user=None,
            reason=summary,
            trigger=measure.as_trigger(),
            now=now,
        )
    notification_send(
        workspace=workspace,
        kind="crisis.opened" if crisis is not None else "crisis.spike",
        title=title,
        body=summary,
        url=reverse("web:crisis"),
        recipients=_recipients(workspace, settings),
        level="alert",
        email=True,
        dedupe_key=f"crisis.spike:{workspace.pk}:{measure.account_id or 'all'}",
    )
    return crisis


# --- opening, closing, the log ------------------------------------------------------------------


def crisis_log(
    *,
    crisis: Crisis,
    verb: str,
    at: datetime,
    actor: User | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> CrisisLogEntry:
    return CrisisLogEntry.objects.create(crisis=crisis, verb=verb, at=at, actor=actor, summary=summary, data=data or {})


def crisis_open_for(
    *,
    workspace: Workspace,
    account: ConnectedAccount | None,
    opened_by: str,
    user: User | None,
    reason: str,
    trigger: dict[str, Any] | None,
    now: datetime,
) -> Crisis:
    """Open a crisis (no permission check: the detection rule, or `crisis_open` for a person)."""
    crisis = Crisis.objects.create(
        workspace=workspace,
        scope=CrisisScope.ACCOUNT if account is not None else CrisisScope.OVERALL,
        account=account,
        opened_at=now,
        opened_by=opened_by,
        opened_by_user=user,
        reason=reason,
        trigger=trigger or {},
    )
    crisis_log(crisis=crisis, verb="opened", at=now, actor=user, summary=reason, data=trigger or {})
    if crisis_settings_get(workspace).pause_scheduled_posts:
        _hold_scheduled(crisis, now, actor=user)
    audit_record(workspace=workspace, actor=user, verb="crisis.open", target=crisis, summary=reason)
    return crisis


@transaction.atomic
def crisis_open(
    *, membership: Membership, account: ConnectedAccount | None = None, reason: str = "", now: datetime
) -> Crisis:
    """A person opens crisis mode (overall, or on one account)."""
    require(membership, Perm.MODERATE)
    workspace = membership.workspace
    if account is not None and account.workspace_id != workspace.pk:
        raise PermissionError("Not your workspace")
    if _covered(_open_crises(workspace.pk), account.pk if account is not None else None):
        raise ValueError(_("Crisis mode is already open."))
    return crisis_open_for(
        workspace=workspace,
        account=account,
        opened_by=CrisisOpenedBy.PERSON,
        user=membership.user,
        reason=reason.strip() or _("Opened by hand."),
        trigger=None,
        now=now,
    )


@transaction.atomic
def crisis_close(*, membership: Membership, crisis: Crisis, now: datetime, publish_overdue: bool = True) -> Crisis:
    """Close a crisis and release the scheduled posts it held.

    Posts whose time has not come go back to their schedule. Posts whose time passed during the
    crisis go out now (`publish_overdue`), or stay held in the ledger for a person to decide.
    """
    require(membership, Perm.MODERATE)
    if crisis.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if not Crisis.objects.filter(pk=crisis.pk, closed_at__isnull=True).update(closed_at=now, closed_by=membership.user):
        raise ValueError(_("This crisis is already closed."))
    crisis.refresh_from_db()
    released, kept = _release_held(crisis, now, publish_overdue=publish_overdue)
    if released or kept:
        crisis_log(
            crisis=crisis,
            verb="posts_released",
            at=now,
            actor=membership.user,
            summary=_("%(released)d scheduled posts released, %(kept)d left held for a decision.")
            % {"released": len(released), "kept": len(kept)},
            data={"released": released, "kept": kept},
        )
    crisis_log(crisis=crisis, verb="closed", at=now, actor=membership.user)
    audit_record(workspace=crisis.workspace, actor=membership.user, verb="crisis.close", target=crisis)
    return crisis


@transaction.atomic
def crisis_note(*, membership: Membership, crisis: Crisis, text: str, now: datetime) -> CrisisLogEntry:
    """Write what the team did (a statement published, a call with the press...) in the crisis log."""
    require(membership, Perm.REPLY)
    if crisis.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    text = text.strip()
    if not text:
        raise ValueError(_("The note is empty."))
    return crisis_log(crisis=crisis, verb="note", at=now, actor=membership.user, summary=text[:5000])


# --- scheduled posts ----------------------------------------------------------------------------


def _hold_scheduled(crisis: Crisis, now: datetime, *, actor: User | None) -> list[int]:
    """Hold the posts scheduled after `now` (on the crisis' account, or all): pending → held."""
    pending = Action.objects.filter(
        workspace_id=crisis.workspace_id, status=ActionStatus.PENDING, source=SOURCE_POST, due_at__gt=now
    )
    if crisis.account_id is not None:
        pending = pending.filter(account_id=crisis.account_id)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return []
    Action.objects.filter(pk__in=ids, status=ActionStatus.PENDING).update(
        status=ActionStatus.HELD, enqueued_at=None, last_error=CRISIS_HOLD_MESSAGE
    )
    held = list(
        Action.objects.filter(pk__in=ids, status=ActionStatus.HELD, last_error=CRISIS_HOLD_MESSAGE).values_list(
            "pk", flat=True
        )
    )
    Crisis.objects.filter(pk=crisis.pk).update(held_actions=sorted({*crisis.held_actions, *held}))
    crisis.held_actions = sorted({*crisis.held_actions, *held})
    crisis_log(
        crisis=crisis,
        verb="posts_held",
        at=now,
        actor=actor,
        summary=_("%(count)d scheduled posts paused.") % {"count": len(held)},
        data={"actions": held},
    )
    return held


def _release_held(crisis: Crisis, now: datetime, *, publish_overdue: bool) -> tuple[list[int], list[int]]:
    released: list[int] = []
    kept: list[int] = []
    held = Action.objects.filter(pk__in=crisis.held_actions, status=ActionStatus.HELD, last_error=CRISIS_HOLD_MESSAGE)
    for action in held:
        if action.due_at > now:
            changes: dict[str, Any] = {"next_attempt_at": action.due_at}
        elif publish_overdue:
            # Closing the crisis is the decision the lateness cutoff waits for.
            changes = {"next_attempt_at": now, "late_after": None}
        else:
            Action.objects.filter(pk=action.pk, status=ActionStatus.HELD).update(last_error=OVERDUE_HOLD_MESSAGE)
            kept.append(action.pk)
            continue
        if Action.objects.filter(pk=action.pk, status=ActionStatus.HELD).update(
            status=ActionStatus.PENDING, enqueued_at=None, last_error="", **changes
        ):
            released.append(action.pk)
    return released, kept


# --- routing ----------------------------------------------------------------------------------


def crisis_route(account: ConnectedAccount, messages: Sequence[Message]) -> int:
    """After-ingest hook: during a crisis on this account, new negative conversations go to the crisis team.

    Conversations already with a team member stay with them; the others (unassigned, or assigned
    by an ordinary rule to someone outside the team) are given to team members in turn.
    Returns how many conversations were routed.
    """
    negative = {message.conversation_id for message in messages if _is_negative(message)}
    if not negative:
        return 0
    crises = [
        c for c in _open_crises(account.workspace_id) if c.scope == CrisisScope.OVERALL or c.account_id == account.pk
    ]
    if not crises:
        return 0
    crisis = min(crises, key=lambda c: (c.scope != CrisisScope.ACCOUNT, c.pk))  # the most specific one
    settings = crisis_settings_get(account.workspace)
    team = sorted(settings.team.values_list("pk", flat=True)) if settings.pk is not None else []
    if not team:
        return 0
    conversations = list(
        Conversation.objects.filter(pk__in=negative)
        .exclude(status=ConversationStatus.DONE)
        .exclude(assignee_id__in=team)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not conversations:
        return 0
    given: dict[int, list[int]] = defaultdict(list)
    for offset, conversation_id in enumerate(conversations):
        given[team[(crisis.route_cursor + offset) % len(team)]].append(conversation_id)
    for user_id, ids in given.items():
        Conversation.objects.filter(pk__in=ids).update(assignee_id=user_id, status=ConversationStatus.ASSIGNED)
    Crisis.objects.filter(pk=crisis.pk).update(route_cursor=(crisis.route_cursor + len(conversations)) % len(team))
    crisis_log(
        crisis=crisis,
        verb="routed",
        at=timezone.now(),
        summary=_("%(count)d negative conversations given to the crisis team.") % {"count": len(conversations)},
        data={"assigned": {str(user_id): ids for user_id, ids in given.items()}},
    )
    return len(conversations)


def crisis_register() -> None:
    """Called from parvis.moderation.registration.register(): the routing hook and the watch job."""
    from parvis.inbox.hooks import ORDER_CRISIS, register_after_ingest
    from parvis.networks.periodic import register_periodic

    def route(account: ConnectedAccount, messages: Sequence[Message]) -> None:
        crisis_route(account, messages)

    register_after_ingest("moderation.crisis", route, order=ORDER_CRISIS)
    register_periodic("moderation.crisis_watch", every=WATCH_EVERY, run=crisis_watch)
