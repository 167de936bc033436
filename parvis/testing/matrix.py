"""Synapse, Matrix's reference homeserver, for tests: a real server on 127.0.0.1, started by the tests.

Synapse is installed by `scripts/matrix install` (called by `scripts/bootstrap.sh --dev`) into its own
virtualenv, `var/synapse-venv`, because it pins its own dependencies. `SynapseServer` writes a fresh
configuration into a temporary folder (SQLite, one client listener on 127.0.0.1 and a free port,
registration by shared secret only, rate limits relaxed, no federation, no presence), generates its
signing key, starts `python -m synapse.app.homeserver` and waits until `/_matrix/client/versions`
answers. `stop()` ends it (SIGTERM, then SIGKILL); the process also gets SIGTERM when the test
process dies (Linux `PR_SET_PDEATHSIG`), so an interrupted run leaves no homeserver behind.

People are made with the shared-secret registration API (`register("bob")`) and act through
`MatrixPerson` (create rooms, invite, join, send, reply, read a room), a small client over plain
HTTP that talks to the server directly, outside Parvis's HTTP guard.

Fixtures
========

=======================  ========  ============================================================
fixture                  scope     gives
=======================  ========  ============================================================
``synapse_server``       session   the started `SynapseServer` (skipped when Synapse is not
                                   installed, with the command that installs it; fails when it is
                                   installed and does not start)
``matrix_connect``       function  ``connect(membership, name="org", **settings) -> (account,
                                   MatrixPerson)``: a new Synapse user connected to Parvis through
                                   the Matrix onboarding (password login) and ``account_connect``
=======================  ========  ============================================================

The connector is registered for the duration of the fixtures (`registered_matrix`) until
`parvis/networks/registry.py` lists it. Tests that use them are marked ``@pytest.mark.network``.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import hmac
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import requests

if TYPE_CHECKING:
    from parvis.core.models import Membership
    from parvis.networks.models import ConnectedAccount

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("PARVIS_SYNAPSE_VENV", str(ROOT / "var" / "synapse-venv")))
PYTHON = VENV / "bin" / "python"
INSTALLED_STAMP = VENV / ".parvis-installed"
INSTALL_HINT = "run `scripts/bootstrap.sh --dev` (or `scripts/matrix install`) to install it"
SERVER_NAME = "parvis.test"

START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
CALL_TIMEOUT = 30.0

_RELAXED = {"per_second": 10_000, "burst_count": 10_000}


class SynapseError(RuntimeError):
    """Synapse could not be started, or refused a test's call."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def synapse_installed() -> bool:
    return PYTHON.exists() and INSTALLED_STAMP.exists()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class MatrixPerson:
    """A user of the test homeserver, acting over plain HTTP (the people around the account under test)."""

    base_url: str
    user_id: str
    password: str
    access_token: str
    device_id: str = ""
    _http: requests.Session = field(default_factory=requests.Session, repr=False)
    _txn: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        url = self.base_url + (path if path.startswith("/_") else "/_matrix/client/v3" + path)
        response = self._http.request(
            method,
            url,
            json=body,
            params=params or None,
            headers={"Authorization": f"Bearer {self.access_token}"},
            timeout=CALL_TIMEOUT,
        )
        data: dict[str, Any] = response.json() if response.content else {}
        if response.status_code != 200:
            raise SynapseError(f"{method} {path} failed ({response.status_code}): {data}")
        return data

    def create_room(
        self, *, name: str = "", public: bool = True, invite: tuple[str, ...] = (), direct: bool = False
    ) -> str:
        body: dict[str, Any] = {"preset": "public_chat" if public else "private_chat", "invite": list(invite)}
        if name:
            body["name"] = name
        if direct:
            body.update({"is_direct": True, "preset": "trusted_private_chat"})
        return str(self.call("POST", "/createRoom", body)["room_id"])

    def invite(self, room_id: str, user_id: str) -> None:
        self.call("POST", f"/rooms/{quote(room_id, safe='')}/invite", {"user_id": user_id})

    def join(self, room_id: str) -> None:
        self.call("POST", f"/join/{quote(room_id, safe='')}", {})

    def send(self, room_id: str, text: str, **extra: Any) -> str:
        """Send a text message (plus any content keys: m.relates_to, m.mentions, formatted_body...); its event id."""
        content = {"msgtype": "m.text", "body": text, **extra}
        path = f"/rooms/{quote(room_id, safe='')}/send/m.room.message/{uuid.uuid4().hex}{next(self._txn)}"
        return str(self.call("PUT", path, content)["event_id"])

    def reply(self, room_id: str, event_id: str, text: str, **extra: Any) -> str:
        return self.send(room_id, text, **{"m.relates_to": {"m.in_reply_to": {"event_id": event_id}}, **extra})

    def set_direct(self, user_id: str, room_id: str) -> None:
        self.call("PUT", f"/user/{quote(self.user_id, safe='')}/account_data/m.direct", {user_id: [room_id]})

    def messages(self, room_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The room's newest `m.room.message` events, oldest first."""
        chunk = self.call("GET", f"/rooms/{quote(room_id, safe='')}/messages", dir="b", limit=limit)["chunk"]
        return [event for event in reversed(chunk) if event.get("type") == "m.room.message"]

    def event(self, room_id: str, event_id: str) -> dict[str, Any]:
        return self.call("GET", f"/rooms/{quote(room_id, safe='')}/event/{quote(event_id, safe='')}")

    def joined_rooms(self) -> list[str]:
        return [str(room) for room in self.call("GET", "/joined_rooms")["joined_rooms"]]

    def set_power_level(self, room_id: str, user_id: str, level: int) -> None:
        path = f"/rooms/{quote(room_id, safe='')}/state/m.room.power_levels/"
        levels = self.call("GET", path)
        levels.setdefault("users", {})[user_id] = level
        self.call("PUT", path, levels)


class SynapseServer:
    """One Synapse process with a throwaway configuration. Use as a context manager, or start() and stop()."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.shared_secret = secrets.token_hex(16)
        self.log_path = data_dir / "homeserver.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._counter = itertools.count(1)
        self._http = requests.Session()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SynapseServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- life cycle -------------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT) -> None:
        if not synapse_installed():
            raise SynapseError(f"Synapse is not installed in {VENV}: {INSTALL_HINT}.")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        config = self._write_config()
        generated = subprocess.run(  # noqa: S603 - our own virtualenv, fixed arguments
            [str(PYTHON), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if generated.returncode != 0:
            raise SynapseError(f"Synapse could not generate its keys: {generated.stderr.strip()[-2000:]}")
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our own virtualenv, fixed arguments
                [str(PYTHON), "-m", "synapse.app.homeserver", "-c", str(config)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent,
                start_new_session=True,  # Ctrl-C reaches pytest, which stops Synapse in order
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            with contextlib.suppress(requests.RequestException):
                if self._http.get(f"{self.base_url}/_matrix/client/versions", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        code = self._process.poll()
        self.stop(keep_files=True)
        reason = f"exited with code {code}" if code is not None else f"was not ready after {timeout:.0f} s"
        raise SynapseError(f"Synapse {reason}. Last lines of {self.log_path}:\n{self.log_tail()}")

    def stop(self, *, keep_files: bool = False) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._http.close()
        if not keep_files:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _write_config(self) -> Path:
        directory = self.data_dir
        log_config = directory / "log.yaml"
        log_config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
                    "handlers": {
                        "file": {"class": "logging.FileHandler", "formatter": "plain", "filename": str(self.log_path)}
                    },
                    "root": {"level": "WARNING", "handlers": ["file"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        relaxed = dict(_RELAXED)
        config: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "public_baseurl": self.base_url + "/",
            "pid_file": str(directory / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
            "log_config": str(log_config),
            "media_store_path": str(directory / "media"),
            "signing_key_path": str(directory / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "enable_metrics": False,
            "bcrypt_rounds": 4,
            "rc_message": relaxed,
            "rc_registration": relaxed,
            "rc_login": {"address": relaxed, "account": relaxed, "failed_attempts": relaxed},
            "rc_joins": {"local": relaxed, "remote": relaxed},
            "rc_joins_per_room": relaxed,
            "rc_invites": {"per_room": relaxed, "per_user": relaxed, "per_issuer": relaxed},
            "rc_admin_redaction": relaxed,
            "rc_room_creation": relaxed,
            "rc_3pid_validation": relaxed,
            "rc_presence": {"per_user": relaxed},
        }
        path = directory / "homeserver.yaml"
        path.write_text(json.dumps(config, indent=2))  # JSON is YAML
        return path

    # --- people -----------------------------------------------------------------------------------

    def register(self, name: str = "user", *, admin: bool = False, display_name: str = "") -> MatrixPerson:
        """A new user `@<name>-<n>:parvis.test`, registered with the shared secret, and logged in."""
        base = "".join(char for char in name.lower() if char.isalnum())[:12] or "user"
        username = f"{base}-{next(self._counter)}"
        password = f"pw-{username}-{secrets.token_hex(4)}"
        url = f"{self.base_url}/_synapse/admin/v1/register"
        nonce = self._http.get(url, timeout=CALL_TIMEOUT).json()["nonce"]
        message = b"\x00".join(
            [nonce.encode(), username.encode(), password.encode(), b"admin" if admin else b"notadmin"]
        )
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1).hexdigest()
        body = {"nonce": nonce, "username": username, "password": password, "admin": admin, "mac": mac}
        if display_name:
            body["displayname"] = display_name
        response = self._http.post(url, json=body, timeout=CALL_TIMEOUT)
        if response.status_code != 200:
            raise SynapseError(f"Registering {username} failed ({response.status_code}): {response.text}")
        data = response.json()
        return MatrixPerson(
            base_url=self.base_url,
            user_id=str(data["user_id"]),
            password=password,
            access_token=str(data["access_token"]),
            device_id=str(data.get("device_id", "")),
        )


# --- pytest fixtures ---------------------------------------------------------------------------------

ConnectMatrix = Callable[..., tuple["ConnectedAccount", MatrixPerson]]

_start_failure: list[str] = []

MATRIX_CONNECTOR = "parvis.networks.connectors.matrix.connector.MatrixConnector"


@contextlib.contextmanager
def registered_matrix() -> Iterator[None]:
    """The Matrix connector in the registry for the duration (a no-op once registry.py lists it)."""
    from parvis.networks import registry

    if registry.CONNECTORS.get("matrix") == MATRIX_CONNECTOR:
        yield
        return
    registry.CONNECTORS["matrix"] = MATRIX_CONNECTOR
    registry.get_connector_class.cache_clear()
    try:
        yield
    finally:
        registry.CONNECTORS.pop("matrix", None)
        registry.get_connector_class.cache_clear()


@pytest.fixture
def matrix_registered() -> Iterator[None]:
    with registered_matrix():
        yield


@pytest.fixture(scope="session")
def synapse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """Synapse on 127.0.0.1, started once per test session (per xdist worker) and stopped after it."""
    if not synapse_installed():
        pytest.skip(f"Synapse (Matrix homeserver) is not installed in {VENV}: {INSTALL_HINT}")
    if _start_failure:
        pytest.fail(_start_failure[0], pytrace=False)
    server = SynapseServer(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
    except SynapseError as error:
        _start_failure.append(str(error))
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def matrix_connect(synapse_server: SynapseServer, matrix_registered: None) -> ConnectMatrix:
    """Connect a new Synapse user to Parvis the way the onboarding form does (password login).

    `connect(membership, name="org", **settings)`; settings are the account's (`default_room`,
    `auto_join`). Returns the ConnectedAccount and the same user as a `MatrixPerson`.
    """

    def connect(membership: Membership, name: str = "org", **settings: Any) -> tuple[ConnectedAccount, MatrixPerson]:
        from parvis.networks.connectors.matrix.onboarding import password_connect

        person = synapse_server.register(name, display_name=name.title())
        account = password_connect(
            membership=membership,
            homeserver=synapse_server.base_url,
            user=person.user_id,
            password=person.password,
            default_room=str(settings.get("default_room", "")),
            auto_join=bool(settings.get("auto_join", False)),
        )
        return account, person

    return connect
