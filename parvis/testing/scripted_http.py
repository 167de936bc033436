"""A scripted HTTP server on 127.0.0.1, for contract tests of networks that cannot run locally (X, LinkedIn...).

The connector under test sends real HTTP requests (through `parvis.core.http.session()`,
its timeouts and its address checks) to this server, which answers what the test
scripted from the network's official API reference and records every request so the
test can assert method, path, headers, query, JSON body and form fields.

    server = ScriptedServer.start()
    server.add("POST", "/2/tweets", status=201, json={"data": {"id": "1", "text": "hi"}})
    server.add("GET", r"/2/users/\\d+/tweets", json=..., times=1)  # paths are regular expressions
    ... call the connector with base URL server.url ...
    request = server.only("POST", "/2/tweets")
    assert request.json() == {"text": "hi"}
    server.stop()

Replies to one route are served in the order they were added; a reply added with
`times=None` (the default) is served for every later matching request. A route that
matches nothing answers 599 with {"error": "unscripted"} so a missing script is loud.
`delay` sleeps before answering (timeouts); `handler` computes the reply from the request.
"""

from __future__ import annotations

import json as jsonlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.body.decode())

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def arg(self, name: str) -> str:
        values = self.query.get(name)
        return values[-1] if values else ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    reply: Reply | None
    handler: Callable[[Recorded], Reply] | None
    times: int | None


class ScriptedServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                reply = server._reply_for(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body if reply.body is not None else b""
                headers = dict(reply.headers)
                if reply.json is not None:
                    payload = jsonlib.dumps(reply.json).encode()
                    headers.setdefault("Content-Type", "application/json")
                try:
                    self.send_response(reply.status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @classmethod
    def start(cls) -> Self:
        server = cls()
        server._thread.start()
        return server

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int | None = None,
        handler: Callable[[Recorded], Reply] | None = None,
    ) -> None:
        """Script the answer to `method` on paths matching the regular expression `path` (whole path)."""
        reply = (
            None if handler else Reply(status=status, json=json, body=body, headers=dict(headers or {}), delay=delay)
        )
        with self._lock:
            self._routes.append(_Route(method.upper(), re.compile(path), reply, handler, times))

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self.requests.clear()

    def _reply_for(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            for route in self._routes:
                if route.method != recorded.method or not route.pattern.fullmatch(recorded.path):
                    continue
                if route.times is not None:
                    if route.times <= 0:
                        continue
                    route.times -= 1
                if route.handler is not None:
                    return route.handler(recorded)
                return route.reply or Reply()
        return Reply(status=599, json={"error": "unscripted", "method": recorded.method, "path": recorded.path})

    def received(self, method: str, path: str) -> list[Recorded]:
        """The requests received for `method` on paths matching `path`, in order."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)]

    def only(self, method: str, path: str) -> Recorded:
        """The one request received for `method` and `path` (fails when there were none or several)."""
        found = self.received(method, path)
        if len(found) != 1:
            seen = [(r.method, r.path) for r in self.requests]
            raise AssertionError(f"{len(found)} requests {method} {path}; received {seen}")
        return found[0]
