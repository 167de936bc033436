"""Writes for the health of delivery: worker pings, signs of life, and the alerts (in the app and by e-mail).

Who calls what:
- the scheduler, on every tick, calls `upkeep` (it acts once a minute): ping the workers, then
  bring the "workers stopped" and "deliveries overdue" alerts up to date;
- a worker that runs the ping task calls `worker_sign`: its sign of life, and the "scheduler
  stopped" alert (a worker is there to notice the scheduler is not);
- `manage.py parvis_healthcheck` (from cron) pings the workers and brings every alert up to date,
  so a stopped scheduler is reported even when nothing else runs.

An alert under way is a `Heartbeat` row named "alert:<key>" (since when). Raising it creates the
row and notifies once; recovery deletes it, marks the alert's notifications read and notifies once.
Two processes racing on the same alert cannot both notify: the row is unique.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.core.models import Notification, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import notification_send
from parvis.networks.models import AccountStatus, Heartbeat
from parvis.networks.selectors import (
    HEARTBEAT_ALERT_PREFIX,
    HEARTBEAT_PING_PENDING,
    HEARTBEAT_WORKER_PREFIX,
    HEARTBEAT_WORKERS,
    WORKER_FORGET_SECONDS,
    WORKERS_STALE_SECONDS,
    HealthReport,
    WorkersState,
    alerts_open,
    health_report,
    overdue_after_minutes,
    overdue_counts,
)

logger = logging.getLogger(__name__)

PING_INTERVAL_SECONDS = 60
# While a ping has gone unanswered for long, send one only this often: the queue must not fill up with pings.
PING_WHILE_UNANSWERED_SECONDS = 600
PING_PRIORITY = 100  # a ping goes before the backlog: it tells whether workers take work, not how busy they are
MAX_PINGS = 8  # one per worker seen lately, so that each can leave its sign
HEARTBEAT_UPKEEP = "upkeep"
HEARTBEAT_PING_SENT = "ping:sent"
ALERT_SCHEDULER = "scheduler"
ALERT_WORKERS = "workers"
ALERT_OVERDUE = "overdue:"  # + workspace id


def _beat(name: str, at: datetime) -> None:
    Heartbeat.objects.update_or_create(name=name[:64], defaults={"at": at})


def _beat_at(name: str) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def upkeep(*, now: datetime) -> bool:
    """The scheduler's minutely chores; returns whether they ran on this tick."""
    last = _beat_at(HEARTBEAT_UPKEEP)
    if last is not None and timedelta(0) <= now - last < timedelta(seconds=PING_INTERVAL_SECONDS):
        return False
    _beat(HEARTBEAT_UPKEEP, now)
    workers_ping(now=now)
    alerts_update(now=now, scheduler=False)  # the scheduler is the caller: it runs
    return True


def workers_ping(*, now: datetime) -> int:
    """Enqueue the ping task, one per worker seen lately; returns how many were sent.

    The oldest unanswered ping is remembered ("ping:pending"): a worker that runs any ping clears it,
    so a ping unanswered for three minutes means no worker is taking work from the queue.
    """
    from parvis.networks.tasks import ping_workers

    pending = _beat_at(HEARTBEAT_PING_PENDING)
    sent = _beat_at(HEARTBEAT_PING_SENT)
    if (
        pending is not None
        and (now - pending).total_seconds() >= WORKERS_STALE_SECONDS
        and sent is not None
        and timedelta(0) <= now - sent < timedelta(seconds=PING_WHILE_UNANSWERED_SECONDS)
    ):
        return 0
    try:
        with transaction.atomic():
            Heartbeat.objects.get_or_create(name=HEARTBEAT_PING_PENDING, defaults={"at": now})
    except IntegrityError:  # another process created it first: the same thing
        pass
    _beat(HEARTBEAT_PING_SENT, now)
    seen = Heartbeat.objects.filter(
        name__startswith=HEARTBEAT_WORKER_PREFIX, at__gte=now - timedelta(minutes=10)
    ).count()
    count = min(max(seen, 1), MAX_PINGS)
    task = ping_workers
    if task.get_backend().supports_priority:
        task = task.using(priority=PING_PRIORITY)
    for _index in range(count):
        task.enqueue(now.isoformat())
    return count


def worker_sign(*, worker: str, now: datetime | None = None) -> None:
    """A worker ran a ping: it is alive and takes work from the queue. Then it checks the scheduler."""
    now = now or timezone.now()
    _beat(HEARTBEAT_WORKER_PREFIX + worker, now)
    _beat(HEARTBEAT_WORKERS, now)
    Heartbeat.objects.filter(name=HEARTBEAT_PING_PENDING).delete()
    Heartbeat.objects.filter(
        name__startswith=HEARTBEAT_WORKER_PREFIX, at__lt=now - timedelta(seconds=WORKER_FORGET_SECONDS)
    ).delete()
    alerts_update(now=now, scheduler=True, workers=True, overdue=False)


def _watching_workspaces() -> list[Workspace]:
    """Workspaces with an account that publishes: they are told when delivery stops."""
    live = [AccountStatus.ACTIVE, AccountStatus.ERROR, AccountStatus.NEEDS_REAUTH]
    return list(Workspace.objects.filter(accounts__status__in=live).distinct().order_by("pk"))


