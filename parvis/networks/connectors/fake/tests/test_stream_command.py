"""The parvis_stream command: one runner per streamable account, all stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from django.core.management import call_command

from parvis.networks.management.commands import parvis_stream
from parvis.networks.models import AccountStatus
from parvis.networks.tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


class Runner:
    """Stands for AccountStreamRunner (which needs the database from its own thread): waits to be stopped."""

    started: list[int] = []
    stopped: list[int] = []

    def __init__(self, account_id: int, *, stop: threading.Event) -> None:
        self.account_id = account_id
        self.stop = stop

    def run(self) -> str:
        self.started.append(self.account_id)
        self.stop.wait(10)
        return "stopped"

    def request_stop(self) -> None:
        self.stopped.append(self.account_id)
        self.stop.set()


def test_sigterm_stops_the_stream_of_every_active_account(monkeypatch: pytest.MonkeyPatch) -> None:
    active = ConnectedAccountFactory()
    ConnectedAccountFactory(status=AccountStatus.NEEDS_REAUTH)
    monkeypatch.setattr(parvis_stream, "AccountStreamRunner", Runner)
    monkeypatch.setattr(parvis_stream.connection, "close", lambda: None)  # the runner threads share the test's
    Runner.started, Runner.stopped = [], []

    def terminate() -> None:
        deadline = time.monotonic() + 10
        while not Runner.started and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate, daemon=True).start()
    call_command("parvis_stream", rescan=0.05)

    assert Runner.started == [active.pk]
    assert Runner.stopped == [active.pk]
