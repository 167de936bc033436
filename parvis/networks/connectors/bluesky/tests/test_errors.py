"""Every way a Bluesky call fails becomes one of the four connector errors, with a message for people.

The bodies are Bluesky's own (tests/fixtures/errors.json), served by a small HTTP server on
loopback so that the whole path is exercised: Parvis's HTTP session, the SDK, the mapping.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.bluesky.client import BlueskyClient, retry_after_seconds
from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "errors.json").read_text())

SESSION = {
    "did": "did:plc:cci",
    "handle": "cci.test",
    "accessJwt": "",
    "refreshJwt": "",
}


def _jwt(exp: int) -> str:
    import base64

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part({'exp': exp, 'sub': 'did:plc:cci'})}.c2ln"


FAR = 4102444800  # 2100: the SDK will not refresh these on its own


@dataclass
class Canned:
    """Answers from a list, in order (the last one again once the list is spent); records each request."""

    answers: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.answers.append((status, headers or {"Content-Type": "application/json"}, data))

    def recorded(self, name: str) -> None:
        case = RECORDED[name]
        self.answer(case["status"], case["body"], case["headers"])

    def next(self) -> tuple[int, dict[str, str], bytes]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def canned() -> Iterator[Canned]:
    state = Canned()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            state.requests.append((self.command, self.path, dict(self.headers)))
            if state.delay:
                time.sleep(state.delay)
            status, headers, body = state.next()
            self.send_response_only(status)  # the recorded Date header, not the clock's
            if "Date" not in headers:
                self.send_header("Date", self.date_time_string())
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _reply  # the names http.server calls

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # a client that gave up
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def _session_ref(url: str, saved: list[dict[str, Any]] | None = None, *, access_exp: int = FAR) -> AccountRef:
    return AccountRef(
        id=1,
        network="bluesky",
        instance_url=url,
        external_id="did:plc:cci",
        handle="@cci.test",
        credentials={
            "did": "did:plc:cci",
            "handle": "cci.test",
            "access_jwt": _jwt(access_exp),
            "refresh_jwt": _jwt(FAR),
            "pds_endpoint": url,
        },
        save_credentials=saved.append if saved is not None else None,
    )


def test_a_wrong_password_is_refused_with_bluesky_s_words(canned: Canned) -> None:
    canned.recorded("bad_login")

    with BlueskyClient(canned.url) as client, pytest.raises(AuthExpired, match="Invalid identifier or password"):
        client.login("cci.test", "wrong")


def test_an_account_asking_for_an_e_mail_code_is_told_to_use_an_app_password(canned: Canned) -> None:
    canned.recorded("auth_factor")

    with BlueskyClient(canned.url) as client, pytest.raises(PermanentError, match="app password"):
        client.login("cci.test", "main-password")


@pytest.mark.parametrize(
    ("case", "error", "words"),
    [
        ("rate_limited_html", RateLimited, "slow down"),
        ("server_error", TransientError, "error 500"),
        ("bad_gateway", TransientError, "error 502"),
        ("not_implemented", PermanentError, "does not offer this"),
        ("invalid_request", PermanentError, re.escape("Bluesky refused it: Invalid record key for app.bsky.feed.post")),
        ("record_not_found", PermanentError, "Could not locate record"),
        ("payload_too_large", PermanentError, "too large"),
        ("not_bluesky", PermanentError, "does not answer like a Bluesky server"),
        ("takedown", AuthExpired, "Account has been taken down"),
        ("malformed", TransientError, "could not read"),
    ],
)
def test_each_recorded_answer_maps_to_its_error(canned: Canned, case: str, error: type[Exception], words: str) -> None:
    canned.recorded(case)

    with pytest.raises(error, match=words):
        BlueskyConnector().verify(_session_ref(canned.url))


def test_a_429_carries_the_wait_from_ratelimit_reset_read_against_the_server_s_clock(canned: Canned) -> None:
    canned.recorded("rate_limited")

    with pytest.raises(RateLimited) as raised:
        BlueskyConnector().verify(_session_ref(canned.url))

    assert raised.value.retry_after == 120
    assert "120 seconds" in raised.value.message


def test_retry_after_reads_seconds_dates_and_reset_times() -> None:
    assert retry_after_seconds({"Retry-After": "30"}) == 30
    assert retry_after_seconds({"retry-after": "Mon, 18 Sep 2023 10:32:30 GMT"}, now=1695033090) == 60
    assert retry_after_seconds({"ratelimit-reset": "1695033100"}, now=1695033090) == 10
    assert retry_after_seconds({"ratelimit-reset": "1695033000"}, now=1695033090) == 0
    assert retry_after_seconds({}) is None


def test_an_expired_token_is_refreshed_once_the_new_session_stored_and_the_call_repeated(canned: Canned) -> None:
    saved: list[dict[str, Any]] = []
    canned.recorded("expired_token")
    canned.answer(200, {**SESSION, "accessJwt": _jwt(FAR), "refreshJwt": "new-refresh"})
    canned.answer(200, {"did": "did:plc:cci", "handle": "cci.test", "displayName": "CCI Lyon"})

    profile = BlueskyConnector().verify(_session_ref(canned.url, saved))

    assert profile.display_name == "CCI Lyon"
    assert [path.split("?")[0] for _method, path, _headers in canned.requests] == [
        "/xrpc/app.bsky.actor.getProfile",
        "/xrpc/com.atproto.server.refreshSession",
        "/xrpc/app.bsky.actor.getProfile",
    ]
    refresh_headers = {key.lower(): value for key, value in canned.requests[1][2].items()}
    assert refresh_headers["authorization"] == f"Bearer {_jwt(FAR)}"
    assert [item["refresh_jwt"] for item in saved] == ["new-refresh"]


def test_a_token_still_refused_after_one_refresh_asks_for_reconnection(canned: Canned) -> None:
    canned.recorded("invalid_token")
    canned.answer(200, {**SESSION, "accessJwt": _jwt(FAR), "refreshJwt": "new-refresh"})
    canned.recorded("invalid_token")

    with pytest.raises(AuthExpired, match="reconnect"):
        BlueskyConnector().verify(_session_ref(canned.url))

    assert len(canned.requests) == 3


def test_a_refused_refresh_asks_for_reconnection(canned: Canned) -> None:
    canned.recorded("expired_token")

    with pytest.raises(AuthExpired, match="no longer accepts this account's session"):
        BlueskyConnector().verify(_session_ref(canned.url))


def test_the_sdk_refreshes_a_token_about_to_expire_before_calling_and_parvis_stores_it(canned: Canned) -> None:
    saved: list[dict[str, Any]] = []
    canned.answer(200, {**SESSION, "accessJwt": _jwt(FAR), "refreshJwt": "rotated"})
    canned.answer(200, {"did": "did:plc:cci", "handle": "cci.test"})

    BlueskyConnector().verify(_session_ref(canned.url, saved, access_exp=int(time.time()) + 60))

    assert canned.requests[0][1] == "/xrpc/com.atproto.server.refreshSession"
    assert [item["refresh_jwt"] for item in saved] == ["rotated"]


def test_an_account_without_a_session_asks_for_reconnection() -> None:
    ref = AccountRef(
        id=1, network="bluesky", instance_url="https://bsky.social", external_id="", handle="", credentials={}
    )

    with pytest.raises(AuthExpired, match="reconnect"):
        BlueskyConnector().verify(ref)


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(TransientError, match="could not be reached"):
        BlueskyConnector().verify(_session_ref(f"http://127.0.0.1:{port}"))


def test_a_server_too_slow_to_answer_is_transient(canned: Canned, settings: Any) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3
    canned.delay = 1.0
    canned.answer(200, {"did": "did:plc:cci", "handle": "cci.test"})

    with pytest.raises(TransientError, match="did not answer in time"):
        BlueskyConnector().verify(_session_ref(canned.url))


def test_a_private_address_is_refused_unless_the_operator_allows_it(canned: Canned, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []
    canned.answer(200, {"did": "did:plc:cci", "handle": "cci.test"})

    with pytest.raises(PermanentError, match="does not connect to this address"):
        BlueskyConnector().verify(_session_ref(canned.url))

    assert canned.requests == []


def test_a_notification_missing_what_the_lexicon_requires_is_transient(canned: Canned) -> None:
    canned.answer(200, {"notifications": [{"reason": "mention", "indexedAt": "2026-05-01T09:00:00.000Z"}]})

    with pytest.raises(TransientError, match="could not read"):
        BlueskyConnector().fetch(_session_ref(canned.url), {})
