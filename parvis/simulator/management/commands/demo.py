"""`manage.py demo` (what `make demo` runs after scripts/bootstrap.sh): the whole of Parvis on one machine.

1. Start a local Mastodon (mastodon-mock, state in var/demo/) and wait until it answers.
2. Seed the demo: users, workspace, the organisation's account connected (parvis.simulator.demo).
3. Start the web server (gunicorn), connect the RSS feed it serves, start the worker and the scheduler.
4. Start the community simulator, so that messages keep arriving.
5. Print where to go and how to sign in, relay every child's output prefixed with its name,
   and stop everything (no orphan) on Ctrl-C, SIGTERM, or as soon as one child dies.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

import requests
from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import NoReverseMatch, reverse

from parvis.networks.errors import ConnectorError
from parvis.simulator.corpus import DEMO_EVENT_HASHTAG
from parvis.simulator.demo import (
    DEMO_COMMUNITY_MANAGER,
    DEMO_ORG_USERNAME,
    DEMO_OWNER,
    demo_connect_feed,
    demo_org_token,
    demo_seed,
    mock_config,
)
from parvis.simulator.supervisor import Supervisor

HOST = "127.0.0.1"
DEFAULT_MASTODON_PORT = 3000
READY_TIMEOUT = 60.0
FEED_PATH = "static/simulator/demo-feed.xml"


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _Stop(Exception):
    """Ctrl-C or SIGTERM arrived while starting."""


class Command(BaseCommand):
    help = "Run the demo: a local Mastodon and its community, the web server, the worker and the scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port of the web server (default 8000)")
        parser.add_argument(
            "--mastodon-port",
            type=int,
            default=None,
            help=f"Port of the local Mastodon (default {DEFAULT_MASTODON_PORT}, or a free one if it is taken)",
        )
        parser.add_argument("--seed", type=int, default=42, help="Seed of the community simulator")
        parser.add_argument("--pace", type=float, default=8.0, help="Mean seconds between two community actions")
        parser.add_argument("--no-simulator", action="store_true", help="Do not start the community simulator")
        parser.add_argument(
            "--reset-network", action="store_true", help="Start the local Mastodon from scratch (forget its history)"
        )

    # --- helpers -------------------------------------------------------------------------------

    def _say(self, line: str) -> None:
        self.supervisor.say("demo", line)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = True

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise _Stop

    def _wait_http(self, url: str, child_name: str) -> None:
        """Wait until `url` answers anything at all, while the child that serves it is alive."""
        session = requests.Session()
        session.trust_env = False  # loopback: never through a proxy
        deadline = time.monotonic() + READY_TIMEOUT
        child = next(child for child in self.supervisor.children if child.name == child_name)
        while True:
            self._check_stop()
            if child.returncode is not None:
                raise CommandError(f"{child_name} exited with code {child.returncode} while starting")
            try:
                session.get(url, timeout=2)
            except requests.RequestException:
                pass
            else:
                return
            if time.monotonic() > deadline:
                raise CommandError(f"{child_name} did not answer at {url} within {READY_TIMEOUT:g} s")
            time.sleep(0.3)

    def _mastodon_port(self, requested: int | None) -> int:
        if requested is not None:
            if not port_free(requested):
                raise CommandError(f"Port {requested} is taken; choose another with --mastodon-port.")
            return requested
        if port_free(DEFAULT_MASTODON_PORT):
            return DEFAULT_MASTODON_PORT
        port = free_port()
        self._say(f"port {DEFAULT_MASTODON_PORT} is taken: the local Mastodon uses port {port}")
        return port

    def _environment(self, web_url: str) -> dict[str, str]:
        allowed = list(dict.fromkeys([*settings.PARVIS_PRIVATE_HOSTS_ALLOWED, HOST, "localhost"]))
        # This process connects the accounts itself: it needs the same permission as its children.
        settings.PARVIS_PRIVATE_HOSTS_ALLOWED = allowed
        env = dict(os.environ)
        env.update(
            {
                "PARVIS_PRIVATE_HOSTS_ALLOWED": ",".join(allowed),
                "PARVIS_BASE_URL": web_url,
                "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "parvis.settings"),
            }
        )
        return env

    def _sign_in_url(self, web_url: str) -> str:
        try:
            return web_url + reverse("web:login")
        except NoReverseMatch:
            return web_url + "/"

    # --- the command ---------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        web_url = f"http://{HOST}:{port}"
        self.stop_requested = False
        self.supervisor = Supervisor(
            write=self._write_line,
            cwd=Path(settings.BASE_DIR),
            env={},
            color=self.stdout.isatty(),
        )
        if not port_free(port):
            raise CommandError(f"Port {port} is taken (another Parvis running?); choose another with --port.")
        mastodon_port = self._mastodon_port(options["mastodon_port"])
        mastodon_url = f"http://{HOST}:{mastodon_port}"
        self.supervisor.env = self._environment(web_url)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        failure = ""
        try:
            self._start(options, web_url=web_url, mastodon_url=mastodon_url, mastodon_port=mastodon_port)
            while not self.stop_requested:
                child = self.supervisor.exited()
                if child is not None:
                    failure = f"{child.name} exited with code {child.returncode}; stopping everything."
                    break
                time.sleep(0.3)
        except _Stop:
            pass
        finally:
            if failure:
                self._say(failure)
            self._say("stopping…")
            killed = self.supervisor.stop_all()
            if killed:
                self._say(f"killed after the grace period: {', '.join(killed)}")
            self._say("stopped.")
        if failure:
            raise CommandError(failure)

    def _write_line(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _start(self, options: dict[str, Any], *, web_url: str, mastodon_url: str, mastodon_port: int) -> None:
        python = sys.executable
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        demo_dir = Path(settings.VAR_DIR) / "demo"
        demo_dir.mkdir(parents=True, exist_ok=True)
        demo_dir.chmod(0o700)  # the mock's database holds the personas' and the organisation's tokens
        database = demo_dir / "mastodon-mock.sqlite3"
        if options["reset_network"] and database.exists():
            database.unlink()
            self._say("the local Mastodon starts from scratch (--reset-network)")
        token = demo_org_token(demo_dir)
        config = demo_dir / "mastodon-mock.toml"
        config.write_text(mock_config(org_token=token, database_path=database, host=HOST, port=mastodon_port))
        config.chmod(0o600)

        # 1. The network.
        self._say(f"starting the local Mastodon on {mastodon_url}")
        self.supervisor.start(
            "mastodon",
            [
                *(python, "-m", "mastodon_mock", "serve", "--config", str(config)),
                *("--host", HOST, "--port", str(mastodon_port), "--log-level", "warning"),
            ],
        )
        self._wait_http(f"{mastodon_url}/api/v1/instance", "mastodon")

        # 2. The data.
        try:
            seed = demo_seed(instance_url=mastodon_url, access_token=token)
        except ConnectorError as error:
            raise CommandError(f"The local Mastodon refused the organisation's token: {error.message}") from error
        self._say(f"workspace “{seed.workspace.name}”: {seed.account.handle} connected")
        self.event_path = ""
        if seed.event is not None:
            self._say(f"live event “{seed.event.name}” (#{seed.event.hashtag}) is running now")
            try:
                self.event_path = reverse("web:event_live", args=[seed.event.pk])
            except NoReverseMatch:
                self.event_path = ""
        if seed.retired:
            self._say(f"{seed.retired} older Mastodon account(s) of the demo disconnected")
        connections.close_all()  # this process holds no database connection while the others work
        self._check_stop()

        # 3. Parvis: the web server first, so the RSS feed it serves can be connected before the
        # worker starts writing to the database.
        self.supervisor.start(
            "web",
            [
                *(python, "-m", "gunicorn", "parvis.wsgi:application", "--bind", f"{HOST}:{options['port']}"),
                *("--workers", "2", "--threads", "4", "--graceful-timeout", "5", "--log-level", "warning"),
            ],
        )
        self._wait_http(f"{web_url}/", "web")
        feed, why_not = demo_connect_feed(membership=seed.owner, url=f"{web_url}/{FEED_PATH}")
        self._say(f"RSS feed connected: {feed.handle}" if feed else f"no RSS feed connected: {why_not}")
        connections.close_all()
        self._check_stop()
        self.supervisor.start("worker", [python, manage, "db_worker", "--interval", "1", "--no-startup-delay"])
        if "parvis_scheduler" in get_commands():
            self.supervisor.start("scheduler", [python, manage, "parvis_scheduler"])
        else:
            self._say("WARNING: no parvis_scheduler command: nothing will poll the accounts or send due actions")
        if "parvis_stream" in get_commands():
            # Mastodon's user stream: mentions and replies arrive within a second, the poll stays the safety net.
            self.supervisor.start("stream", [python, manage, "parvis_stream"])

        # 4. The community.
        if not options["no_simulator"]:
            self.supervisor.start(
                "simulator",
                [
                    *(python, manage, "simulate", "--server", mastodon_url, "--org-handle", DEMO_ORG_USERNAME),
                    *("--seed", str(options["seed"]), "--pace", str(options["pace"])),
                    *("--event-hashtag", DEMO_EVENT_HASHTAG),
                ],
            )
        self._banner(web_url=web_url, mastodon_url=mastodon_url, options=options)

    def _banner(self, *, web_url: str, mastodon_url: str, options: dict[str, Any]) -> None:
        community = (
            "not started (--no-simulator)"
            if options["no_simulator"]
            else f"one action every ~{options['pace']:g} s (seed {options['seed']})"
        )
        rule = "─" * 72
        for line in (
            rule,
            "Parvis demo is running",
            f"  Open          {self._sign_in_url(web_url)}",
            f"  Sign in       {DEMO_OWNER.username} / {DEMO_OWNER.password}   (owner)",
            f"                {DEMO_COMMUNITY_MANAGER.username} / {DEMO_COMMUNITY_MANAGER.password}"
            "   (community manager)",
            f"  Mastodon      {mastodon_url}   (the organisation is @{DEMO_ORG_USERNAME})",
            f"  Community     {community}",
            *([f"  Live event    {web_url}{self.event_path}   (#{DEMO_EVENT_HASHTAG})"] if self.event_path else []),
            "  Stop          Ctrl-C",
            rule,
        ):
            self._say(line)
