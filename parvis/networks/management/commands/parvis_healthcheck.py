"""`manage.py parvis_healthcheck`: is delivery working? For an operator's cron and for monitoring.

It checks the scheduler's heartbeat, the workers' answer to pings, and overdue deliveries, raises
or clears the alerts (in the app and by e-mail, once per incident), and pings the workers so the
next run can tell whether they take work even when the scheduler is down. The exit status is 0
when everything works, 1 otherwise. Run it every few minutes from cron:

    */5 * * * * cd /srv/parvis && .venv/bin/python manage.py parvis_healthcheck --quiet
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parvis.networks import services_health
from parvis.networks.selectors import HealthReport, WorkersState


class Command(BaseCommand):
    help = "Check the scheduler, the workers and overdue deliveries; alert when they stop. Exit status 1 when not ok."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing when everything works.")
        parser.add_argument("--no-ping", action="store_true", help="Do not enqueue a ping for the workers.")

    def handle(self, *args: Any, quiet: bool = False, no_ping: bool = False, **options: Any) -> None:
        now = timezone.now()
        report = services_health.alerts_update(now=now)
        if not no_ping:
            services_health.workers_ping(now=now)
        if not (quiet and report.ok):
            self.stdout.write(describe(report))
        if not report.ok:
            raise CommandError("delivery is not healthy", returncode=1)


def describe(report: HealthReport) -> str:
    lines = []
    age = report.scheduler_age_seconds
    if report.scheduler_ok:
        lines.append(f"scheduler: ok (last tick {age} s ago)")
    elif age is None:
        lines.append("scheduler: NEVER RAN - start it: python manage.py parvis_scheduler")
    else:
        lines.append(f"scheduler: STOPPED (last tick {age} s ago) - start it: python manage.py parvis_scheduler")
    if report.workers_state == WorkersState.ALIVE:
        lines.append(f"workers: ok (last ping answered {report.workers_age_seconds} s ago)")
    elif report.workers_state == WorkersState.STOPPED:
        lines.append("workers: STOPPED (a ping has waited 3 minutes) - start one: python manage.py db_worker")
    else:
        lines.append("workers: unknown (no recent ping; they are pinged by the scheduler and by this command)")
    queue = report.queue
    lines.append(
        f"queue: {queue.pending_due} due, {queue.processing} processing, {queue.scheduled} scheduled, "
        f"{queue.held} held, {queue.failed_24h} failed in 24 h"
    )
    if report.overdue_count:
        lines.append(f"overdue: {report.overdue_count} deliveries due more than {report.overdue_after_minutes} min ago")
    else:
        lines.append("overdue: none")
    if report.reconnect:
        handles = ", ".join(account.handle for account in report.reconnect)
        lines.append(f"accounts to reconnect: {handles}")
    return "\n".join(lines)
