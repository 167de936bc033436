"""Real mail servers for tests: Dovecot (IMAP) and aiosmtpd (SMTP) on 127.0.0.1, started by the tests.

Dovecot comes from Debian's `dovecot-imapd`, installed by `scripts/mail install` (called by
`scripts/bootstrap.sh --dev`). `DovecotServer` writes its own configuration into a fresh folder
under /tmp (IMAP only, no TLS, plain passwords allowed on loopback, users in a passwd-file, mail in
Maildir folders there, a "Sent" folder created for every user) and runs `dovecot -F` as a child
process listening on 127.0.0.1 and a free port. Run as root (as in CI), Dovecot's login processes
must not run as root: they use the package's `dovenull` user and mail is stored as the `dovecot`
user; run as anybody else, everything runs as that user. `stop()` ends the process (SIGTERM, then
SIGKILL) and removes the folder; the process also gets SIGTERM when the test process dies.

Mail is delivered with IMAP APPEND (`deliver(mailbox, raw)`), as a local delivery agent would.

`SmtpSink` is aiosmtpd's `Controller` on 127.0.0.1 and a free port, keeping every message it is
given (`received`: envelope sender, recipients, and the parsed message), optionally asking for a
user name and password (`require_auth`).

Fixtures
========

=======================  ========  ============================================================
fixture                  scope     gives
=======================  ========  ============================================================
``dovecot_server``       session   the started `DovecotServer` (skipped when Dovecot is not
                                   installed, with the command that installs it; fails when it is
                                   installed and does not start)
``smtp_sink``            session   the started `SmtpSink`
``smtp_server``          function  the same sink, emptied before the test
``mailbox``              function  a new `Mailbox` (address, password) on Dovecot
``email_connect``        function  ``connect(membership, **settings) -> (account, Mailbox)``: a new
                                   mailbox connected to Parvis through the e-mail onboarding
=======================  ========  ============================================================

Tests that use them are marked ``@pytest.mark.network``.
"""

from __future__ import annotations

import contextlib
import ctypes
import email.policy
import imaplib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from parvis.core.models import Membership
    from parvis.networks.models import ConnectedAccount

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
INSTALL_HINT = "run `scripts/bootstrap.sh --dev` (or `scripts/mail install`) to install it"
DOMAIN = "parvis.test"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
POOL_SIZE = 500

EMAIL_CONNECTOR = "parvis.networks.connectors.email.connector.EmailConnector"


