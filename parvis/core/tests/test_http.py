"""The one outbound HTTP module, against a real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import urllib3.util.connection

from parvis.core import http
from parvis.core.http import USER_AGENT, ResponseTooLarge, ResponseTooSlow, UnsafeURLError, check_url, session


class LocalServer:
    """Answers a few scripted paths and remembers every request it got."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                if self.path == "/slow":
                    time.sleep(1.5)
                if self.path.startswith("/redirect-to/"):
                    self.send_response(302)
                    self.send_header("Location", self.path.removeprefix("/redirect-to/"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/gzip-bomb":
                    self._send(gzip.compress(b"\0" * (1024 * 1024)), {"Content-Encoding": "gzip"})
                    return
                if self.path == "/trickle":
                    self._trickle()
                    return
                self._send(json.dumps({"headers": dict(self.headers.items())}).encode(), {})

            def do_POST(self) -> None:
                self.do_GET()

            def _send(self, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeouts, size limits)
                    self.wfile.write(body)

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "20")
                self.end_headers()
                try:
                    for _ in range(20):
                        time.sleep(0.1)
                        self.wfile.write(b"x")
                        self.wfile.flush()
                except OSError:
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.stop()


@pytest.fixture
def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the socket is closed


@pytest.fixture
def connection_attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connection urllib3 opens, recorded on the way to the real socket call."""
    attempts: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def counting(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return attempts


# --- private addresses ------------------------------------------------------------------------


def test_it_refuses_a_loopback_address_unless_allowed(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []

    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1 resolves to the non-public address 127\.0\.0\.1"):
        session().get(server.url("/"))

    assert server.paths == []


def test_it_reaches_a_loopback_address_an_operator_allowed(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = ["127.0.0.1"]

    response = session().get(server.url("/"))

    assert response.status_code == 200


def test_it_refuses_a_host_name_that_resolves_to_loopback(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []

    with pytest.raises(UnsafeURLError, match="localhost resolves to the non-public address"):
        session().get(server.url("/", host="localhost"))


def test_it_allows_every_host_with_a_wildcard(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = ["*"]

    assert session().get(server.url("/", host="localhost")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_it_refuses_private_link_local_and_reserved_addresses(url: str, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []

    with pytest.raises(UnsafeURLError, match="non-public address"):
        check_url(url)


def test_it_accepts_a_public_address(settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []

    check_url("https://93.184.216.34/feed.xml")


def test_it_refuses_a_redirect_to_a_host_that_is_not_allowed(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = ["127.0.0.1"]
    target = server.url("/target", host="localhost")

    with pytest.raises(UnsafeURLError, match="localhost resolves to the non-public address"):
        session().get(server.url(f"/redirect-to/{target}"))

    assert server.paths == [f"/redirect-to/{target}"]


def test_it_refuses_a_name_that_resolves_to_a_private_address_when_connecting(
    server: LocalServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name looks public when checked, then points to loopback when connecting.
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []
    monkeypatch.setattr(http, "_resolve", lambda host, port: ["93.184.216.34"])

    with pytest.raises(UnsafeURLError, match=r"localhost resolves to the non-public address 127\.0\.0\.1"):
        session().get(server.url("/", host="localhost"))

    assert server.paths == []


def test_it_reports_a_host_that_cannot_be_resolved_as_a_connection_error(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []

    def no_such_host(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(http, "_resolve", no_such_host)

    with pytest.raises(requests.exceptions.ConnectionError, match=r"Cannot resolve host 'cci-lyon\.invalid'"):
        session().get("https://cci-lyon.invalid/feed.xml")


# --- schemes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://example.org/"])
def test_it_refuses_schemes_other_than_http(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="Only http and https URLs are allowed"):
        session().get(url)


def test_it_refuses_a_javascript_url() -> None:
    with pytest.raises(UnsafeURLError, match="not 'javascript'"):
        check_url("javascript:alert(1)")


def test_it_refuses_a_url_without_host() -> None:
    with pytest.raises(UnsafeURLError, match="The URL has no host"):
        check_url("http:///feed.xml")


# --- timeouts, identity, retries --------------------------------------------------------------


def test_it_applies_the_default_timeout(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.2
    started = time.monotonic()

    with pytest.raises(requests.exceptions.ReadTimeout):
        session().get(server.url("/slow"))

    assert time.monotonic() - started < 1.0


def test_it_applies_a_timeout_even_when_the_caller_asks_for_none(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.2

    with pytest.raises(requests.exceptions.ReadTimeout):
        session().get(server.url("/slow"), timeout=None)


def test_it_applies_the_timeout_given_to_the_session(server: LocalServer) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        session(timeout=0.2).get(server.url("/slow"))


def test_it_does_not_retry_a_get_that_timed_out(server: LocalServer, settings: Any) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.2

    with pytest.raises(requests.exceptions.ReadTimeout):
        session().get(server.url("/slow"))

    assert server.paths == ["/slow"]


def test_it_sends_its_user_agent(server: LocalServer) -> None:
    echoed = session().get(server.url("/echo")).json()

    assert echoed["headers"]["User-Agent"] == USER_AGENT


def test_it_retries_a_get_whose_connection_failed(dead_port: int, connection_attempts: list[tuple[str, int]]) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        session().get(f"http://127.0.0.1:{dead_port}/")

    assert connection_attempts == [("127.0.0.1", dead_port)] * 3


def test_it_never_retries_a_post(dead_port: int, connection_attempts: list[tuple[str, int]]) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        session().post(f"http://127.0.0.1:{dead_port}/", data={"status": "Bonjour"})

    assert connection_attempts == [("127.0.0.1", dead_port)]


# --- bounded reads ----------------------------------------------------------------------------


def test_it_reads_a_body_within_the_limits(server: LocalServer) -> None:
    with session().get(server.url("/echo"), stream=True) as response:
        body = http.read_limited(response, max_bytes=10_000, max_seconds=5)

    assert json.loads(body)["headers"]["User-Agent"] == USER_AGENT


def test_it_refuses_a_body_announced_larger_than_the_limit(server: LocalServer) -> None:
    with session().get(server.url("/echo"), stream=True) as response, pytest.raises(ResponseTooLarge):
        http.read_limited(response, max_bytes=10)


def test_it_measures_the_limit_on_the_decompressed_body(server: LocalServer) -> None:
    with session().get(server.url("/gzip-bomb"), stream=True) as response:
        assert int(response.headers["Content-Length"]) < 100_000
        with pytest.raises(ResponseTooLarge, match="longer than 100000 bytes"):
            http.read_limited(response, max_bytes=100_000)


def test_it_gives_up_on_a_body_that_trickles_in(server: LocalServer) -> None:
    started = time.monotonic()

    with session().get(server.url("/trickle"), stream=True) as response, pytest.raises(ResponseTooSlow):
        http.read_limited(response, max_bytes=1000, max_seconds=0.3)

    assert time.monotonic() - started < 1.5  # the whole body takes 2 s
