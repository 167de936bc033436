"""Drill: the network keeps the post but answers too late (past PARVIS_HTTP_TIMEOUT) during a burst.

A proxy in front of mastodon-mock forwards each post at once but without its Idempotency-Key
(a network without them), then holds the answer past the timeout for the first few posts. Parvis
gets a TransientError, retries, and the read-back finds the post: none is published twice.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from parvis.core.models import Membership
from parvis.networks.models import Action, ActionStatus, AttemptOutcome
from parvis.networks.services import account_connect
from parvis.networks.tests.drills.conftest import BURST, Burst, drain, statuses_by_text
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.network

HTTP_TIMEOUT = 0.5
SLOW_POSTS = 3


class SlowProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.slow_left = SLOW_POSTS
        self.lock = threading.Lock()
        self.session = requests.Session()
        self.session.trust_env = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: SlowProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in {"host", "content-length", "idempotency-key", "connection"}
        }
        upstream = self.server.session.request(
            self.command, self.server.upstream + self.path, data=body, headers=headers, timeout=10
        )
        slow = False
        if self.command == "POST" and self.path.startswith("/api/v1/statuses"):
            with self.server.lock:
                if self.server.slow_left > 0:
                    self.server.slow_left -= 1
                    slow = True
        if slow:
            time.sleep(HTTP_TIMEOUT * 3)  # the post exists upstream; the answer comes too late
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(upstream.status_code)
            for name, value in upstream.headers.items():
                if name.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(upstream.content)))
            self.end_headers()
            self.wfile.write(upstream.content)

    do_GET = _forward
    do_POST = _forward


@pytest.fixture
def proxy(mastodon_server: MastodonMockServer) -> Iterator[SlowProxy]:
    server = SlowProxy(mastodon_server.base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_posts_answered_too_late_are_found_by_the_read_back_and_not_published_twice(
    mastodon_server: MastodonMockServer,
    proxy: SlowProxy,
    camille: Membership,
    burst: Burst,
    settings: pytest.FixtureRequest,
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = HTTP_TIMEOUT  # type: ignore[attr-defined]
    org = mastodon_server.create_account("org")
    account = account_connect(
        membership=camille,
        network="mastodon",
        instance_url=proxy.url,
        credentials={"access_token": org.access_token},
    )

    actions = burst(account)
    drain(actions, make_due=True, timeout=30)

    ids = [action.pk for action in actions]
    assert not Action.objects.filter(pk__in=ids).exclude(status=ActionStatus.DONE).exists()
    timed_out = Action.objects.filter(pk__in=ids, attempt_log__outcome=AttemptOutcome.TRANSIENT).distinct()
    assert timed_out.count() == SLOW_POSTS
    for action in timed_out:
        assert [attempt.outcome for attempt in action.attempt_log.all()] == [
            AttemptOutcome.TRANSIENT,
            AttemptOutcome.FOUND,
        ]
        assert "did not answer in time" in action.attempt_log.first().error  # type: ignore[union-attr]
    counts = statuses_by_text(mastodon_server, org)
    assert len(counts) == BURST
    assert set(counts.values()) == {1}