class MailServerError(RuntimeError):
    """A test mail server could not be started, or refused a test's call."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dovecot_installed() -> bool:
    return Path(DOVECOT).exists()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass(frozen=True)
class Mailbox:
    """A user of the test IMAP server: its address is its login."""

    address: str
    password: str


class DovecotServer:
    """One Dovecot process with a throwaway configuration. Use as a context manager, or start() and stop()."""

    def __init__(self) -> None:
        self.base = Path()
        self.port = 0
        self.host = "127.0.0.1"
        self._process: subprocess.Popen[bytes] | None = None
        self._pool: list[Mailbox] = []
        self._lock = threading.Lock()

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def passwd_file(self) -> Path:
        return self.base / "passwd"

    @property
    def log_path(self) -> Path:
        return self.base / "dovecot.log"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        if not dovecot_installed():
            raise MailServerError(f"Dovecot is not installed: {INSTALL_HINT}.")
        # Short and traversable by Dovecot's unprivileged users: its sockets live under it.
        self.base = Path(tempfile.mkdtemp(prefix="pvdc-", dir="/tmp"))
        self.base.chmod(0o755)
        self.port = free_port()
        mail_uid, mail_gid = self._write_config()
        home = self.base / "home"
        home.mkdir(mode=0o755)
        os.chown(home, mail_uid, mail_gid)
        # Dovecot notices a changed passwd-file by its modification time, to the second: mailboxes
        # added one by one would sometimes be unknown for a second. They are all written now.
        self._pool = [
            Mailbox(address=f"user{number}-{secrets.token_hex(3)}@{DOMAIN}", password=secrets.token_hex(8))
            for number in range(POOL_SIZE)
        ]
        self.passwd_file.write_text("".join(f"{box.address}:{{PLAIN}}{box.password}\n" for box in self._pool))
        self.passwd_file.chmod(0o644)
        log = (self.base / "stderr.log").open("ab")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - Debian's binary, our own configuration
                [DOVECOT, "-F", "-c", str(self.base / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.1)
        code = self._process.poll()
        tail = self.log_tail()
        self.stop()
        reason = f"exited with code {code}" if code is not None else f"was not ready after {timeout:.0f} s"
        raise MailServerError(f"Dovecot {reason}:\n{tail}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self.base != Path() and self.base.exists():
            shutil.rmtree(self.base, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for path in (self.log_path, self.base / "stderr.log"):
            with contextlib.suppress(OSError):
                parts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(parts) or "(no log)"

    def _write_config(self) -> tuple[int, int]:
        if os.geteuid() == 0:
            try:
                mail_user = pwd.getpwnam("dovecot")
                pwd.getpwnam("dovenull")
            except KeyError as error:
                raise MailServerError(f"Dovecot's system users are missing ({error}): {INSTALL_HINT}.") from error
            login_user, internal_user, internal_group = "dovenull", "dovecot", "dovecot"
            mail_uid, mail_gid = mail_user.pw_uid, mail_user.pw_gid
        else:
            me = pwd.getpwuid(os.geteuid())
            login_user = internal_user = me.pw_name
            internal_group = str(os.getegid())
            import grp

            with contextlib.suppress(KeyError):
                internal_group = grp.getgrgid(os.getegid()).gr_name
            mail_uid, mail_gid = os.geteuid(), os.getegid()
        base = self.base
        config = f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {self.log_path}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
mail_privileged_group =
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd_file}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={base}/home/%u
}}
"""
        (base / "dovecot.conf").write_text(config)
        return mail_uid, mail_gid

    # --- people and mail ---------------------------------------------------------------------------

    def add_mailbox(self, name: str = "user") -> Mailbox:
        """A new, empty mailbox (from the ones written at start: POOL_SIZE per server)."""
        with self._lock:
            if not self._pool:
                raise MailServerError(f"All {POOL_SIZE} test mailboxes are used; raise POOL_SIZE.")
            return self._pool.pop(0)

    @contextlib.contextmanager
    def imap(self, mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(mailbox.address, mailbox.password)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def deliver(self, mailbox: Mailbox, raw: bytes | EmailMessage, *, folder: str = "INBOX") -> None:
        """Put a message in the mailbox's folder (IMAP APPEND), as a delivery agent would."""
        data = raw.as_bytes(policy=email.policy.SMTP) if isinstance(raw, EmailMessage) else raw
        with self.imap(mailbox) as client:
            status, answer = client.append(folder, "", None, data)
            if status != "OK":
                raise MailServerError(f"APPEND to {folder} failed: {answer}")

    def create_folder(self, mailbox: Mailbox, folder: str) -> None:
        with self.imap(mailbox) as client:
            client.create(folder)

    def delete_folder(self, mailbox: Mailbox, folder: str) -> None:
        with self.imap(mailbox) as client:
            client.delete(folder)

    def messages(self, mailbox: Mailbox, folder: str = "INBOX") -> list[EmailMessage]:
        """The messages in a folder, oldest first, parsed."""
        found: list[EmailMessage] = []
        with self.imap(mailbox) as client:
            client.select(folder, readonly=True)
            _status, data = client.uid("SEARCH", "ALL")
            for uid in (data[0] or b"").split():
                _status, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
                raw = next(part[1] for part in parts if isinstance(part, tuple))
                found.append(BytesParser(policy=email.policy.default).parsebytes(raw))
        return found

    def settings_for(self, mailbox: Mailbox, smtp: SmtpSink, **extra: Any) -> dict[str, Any]:
        """The onboarding form's fields for this mailbox and SMTP sink."""
        return {
            "imap_host": self.host,
            "imap_port": self.port,
            "imap_security": "none",
            "imap_username": mailbox.address,
            "imap_password": mailbox.password,
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "smtp_username": smtp.username if smtp.require_auth else "",
            "smtp_password": smtp.password if smtp.require_auth else "",
            "from_address": mailbox.address,
            "from_name": "CCI Lyon",
            "folder": "INBOX",
            "sent_folder": "Sent",
            **extra,
        }


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class SmtpSink:
    """aiosmtpd on 127.0.0.1 keeping every message it accepts."""

    def __init__(self, *, require_auth: bool = True) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.require_auth = require_auth
        self.username = "parvis"
        self.password = secrets.token_hex(8)
        self.received: list[Received] = []
        self.refuse_recipients: set[str] = set()
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        sink = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
            ) -> str:
                if address.lower() in sink.refuse_recipients:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                raw = bytes(envelope.original_content or envelope.content)
                message = BytesParser(policy=email.policy.default).parsebytes(raw)
                sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
                return "250 Message accepted for delivery"

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (
                sink.username,
                sink.password,
            )
            return AuthResult(success=ok, handled=False)

        self.port = free_port()

        class QuietController(Controller):
            def factory(self) -> Any:
                # Plain-text AUTH on loopback is the point of this test server: no warning per connection.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    return super().factory()  # type: ignore[no-untyped-call]

        self._controller = QuietController(
            Handler(),
            hostname=self.host,
            port=self.port,
            authenticator=authenticate if self.require_auth else None,
            auth_required=self.require_auth,
            auth_require_tls=False,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self) -> None:
        self.received.clear()
        self.refuse_recipients.clear()


