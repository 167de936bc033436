"""Reads for accounts and the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from parvis.core.models import Workspace
from parvis.networks.models import AccountStatus, Action, ActionAttempt, ActionStatus, ConnectedAccount, Heartbeat


def account_list(workspace: Workspace, *, include_disabled: bool = False) -> QuerySet[ConnectedAccount]:
    accounts = ConnectedAccount.objects.filter(workspace=workspace).select_related("voice")
    if not include_disabled:
        accounts = accounts.exclude(status="disabled")
    return accounts.order_by("network", "handle")


def account_get(workspace: Workspace, account_id: int) -> ConnectedAccount:
    return ConnectedAccount.objects.get(workspace=workspace, pk=account_id)


def ledger_list(
    workspace: Workspace,
    *,
    account_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
) -> QuerySet[Action]:
    actions = (
        Action.objects.filter(workspace=workspace)
        .select_related("account", "created_by")
        .prefetch_related(Prefetch("attempt_log", queryset=ActionAttempt.objects.order_by("started_at")))
        .order_by("-due_at", "-id")
    )
    if account_id:
        actions = actions.filter(account_id=account_id)
    if status:
        actions = actions.filter(status=status)
    return actions[:limit]


def action_get(workspace: Workspace, action_id: int) -> Action:
    return Action.objects.select_related("account").get(workspace=workspace, pk=action_id)


def heartbeat_at(name: str) -> datetime | None:
    row = Heartbeat.objects.filter(name=name).first()
    return row.at if row else None


# --- delivery health ------------------------------------------------------------------------------

# The scheduler ticks every few seconds: silent this long, it has stopped.
SCHEDULER_STALE_SECONDS = 180
# The scheduler pings the workers every minute: a ping unanswered this long means they have stopped.
WORKERS_STALE_SECONDS = 180
# Workers that gave no sign for this long are no longer listed.
WORKER_FORGET_SECONDS = 24 * 3600
HEARTBEAT_SCHEDULER = "scheduler"
HEARTBEAT_WORKERS = "workers"  # the last ping any worker processed
HEARTBEAT_PING_PENDING = "ping:pending"  # the oldest ping no worker has processed yet (absent: none)
HEARTBEAT_WORKER_PREFIX = "worker:"  # one per worker process: its last sign
HEARTBEAT_ALERT_PREFIX = "alert:"  # an alert under way, since `at`


class WorkersState(StrEnum):
    ALIVE = "alive"
    STOPPED = "stopped"
    UNKNOWN = "unknown"  # no ping answered recently, none unanswered long enough to tell (scheduler down?)


@dataclass(frozen=True)
class WorkerSign:
    name: str
    at: datetime
    recent: bool  # a sign within WORKERS_STALE_SECONDS (a busy worker may not take every ping)


@dataclass(frozen=True)
class QueueDepth:
    pending_due: int  # waiting for a worker
    scheduled: int  # pending, due later (scheduled posts, retries after a delay)
    processing: int
    held: int  # waiting for a person (reconnection, lateness cutoff, decision)
    failed_24h: int


@dataclass(frozen=True)
class HealthReport:
    now: datetime
    scheduler_at: datetime | None
    workers_at: datetime | None
    ping_pending_since: datetime | None
    workers_state: WorkersState
    workers: list[WorkerSign]
    queue: QueueDepth
    overdue_count: int
    overdue: list[Action]
    overdue_after_minutes: int
    reconnect: list[ConnectedAccount]
    unverified_missing: int  # published posts the read-back could not find

    @property
    def scheduler_ok(self) -> bool:
        return self.scheduler_at is not None and _age(self.now, self.scheduler_at) < SCHEDULER_STALE_SECONDS

    @property
    def scheduler_age_seconds(self) -> int | None:
        return None if self.scheduler_at is None else int(_age(self.now, self.scheduler_at))

    @property
    def workers_age_seconds(self) -> int | None:
        return None if self.workers_at is None else int(_age(self.now, self.workers_at))

    @property
    def workers_ok(self) -> bool:
        return self.workers_state != WorkersState.STOPPED

    @property
    def ok(self) -> bool:
        return self.scheduler_ok and self.workers_ok and self.overdue_count == 0


def _age(now: datetime, then: datetime) -> float:
    return max(0.0, (now - then).total_seconds())


def overdue_after_minutes() -> int:
    """A delivery due longer ago than this and not out yet is overdue (PARVIS_OVERDUE_MINUTES, default 10)."""
    return int(getattr(settings, "PARVIS_OVERDUE_MINUTES", 10))


def overdue_actions(workspace: Workspace | None, *, now: datetime) -> QuerySet[Action]:
    """Actions due more than `overdue_after_minutes()` ago that are still waiting for or in a worker.

    The next posts of a thread wait for their parent and are not counted on their own; held actions
    wait for a person and are counted as held, not overdue.
    """
    actions = (
        Action.objects.filter(
            status__in=[ActionStatus.PENDING, ActionStatus.PROCESSING],
            due_at__lt=now - timedelta(minutes=overdue_after_minutes()),
        )
        .filter(Q(parent__isnull=True) | Q(parent__status=ActionStatus.DONE))
        .select_related("account")
        .order_by("due_at", "id")
    )
    if workspace is not None:
        actions = actions.filter(workspace=workspace)
    return actions


def overdue_counts(*, now: datetime) -> dict[int, int]:
    """Overdue actions per workspace id, for the alerts (every workspace)."""
    rows = overdue_actions(None, now=now).order_by().values("workspace_id").annotate(count=Count("id"))
    return {row["workspace_id"]: row["count"] for row in rows}


def _heartbeats() -> dict[str, datetime]:
    names = [HEARTBEAT_SCHEDULER, HEARTBEAT_WORKERS, HEARTBEAT_PING_PENDING]
    return dict(Heartbeat.objects.filter(name__in=names).values_list("name", "at"))


def workers_state(*, now: datetime, workers_at: datetime | None, ping_pending_since: datetime | None) -> WorkersState:
    if ping_pending_since is not None and _age(now, ping_pending_since) >= WORKERS_STALE_SECONDS:
        return WorkersState.STOPPED
    if workers_at is not None and _age(now, workers_at) < WORKERS_STALE_SECONDS:
        return WorkersState.ALIVE
    return WorkersState.UNKNOWN


def worker_signs(*, now: datetime) -> list[WorkerSign]:
    rows = Heartbeat.objects.filter(
        name__startswith=HEARTBEAT_WORKER_PREFIX, at__gte=now - timedelta(seconds=WORKER_FORGET_SECONDS)
    ).order_by("-at")
    return [
        WorkerSign(
            name=row.name.removeprefix(HEARTBEAT_WORKER_PREFIX),
            at=row.at,
            recent=_age(now, row.at) < WORKERS_STALE_SECONDS,
        )
        for row in rows
    ]


def queue_depth(workspace: Workspace | None, *, now: datetime) -> QueueDepth:
    actions = Action.objects.all() if workspace is None else Action.objects.filter(workspace=workspace)
    counts = actions.aggregate(
        pending_due=Count("id", filter=Q(status=ActionStatus.PENDING, next_attempt_at__lte=now)),
        scheduled=Count("id", filter=Q(status=ActionStatus.PENDING, next_attempt_at__gt=now)),
        processing=Count("id", filter=Q(status=ActionStatus.PROCESSING)),
        held=Count("id", filter=Q(status=ActionStatus.HELD)),
        failed_24h=Count("id", filter=Q(status=ActionStatus.FAILED, finished_at__gte=now - timedelta(days=1))),
    )
    return QueueDepth(**counts)


def health_report(workspace: Workspace | None, *, now: datetime | None = None, overdue_limit: int = 20) -> HealthReport:
    """Is delivery working? The scheduler's last tick, the workers' last answer to a ping, the queue,
    overdue deliveries and accounts to reconnect. `workspace=None`: every workspace (monitoring)."""
    now = now or timezone.now()
    beats = _heartbeats()
    overdue = overdue_actions(workspace, now=now)
    accounts = ConnectedAccount.objects.filter(status=AccountStatus.NEEDS_REAUTH).order_by("network", "handle")
    missing = Action.objects.filter(
        status=ActionStatus.DONE, verified_at__isnull=True, finished_at__gte=now - timedelta(days=7)
    ).exclude(last_error="")  # a published post has no error, except the read-back's warning
    if workspace is not None:
        accounts = accounts.filter(workspace=workspace)
        missing = missing.filter(workspace=workspace)
    return HealthReport(
        now=now,
        scheduler_at=beats.get(HEARTBEAT_SCHEDULER),
        workers_at=beats.get(HEARTBEAT_WORKERS),
        ping_pending_since=beats.get(HEARTBEAT_PING_PENDING),
        workers_state=workers_state(
            now=now, workers_at=beats.get(HEARTBEAT_WORKERS), ping_pending_since=beats.get(HEARTBEAT_PING_PENDING)
        ),
        workers=worker_signs(now=now),
        queue=queue_depth(workspace, now=now),
        overdue_count=overdue.count(),
        overdue=list(overdue[:overdue_limit]),
        overdue_after_minutes=overdue_after_minutes(),
        reconnect=list(accounts.annotate(held=Count("actions", filter=Q(actions__status=ActionStatus.HELD)))),
        unverified_missing=missing.count(),
    )


def alerts_open() -> dict[str, datetime]:
    """The alerts under way (key → since when), e.g. {"scheduler": ..., "overdue:3": ...}."""
    rows = Heartbeat.objects.filter(name__startswith=HEARTBEAT_ALERT_PREFIX).values_list("name", "at")
    return {name.removeprefix(HEARTBEAT_ALERT_PREFIX): at for name, at in rows}
