"""A real HTTP server on 127.0.0.1 that serves feeds and scripted answers to the RSS connector."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Route:
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    content_type: str = RSS_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""  # answer 304 when the request's If-None-Match carries it
    last_modified: str = ""  # answer 304 when the request's If-Modified-Since equals it
    delay: float = 0.0  # seconds before answering
    stream_bytes: int = 0  # > 0: send this many bytes without Content-Length instead of `body`
    drip_delay: float = 0.0  # > 0: send `body` in 16 pieces, waiting this long before each one
    bytes_sent: int = 0
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, **route: object) -> str:
        """Script the answer on `path` (see Route) and return its absolute URL."""
        self.routes[path] = Route(**route)  # type: ignore[arg-type]
        return self.url(path)

    def serve_fixture(self, path: str, name: str, **route: object) -> str:
        return self.serve(path, body=fixture_bytes(name), **route)

    def hits(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(RecordedRequest(self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    self._answer(404, b"Not found", "text/plain", {})
                    return
                try:
                    self._answer_route(route)
                finally:
                    route.finished.set()

            def _answer_route(self, route: Route) -> None:
                if route.delay:
                    time.sleep(route.delay)
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    self.send_response(304)
                    self.end_headers()
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if route.stream_bytes:
                    self._stream(route, headers)
                elif route.drip_delay:
                    self._drip(route, headers)
                else:
                    self._answer(route.status, route.body, route.content_type, headers)

            def _answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeouts, size limits)
                    self.wfile.write(body)

            def _drip(self, route: Route, headers: dict[str, str]) -> None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                piece = max(1, len(route.body) // 16 + 1)
                try:
                    for start in range(0, len(route.body), piece):
                        time.sleep(route.drip_delay)
                        self.wfile.write(route.body[start : start + piece])
                        self.wfile.flush()
                except OSError:
                    pass  # the client gave up: what the download deadline is for

            def _stream(self, route: Route, headers: dict[str, str]) -> None:
                # No Content-Length: the client only learns the size by reading.
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<!-- padding -->" * 4096
                try:
                    while route.bytes_sent < route.stream_bytes:
                        self.wfile.write(chunk)
                        route.bytes_sent += len(chunk)
                except OSError:
                    pass  # the client hung up: what the size limit is for

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()
