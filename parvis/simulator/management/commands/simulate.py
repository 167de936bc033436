"""`manage.py simulate`: play the community against a mastodon-mock server (see parvis.simulator)."""

from __future__ import annotations

import json
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parvis.simulator.runner import CommunityRunner, Outcome, SimulatorError
from parvis.simulator.script import DEFAULT_PERSONAS, generate_records


class Command(BaseCommand):
    help = (
        "Play a lively French-speaking community on a mastodon-mock server: follows, questions, praise, "
        "criticism, threads, private messages, spam, the odd insult. Deterministic from --seed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--server", help="Base URL of the mastodon-mock server, e.g. http://127.0.0.1:3000")
        parser.add_argument("--org-handle", default="cci_demo", help="Username of the organisation's account")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--pace", type=float, default=5.0, help="Mean seconds between two actions (0: no wait)")
        parser.add_argument("--steps", type=int, default=None, help="Stop after this many actions (default: never)")
        parser.add_argument("--personas", type=int, default=DEFAULT_PERSONAS, help="Size of the community (8-44)")
        parser.add_argument(
            "--event-hashtag",
            default=None,
            help="Hashtag of a live event: about one action in three becomes a post about it (the live wall)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the records as JSON lines without any server (--steps defaults to 50)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self._dry_run(options)
            return
        if not options["server"]:
            raise CommandError("--server is required (or use --dry-run)")
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        try:
            runner = CommunityRunner(
                server_url=options["server"],
                org_handle=options["org_handle"],
                seed=options["seed"],
                pace=options["pace"],
                personas=options["personas"],
                event_hashtag=options["event_hashtag"],
            )
            runner.setup()
            self.stdout.write(
                f"{len(runner.script.personas)} personas ready on {runner.server_url}; "
                f"talking to @{runner.org_username} every {options['pace']:g} s on average (seed {options['seed']})"
            )
            played = runner.run(steps=options["steps"], stop=stop, on_outcome=self._report)
        except SimulatorError as error:
            raise CommandError(str(error)) from error
        except ValueError as error:  # a community size out of range
            raise CommandError(str(error)) from error
        self.stdout.write(f"Stopped after {played} actions.")

    def _dry_run(self, options: dict[str, Any]) -> None:
        records = generate_records(
            seed=options["seed"],
            steps=options["steps"] if options["steps"] is not None else 50,
            org_handle=options["org_handle"],
            personas=options["personas"],
            event_hashtag=options["event_hashtag"],
        )
        for record in records:
            self.stdout.write(json.dumps(record.as_dict(), ensure_ascii=False))

    def _report(self, outcome: Outcome) -> None:
        record = outcome.record
        family = f" [{record.family}]" if record.family else ""
        what = f"{record.kind.value}/{record.label.value}{family}"
        text = record.text if len(record.text) <= 100 else record.text[:99] + "…"
        line = f"#{record.index} @{record.persona} {what}" + (f": {text}" if text else "")
        if outcome.error:
            self.stderr.write(f"{line} — FAILED: {outcome.error}")
        elif outcome.note:
            self.stdout.write(f"{line} ({outcome.note})")
        else:
            self.stdout.write(line)
