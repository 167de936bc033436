"""Periodic jobs of the domain apps, run by the scheduler (SLA breach alerts, crisis watch, retraining...).

A domain app registers `register_periodic("inbox.sla_breaches", every=timedelta(minutes=1), run=fn)`
in its AppConfig.ready(). Each scheduler tick runs, for every job whose interval has passed, the
function `run(now)`; it should be quick (enqueue a task for slow work). The last run is stored as a
Heartbeat row ("periodic:<name>") moved with a conditional UPDATE, so two schedulers never run the
same job twice for the same interval. A failing job is logged and tried again at the next interval;
it never stops the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from parvis.networks.models import Heartbeat

logger = logging.getLogger("parvis.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[datetime], object]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, *, every: timedelta, run: Callable[[datetime], object]) -> None:
    _JOBS[name] = PeriodicJob(name=name, every=every, run=run)


def registered() -> list[str]:
    return sorted(_JOBS)


def _claim(job: PeriodicJob, now: datetime) -> bool:
    key = f"periodic:{job.name}"
    row, created = Heartbeat.objects.get_or_create(name=key, defaults={"at": now})
    if created:
        return True
    if row.at > now - job.every:
        return False
    return bool(Heartbeat.objects.filter(name=key, at=row.at).update(at=now))


def run_due(now: datetime) -> list[str]:
    """Run every job whose interval has passed; returns the names of those that ran."""
    ran = []
    for job in sorted(_JOBS.values(), key=lambda item: item.name):
        try:
            if not _claim(job, now):
                continue
            job.run(now)
            ran.append(job.name)
        except Exception:
            logger.exception("periodic job %s failed", job.name)
    return ran