# --- pytest fixtures ---------------------------------------------------------------------------------

ConnectEmail = Callable[..., tuple["ConnectedAccount", Mailbox]]

_start_failure: list[str] = []


@contextlib.contextmanager
def registered_email() -> Iterator[None]:
    """The e-mail connector in the registry for the duration (a no-op once registry.py lists it)."""
    from parvis.networks import registry

    if registry.CONNECTORS.get("email") == EMAIL_CONNECTOR:
        yield
        return
    registry.CONNECTORS["email"] = EMAIL_CONNECTOR
    registry.get_connector_class.cache_clear()
    try:
        yield
    finally:
        registry.CONNECTORS.pop("email", None)
        registry.get_connector_class.cache_clear()


@pytest.fixture
def email_registered() -> Iterator[None]:
    with registered_email():
        yield


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """Dovecot on 127.0.0.1, started once per test session (per xdist worker) and stopped after it."""
    if not dovecot_installed():
        pytest.skip(f"Dovecot (Debian package dovecot-imapd) is not installed: {INSTALL_HINT}")
    if _start_failure:
        pytest.fail(_start_failure[0], pytrace=False)
    server = DovecotServer()
    try:
        server.start()
    except MailServerError as error:
        _start_failure.append(str(error))
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def smtp_server(smtp_sink: SmtpSink) -> SmtpSink:
    smtp_sink.reset()
    return smtp_sink


@pytest.fixture
def mailbox(dovecot_server: DovecotServer) -> Mailbox:
    return dovecot_server.add_mailbox("cci")


@pytest.fixture
def email_connect(dovecot_server: DovecotServer, smtp_server: SmtpSink, email_registered: None) -> ConnectEmail:
    """Connect a new mailbox to Parvis the way the onboarding form does: `connect(membership, **settings)`."""

    def connect(membership: Membership, **settings: Any) -> tuple[ConnectedAccount, Mailbox]:
        from parvis.networks.connectors.email.onboarding import mailbox_connect

        box = dovecot_server.add_mailbox("cci")
        account = mailbox_connect(membership=membership, **dovecot_server.settings_for(box, smtp_server, **settings))
        return account, box

    return connect
