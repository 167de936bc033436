"""The scheduler process: every PARVIS_SCHEDULER_TICK seconds, hand due actions and polls to the workers.

All the decisions live in `services.scheduler_tick`; this command only repeats it, logs what it
did, and stops cleanly on SIGTERM or SIGINT (a tick under way is finished, never cut short).
It refuses to start when the delivery timeouts contradict each other (see `networks.checks`).
"""

from __future__ import annotations

import logging
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from parvis.networks.checks import delivery_timeouts
from parvis.networks.services import scheduler_tick

logger = logging.getLogger("parvis.scheduler")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _StopRequested(Exception):
    """Raised by the signal handler to cut the wait between two ticks short."""


class Command(BaseCommand):
    help = "Hand due actions and account polls to the workers, every PARVIS_SCHEDULER_TICK seconds."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run a single tick, then exit.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        problems = [message for message in delivery_timeouts() if message.is_serious()]
        if problems:
            raise CommandError("\n".join(f"{message.id}: {message.msg}" for message in problems))
        if once:
            report = self.tick()
            self.stdout.write(_describe(report))
            return
        self.stopping = False
        self.ticking = False
        interval = float(settings.PARVIS_SCHEDULER_TICK)
        previous = {number: signal.signal(number, self.ask_to_stop) for number in STOP_SIGNALS}
        logger.info("scheduler started, one tick every %s s", interval)
        try:
            while not self.stopping:
                self.ticking = True
                try:
                    self.tick()
                except Exception:  # a locked or restarting database must not end the scheduler
                    logger.exception("scheduler tick failed; trying again at the next one")
                finally:
                    self.ticking = False
                if not self.stopping:
                    time.sleep(interval)
        except _StopRequested:
            pass
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        logger.info("scheduler stopped")

    def tick(self) -> dict[str, int]:
        if not connection.in_atomic_block:  # (tests run the command inside a transaction)
            close_old_connections()  # a long-running process must not keep a connection the server dropped
        report = scheduler_tick()
        if any(report.values()):
            logger.info("scheduler: %s", _describe(report))
        else:
            logger.debug("scheduler: nothing due")
        return report

    def ask_to_stop(self, number: int, frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(number).name)
        self.stopping = True
        if not self.ticking:  # waiting between ticks: stop now
            raise _StopRequested


def _describe(report: dict[str, int]) -> str:
    text = (
        f"{report['actions']} action(s) enqueued, {report['polls']} poll(s) enqueued, "
        f"{report['abandoned']} abandoned action(s) recovered"
    )
    if report.get("late"):
        text += f", {report['late']} late action(s) held"
    if report.get("verifications"):
        text += f", {report['verifications']} read-back(s) enqueued"
    return text
