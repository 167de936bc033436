"""The stream process: one stream per connected account whose network pushes events (Mastodon).

Runs next to the scheduler and the workers, never instead of them: the poll stays the safety net
(a stream that drops loses nothing, the poll reads the gap). Every RESCAN seconds it starts the
streams of newly connected or reconnected accounts, and lets those of disconnected accounts end.
SIGTERM or SIGINT closes every stream and waits for the runners to finish the event they hold.

    python manage.py parvis_stream                 # every streamable account
    python manage.py parvis_stream --account 12    # only this one (repeatable)
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from parvis.networks.streaming import RESCAN_SECONDS, AccountStreamRunner, streamable_accounts

logger = logging.getLogger("parvis.streaming")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
JOIN_TIMEOUT = 10.0


class Command(BaseCommand):
    help = "Keep a stream open for each account whose network pushes events, and store what it sends."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--account", type=int, action="append", default=[], help="Only this account id.")
        parser.add_argument(
            "--rescan", type=float, default=RESCAN_SECONDS, help="Seconds between two looks at the accounts."
        )

    def handle(self, *args: Any, account: list[int], rescan: float, **options: Any) -> None:
        self.stop = threading.Event()
        self.runners: dict[int, tuple[AccountStreamRunner, threading.Thread]] = {}
        previous = {number: signal.signal(number, self.ask_to_stop) for number in STOP_SIGNALS}
        logger.info("stream process started")
        try:
            while not self.stop.is_set():
                try:
                    self.rescan(only=set(account))
                except Exception:  # a database restarting must not end the process
                    logger.exception("looking up the accounts to stream failed; trying again")
                self.stop.wait(rescan)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            self.shutdown()
        logger.info("stream process stopped")

    def rescan(self, *, only: set[int]) -> None:
        if not connection.in_atomic_block:
            close_old_connections()
        wanted = [pk for pk in streamable_accounts() if not only or pk in only]
        for account_id in wanted:
            running = self.runners.get(account_id)
            if running is not None and running[1].is_alive():
                continue
            runner = AccountStreamRunner(account_id, stop=threading.Event())
            thread = threading.Thread(target=self._run, args=(runner,), name=f"stream-{account_id}", daemon=True)
            self.runners[account_id] = (runner, thread)
            thread.start()
            logger.info("stream of account %s started", account_id)

    def _run(self, runner: AccountStreamRunner) -> None:
        try:
            why = runner.run()
            logger.info("stream of account %s ended (%s)", runner.account_id, why)
        except Exception:
            logger.exception("stream of account %s crashed; it starts again at the next look", runner.account_id)
        finally:
            connection.close()  # this thread's own connection

    def shutdown(self) -> None:
        for runner, _thread in self.runners.values():
            runner.request_stop()
        for _runner, thread in self.runners.values():
            thread.join(timeout=JOIN_TIMEOUT)

    def ask_to_stop(self, number: int, frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(number).name)
        self.stop.set()