def alerts_update(
    *, now: datetime | None = None, scheduler: bool = True, workers: bool = True, overdue: bool = True
) -> HealthReport:
    """Raise or clear the alerts for what the caller can judge; returns the report they came from."""
    now = now or timezone.now()
    report = health_report(None, now=now)
    opened = alerts_open()
    if scheduler:
        _alert_toggle(ALERT_SCHEDULER, active=not report.scheduler_ok, opened=opened, report=report)
    if workers:
        _alert_toggle(ALERT_WORKERS, active=report.workers_state == WorkersState.STOPPED, opened=opened, report=report)
    if overdue:
        counts = overdue_counts(now=now)
        keys = {f"{ALERT_OVERDUE}{workspace_id}" for workspace_id in counts}
        keys |= {key for key in opened if key.startswith(ALERT_OVERDUE)}
        for key in sorted(keys):
            workspace_id = int(key.removeprefix(ALERT_OVERDUE))
            _alert_toggle(
                key, active=workspace_id in counts, opened=opened, report=report, count=counts.get(workspace_id, 0)
            )
    return report


def _alert_toggle(key: str, *, active: bool, opened: dict[str, datetime], report: HealthReport, count: int = 0) -> None:
    if active and key not in opened:
        _alert_raise(key, report=report, count=count)
    elif not active and key in opened:
        _alert_clear(key, report=report)


def _recipients(key: str) -> list[Workspace]:
    if key.startswith(ALERT_OVERDUE):
        workspace = Workspace.objects.filter(pk=int(key.removeprefix(ALERT_OVERDUE))).first()
        return [workspace] if workspace is not None else []
    return _watching_workspaces()


def _alert_raise(key: str, *, report: HealthReport, count: int) -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                _row, created = Heartbeat.objects.get_or_create(
                    name=f"{HEARTBEAT_ALERT_PREFIX}{key}"[:64], defaults={"at": report.now}
                )
        except IntegrityError:
            return
        if not created:
            return  # another process raised it a moment ago
        logger.warning("delivery alert raised: %s", key)
        for workspace in _recipients(key):
            with translation.override(workspace.language), timezone.override(workspace.zone):
                title, body = _alert_text(key, report=report, count=count)
            notification_send(
                workspace=workspace,
                kind=f"health.{key.split(':')[0]}",
                title=title,
                body=body,
                url=reverse("web:health"),
                perm=Perm.PUBLISH,
                level="alert",
                email=True,
                dedupe_key=f"health:{key}",
            )


def _alert_clear(key: str, *, report: HealthReport) -> None:
    with transaction.atomic():
        deleted, _rows = Heartbeat.objects.filter(name=f"{HEARTBEAT_ALERT_PREFIX}{key}"[:64]).delete()
        if not deleted:
            return  # another process cleared it a moment ago
        logger.warning("delivery alert cleared: %s", key)
        # The alert no longer describes the present: it leaves the unread list.
        Notification.objects.filter(dedupe_key=f"health:{key}", read_at__isnull=True).update(read_at=report.now)
        for workspace in _recipients(key):
            with translation.override(workspace.language):
                title, body = _recovery_text(key)
            notification_send(
                workspace=workspace,
                kind=f"health.{key.split(':')[0]}_recovered",
                title=title,
                body=body,
                url=reverse("web:health"),
                perm=Perm.PUBLISH,
                level="info",
                email=True,
            )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return _("never")
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _alert_text(key: str, *, report: HealthReport, count: int) -> tuple[str, str]:
    if key == ALERT_SCHEDULER:
        return (
            _("Parvis's scheduler has stopped: scheduled posts are not going out"),
            _(
                "Its last sign of life: %(when)s. Scheduled posts, retries and account polls wait until it "
                "runs again. Start it: “python manage.py parvis_scheduler” (or restart its service)."
            )
            % {"when": _when(report.scheduler_at)},
        )
    if key == ALERT_WORKERS:
        return (
            _("Parvis's workers have stopped: nothing is being published"),
            _(
                "No worker has taken work from the queue since %(when)s; posts wait in the queue. "
                "Start one: “python manage.py db_worker” (or restart its service)."
            )
            % {"when": _when(report.ping_pending_since)},
        )
    return (
        ngettext("%(count)s delivery is overdue", "%(count)s deliveries are overdue", count) % {"count": count},
        ngettext(
            "%(count)s delivery was due more than %(minutes)s minutes ago and has not gone out. "
            "The health page says what holds it up.",
            "%(count)s deliveries were due more than %(minutes)s minutes ago and have not gone out. "
            "The health page says what holds them up.",
            count,
        )
        % {"count": count, "minutes": overdue_after_minutes()},
    )


def _recovery_text(key: str) -> tuple[str, str]:
    if key == ALERT_SCHEDULER:
        return _("Parvis's scheduler is running again"), _("Scheduled posts go out again.")
    if key == ALERT_WORKERS:
        return _("Parvis's workers are running again"), _("The queue is being processed again.")
    return _("No delivery is overdue any more"), _("Every delivery that was overdue has gone out or was dealt with.")
