"""A real Mastodon API on loopback for tests and the demo: mastodon-mock in a thread, over HTTP or HTTPS.

`MastodonMockServer` starts mastodon-mock's FastAPI app with uvicorn on
127.0.0.1 and a free port, and gives tests the mock's control plane:

- `create_account()` makes a local account and returns its access token
  (`POST /api/v1/_mock/dev_user`);
- `client(account)` is a Mastodon.py client acting as that account, to post,
  mention, follow or send a private message the way a person would;
- `reset()` drops every row and re-applies the seed (`POST /api/v1/_mock/reset`);
- `add_fault()` / `fault()` make the next matching requests fail
  (`/api/v1/_mock/faults`: effects "status", "ratelimit", "latency", "malformed", "timeout").

With `tls=TLSMaterial.create(directory)` the server speaks HTTPS with a
certificate signed by a throwaway CA (trustme). Clients trust it through
REQUESTS_CA_BUNDLE=`tls.ca_path`; Mastodon.py refuses the OAuth flow on plain
http, so OAuth tests need this variant.

Status and profile URLs point at the server itself (the mock's domain is set
to `127.0.0.1:<port>`), so they can be opened in a browser during the demo.

`TcpRelay` sits between Parvis and the server and can cut every open connection at once: how the
stream tests make the server drop a stream.

The pytest fixtures built on this live in `parvis.testing.fixtures`.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import requests

if TYPE_CHECKING:
    from mastodon import Mastodon
    from mastodon_mock.config import SeedConfig

# mastodon-mock (FastAPI, SQLAlchemy) and Mastodon.py are imported when a server starts or a client
# is made: the fixtures are registered for every test run, most of which never start a server.

CONTROL_TIMEOUT = 10.0


@dataclass(frozen=True)
class MockAccount:
    """A local account on the mock, with an access token that acts as it."""

    id: str
    username: str
    access_token: str
    display_name: str = ""

    @property
    def mention(self) -> str:
        """How another account of the same instance mentions it: "@username"."""
        return f"@{self.username}"


@dataclass(frozen=True)
class TLSMaterial:
    """A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost."""

    ca_path: Path
    cert_path: Path
    key_path: Path

    @classmethod
    def create(cls, directory: Path) -> TLSMaterial:
        import trustme  # a test dependency: imported only when HTTPS is asked for

        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        directory.mkdir(parents=True, exist_ok=True)
        material = cls(
            ca_path=directory / "ca.pem", cert_path=directory / "server.pem", key_path=directory / "server.key"
        )
        authority.cert_pem.write_to_path(str(material.ca_path))
        certificate.cert_chain_pems[0].write_to_path(str(material.cert_path))
        for extra in certificate.cert_chain_pems[1:]:
            extra.write_to_path(str(material.cert_path), append=True)
        certificate.private_key_pem.write_to_path(str(material.key_path))
        return material


class MastodonMockServer:
    """mastodon-mock served by uvicorn in a daemon thread. Use as a context manager, or start()/stop().

    `seed` defaults to no account at all: tests create the accounts they need with
    `create_account()`, so what each test sees is written in the test.
    """

    def __init__(
        self,
        *,
        seed: SeedConfig | None = None,
        tls: TLSMaterial | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 10.0,
        stream_heartbeat: float = 0.2,
    ) -> None:
        self.seed = seed
        self.stream_heartbeat = stream_heartbeat  # seconds between the stream's keep-alives (Mastodon: 15)
        self.tls = tls
        self.host = host
        self._startup_timeout = startup_timeout
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._media_dir: tempfile.TemporaryDirectory[str] | None = None
        self._http = requests.Session()
        self._http.verify = str(tls.ca_path) if tls is not None else True
        # The control plane talks to loopback only; never go through a proxy from the environment.
        self._http.trust_env = False

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        """Bind a free port, serve the mock in a thread, wait until it answers. Idempotent."""
        if self.started:
            return self
        import uvicorn
        from mastodon_mock.app import create_app
        from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedConfig, StreamingConfig

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        port = int(sock.getsockname()[1])
        self._media_dir = tempfile.TemporaryDirectory(prefix="parvis-mastodon-mock-")
        config = MastodonMockConfig(
            domain=f"{self.host}:{port}",
            url_scheme="https" if self.tls else "http",
            database=DatabaseConfig(path=":memory:"),
            seed=self.seed if self.seed is not None else SeedConfig(),
            media_storage_path=self._media_dir.name,
            streaming=StreamingConfig(heartbeat_seconds=self.stream_heartbeat),
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(config),
                log_level="warning",
                ssl_certfile=str(self.tls.cert_path) if self.tls else None,
                ssl_keyfile=str(self.tls.key_path) if self.tls else None,
                # Requests held open by a "timeout" fault must not hold up the end of the tests.
                timeout_graceful_shutdown=1,
            )
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="mastodon-mock")
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError(f"mastodon-mock did not start on {self.host}:{port}")
            time.sleep(0.02)
        self._server, self._thread, self._port = server, thread, port
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread. Idempotent."""
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = self._port = None
        self._http.close()
        if self._media_dir is not None:
            self._media_dir.cleanup()
            self._media_dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("The mastodon-mock server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """The instance URL to give Parvis, e.g. http://127.0.0.1:54321."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def instance_host(self) -> str:
        """The instance as it appears in handles: "127.0.0.1:<port>"."""
        return f"{self.host}:{self.port}"

    def handle_of(self, account: MockAccount) -> str:
        """The handle Parvis gives this account: "@username@127.0.0.1:<port>"."""
        return f"@{account.username}@{self.instance_host}"

    # --- control plane --------------------------------------------------------------------------

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.base_url}{path}", timeout=CONTROL_TIMEOUT, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Drop every account, status and fault rule; re-apply the seed."""
        self._control("POST", "/api/v1/_mock/reset")

    def create_account(self, username: str | None = None, *, display_name: str = "") -> MockAccount:
        """A new local account and an access token for it (the username is generated when not given)."""
        body = {"username": username or "", "display_name": display_name}
        data = self._control("POST", "/api/v1/_mock/dev_user", json=body)
        return MockAccount(
            id=str(data["id"]),
            username=str(data["username"]),
            access_token=str(data["access_token"]),
            display_name=str(data.get("display_name") or ""),
        )

    def client(self, account: MockAccount | str) -> Mastodon:
        """A Mastodon.py client acting as `account` (or a raw access token), to play the other people."""
        from mastodon import Mastodon

        token = account.access_token if isinstance(account, MockAccount) else account
        session = requests.Session()
        session.verify = self._http.verify
        session.trust_env = False
        return Mastodon(
            access_token=token,
            api_base_url=self.base_url,
            session=session,
            request_timeout=CONTROL_TIMEOUT,
            ratelimit_method="throw",
        )

    def add_fault(
        self,
        *,
        effect: str = "status",
        path: str | None = None,
        path_regex: str | None = None,
        methods: list[str] | None = None,
        status: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay_ms: int = 0,
        truncate: bool = True,
        count: int | None = None,
    ) -> str:
        """Make matching requests fail; returns the rule id. `count=None` fires until removed.

        Effects: "status" (answer `status` with `body`), "ratelimit" (429 with X-RateLimit-* and
        Retry-After headers, overridable through `headers`), "latency" (`delay_ms` then the normal
        answer), "malformed" (a 200 with a body that is not JSON), "timeout" (hold the request at
        least 30 s). `path` may hold shell wildcards ("/api/v1/statuses/*"). The control plane
        (/api/v1/_mock/...) is never affected.
        """
        rule_effect: dict[str, Any] = {"type": effect, "delay_ms": delay_ms, "truncate": truncate}
        if status is not None:
            rule_effect["status"] = status
        if body is not None:
            rule_effect["body"] = body
        if headers is not None:
            rule_effect["headers"] = headers
        rule = {
            "match": {"methods": methods, "path": path, "path_regex": path_regex},
            "effect": rule_effect,
            "count": count,
        }
        data = self._control("POST", "/api/v1/_mock/faults", json=rule)
        return str(data["id"])

    def remove_fault(self, rule_id: str) -> None:
        with contextlib.suppress(requests.HTTPError):  # already used up
            self._control("DELETE", f"/api/v1/_mock/faults/{rule_id}")

    def clear_faults(self) -> None:
        self._control("DELETE", "/api/v1/_mock/faults")

    @contextlib.contextmanager
    def fault(self, **rule: Any) -> Iterator[str]:
        """`add_fault(**rule)` for the duration of a `with` block."""
        rule_id = self.add_fault(**rule)
        try:
            yield rule_id
        finally:
            self.remove_fault(rule_id)

    def __repr__(self) -> str:
        where = self.base_url if self.started else "not started"
        return f"<MastodonMockServer {where}>"


class TcpRelay:
    """A TCP relay on 127.0.0.1 to `target_port`, whose open connections can be cut (`drop_all`).

    Point Parvis at `base_url` instead of the server's: everything goes through, until the test
    drops the connections, as a server restart or a proxy timeout would.
    """

    def __init__(self, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target_port = target_port
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.accepted = 0

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("The relay is not started")
        return int(self._listener.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True, name="tcp-relay").start()
        return self

    def _accept(self) -> None:
        listener = self._listener
        while listener is not None:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((self.host, self.target_port), timeout=CONTROL_TIMEOUT)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update({client, upstream})
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()

    def drop_all(self) -> None:
        """Cut every open connection (both ends see the connection closed)."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._close(sock)

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # unblocks accept()
            with contextlib.suppress(OSError):
                listener.close()
        self.drop_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
