"""E-mail: a mailbox read over IMAP, answered over SMTP.

An account is a mailbox: IMAP host, port, security ("ssl", "starttls" or "none"), user name and
password; SMTP host, port, security, user name and password (empty: no authentication); the
address and name mail is sent from; the folder to read (INBOX by default) and, optionally, the
folder where sent mail is kept ("Sent"). The account's external id is the sending address.

Reading (`fetch`, IMAP through `imapclient`): the folder is opened read-only (nothing is marked
as read). The cursor is the folder's UIDVALIDITY and the last UID read:
- first connection: the newest BACKFILL messages;
- later polls: UIDs above the last one, oldest first, at most MAX_PER_POLL a poll (the next poll
  goes on from there);
- UIDVALIDITY changed (the folder was rebuilt, UIDs mean nothing any more): the messages received
  since the day before the newest one seen are read again. Their Message-ID is the external id,
  so what was already in the inbox is not stored twice.
Each message becomes a DIRECT_MESSAGE: the thread key is the conversation's first Message-ID
(References, else In-Reply-To), the text is the text/plain part or the HTML part turned into
text, never HTML; attachments are listed (name, type, size) and not kept. Messages larger than
MAX_MESSAGE_BYTES are read in part (headers and the first MAX_MESSAGE_BYTES of the body). A
message that cannot be read is skipped and recorded in the cursor's "errors" (and the log); it
never stops the others. Messages sent from the account's own address and automatic ones
(`Auto-Submitted`: vacation replies, bounces) are skipped.

Writing (`execute`, SMTP through `smtplib`):
- REPLY: the answered message is looked up in the folder by its Message-ID; the answer goes to its
  Reply-To (else From) with "Re: <subject>", In-Reply-To and References (the original's chain plus
  its id);
- SEND_DIRECT: a new mail to `target_handle` (an address); the subject is the text's first line.
The Message-ID of every mail is derived from the action's idempotency key
(`<parvis-<key>@<sending domain>>`): with a sent folder, Parvis looks for it there before sending
and does not send it again, and keeps a copy there after sending (`locate` reads it back). SMTP
itself has no idempotency, so `idempotent_publish` is False; without a sent folder an uncertain
attempt is held for a person.

Addresses are checked like web addresses (`parvis.core.http.check_url`): a host that resolves to
a private address is refused unless PARVIS_PRIVATE_HOSTS_ALLOWED lists it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar

from django.conf import settings
from imapclient import IMAPClient
from imapclient import exceptions as imap_errors

from parvis.core.http import UnsafeURLError, check_url
from parvis.networks.connectors.email.mail import (
    MalformedMail,
    ParsedMail,
    bracket,
    date_of,
    format_address,
    parse_message,
    reply_subject,
)
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import (
    AccountRef,
    ActionKind,
    ActionRequest,
    ActionResult,
    Author,
    Capabilities,
    EventKind,
    FetchResult,
    NetworkEvent,
    Profile,
)

logger = logging.getLogger(__name__)

NETWORK = "email"
BACKFILL = 50
MAX_PER_POLL = 200
FETCH_CHUNK = 50
MAX_MESSAGE_BYTES = 2_000_000
MAX_ERRORS_KEPT = 20
MAX_CHARACTERS = 50_000
SUBJECT_MAX = 78

SECURITY_CHOICES = ("ssl", "starttls", "none")
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _timeout() -> float:
    return float(getattr(settings, "PARVIS_HTTP_TIMEOUT", 20))


def _check_host(host: str, port: int) -> None:
    """Refuse a host that resolves to a private address, as parvis.core.http does for web addresses."""
    literal = f"[{host}]" if ":" in host else host
    try:
        check_url(f"http://{literal}:{port}/")
    except UnsafeURLError as error:
        raise PermanentError(f"Parvis may not connect to this mail server: {error}") from error
    except OSError as error:  # the name does not resolve
        raise TransientError(f"The mail server {host} cannot be found.") from error


@contextlib.contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """The one place IMAP, SMTP and socket failures become connector errors. `what`: "mailbox" or "mail server"."""
    try:
        yield
    except ConnectorError:
        raise
    except imap_errors.LoginError as error:
        raise AuthExpired(f"The {what} refused the user name or password: connect the account again.") from error
    except smtplib.SMTPAuthenticationError as error:
        raise AuthExpired(f"The {what} refused the user name or password: connect the account again.") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _message in error.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise TransientError(f"The {what} cannot take the mail for now: {error.recipients}") from error
        raise PermanentError(f"The {what} refused the recipient: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        said = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        if error.smtp_code == 421 or (error.smtp_code == 451 and "rate" in str(said).lower()):
            raise RateLimited(f"The {what} asks Parvis to slow down ({error.smtp_code} {said}).") from error
        if 400 <= error.smtp_code < 500:
            raise TransientError(f"The {what} failed for now ({error.smtp_code} {said}).") from error
        raise PermanentError(f"The {what} refused the mail ({error.smtp_code} {said}).") from error
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
        raise TransientError(f"The connection to the {what} was lost.") from error
    except smtplib.SMTPException as error:
        raise PermanentError(f"The {what} refused: {error}") from error
    except imap_errors.IMAPClientAbortError as error:
        raise TransientError(f"The connection to the {what} was lost.") from error
    except imap_errors.IMAPClientError as error:
        text = str(error)
        if "NONEXISTENT" in text.upper() or "doesn't exist" in text or "not exist" in text.lower():
            raise PermanentError(f"The folder does not exist on the {what}: {text}") from error
        raise TransientError(f"The {what} refused the request: {text}") from error
    except ssl.SSLError as error:
        raise PermanentError(f"The secure connection to the {what} failed: {error}") from error
    except TimeoutError as error:
        raise TransientError(f"The {what} did not answer in time.") from error
    except OSError as error:
        raise TransientError(f"The {what} cannot be reached ({error}).") from error


def _settings(account: AccountRef) -> dict[str, Any]:
    return dict(account.credentials)


@contextlib.contextmanager
def open_imap(account: AccountRef) -> Iterator[IMAPClient]:
    """A logged-in IMAP connection to the account's mailbox."""
    config = _settings(account)
    host = str(config.get("imap_host", ""))
    port = int(config.get("imap_port") or 993)
    security = str(config.get("imap_security") or "ssl")
    _check_host(host, port)
    with translate_errors("mailbox"):
        client = IMAPClient(
            host, port=port, ssl=security == "ssl", ssl_context=ssl.create_default_context(), timeout=_timeout()
        )
        try:
            if security == "starttls":
                client.starttls(ssl.create_default_context())
            client.login(str(config.get("imap_username", "")), str(config.get("imap_password", "")))
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()


@contextlib.contextmanager
def open_smtp(account: AccountRef) -> Iterator[smtplib.SMTP]:
    config = _settings(account)
    host = str(config.get("smtp_host", ""))
    port = int(config.get("smtp_port") or 465)
    security = str(config.get("smtp_security") or "ssl")
    _check_host(host, port)
    with translate_errors("mail server"):
        smtp: smtplib.SMTP
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=_timeout(), context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=_timeout())
        try:
            smtp.ehlo()
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            username = str(config.get("smtp_username") or "")
            if username:
                smtp.login(username, str(config.get("smtp_password") or ""))
            yield smtp
        finally:
            with contextlib.suppress(Exception):
                smtp.quit()


class EmailConnector:
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "E-mail"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_CHARACTERS,
        link_length=None,
        max_media=0,
        threads=True,
        actions=frozenset({ActionKind.REPLY, ActionKind.SEND_DIRECT}),
        event_kinds=frozenset({EventKind.DIRECT_MESSAGE}),
        direct_messages=True,
        poll_interval_seconds=60,
        oauth=False,
        token_paste=True,  # server settings and a password, typed in the onboarding form
        reply_mentions_author=False,
        counting="characters",
        hashtags=False,
        mention_prefix="",
        idempotent_publish=False,  # SMTP has no idempotency key; a sent folder lets execute look first
        read_back=False,  # only with a sent folder: `locate` works then, but cannot be promised
        search=False,
    )

    # --- the contract -------------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        config = _settings(account)
        address = str(config.get("from_address", "")).strip().lower()
        if "@" not in address:
            raise PermanentError("The account has no sending address.")
        folder = str(config.get("folder") or "INBOX")
        with open_imap(account) as imap, translate_errors("mailbox"):
            imap.select_folder(folder, readonly=True)
            sent = str(config.get("sent_folder") or "")
            if sent:
                imap.select_folder(sent, readonly=True)
        with open_smtp(account) as smtp, translate_errors("mail server"):
            smtp.noop()
        name = str(config.get("from_name") or "")
        return Profile(external_id=address, handle=address, display_name=name or address, url=f"mailto:{address}")

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        config = _settings(account)
        folder = str(config.get("folder") or "INBOX")
        own = str(config.get("from_address", "")).strip().lower()
        with open_imap(account) as imap, translate_errors("mailbox"):
            info = imap.select_folder(folder, readonly=True)
            validity = int(info[b"UIDVALIDITY"])
            uids = self._uids_to_read(imap, validity, cursor)
            fetched = self._read(imap, uids)
        errors = list(cursor.get("errors") or [])
        events: dict[str, NetworkEvent] = {}
        newest = _parse_iso(cursor.get("newest_date"))
        for uid in uids:
            raw, received = fetched.get(uid, (b"", None))
            try:
                mail = parse_message(raw)
            except MalformedMail as error:
                logger.warning("e-mail account %s: message UID %s skipped: %s", account.id, uid, error)
                errors.append({"uid": uid, "uidvalidity": validity, "error": str(error)})
                continue
            when = date_of(mail, received)
            if received is not None and (newest is None or received > newest):
                newest = received
            if mail.from_address == own or mail.auto_submitted:
                continue
            events.setdefault(mail.message_id, _event(mail, when, uid, validity))
        last_uid = max(uids) if uids else int(cursor.get("last_uid") or 0)
        if cursor.get("uidvalidity") not in (None, validity) and not uids:
            last_uid = 0
        new_cursor: dict[str, Any] = {
            "uidvalidity": validity,
            "last_uid": last_uid,
            "newest_date": newest.isoformat() if newest else None,
            "errors": errors[-MAX_ERRORS_KEPT:],
        }
        # In UID order: the order mail arrived in the folder.
        return FetchResult(events=list(events.values()), cursor=new_cursor)

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        if request.kind == ActionKind.REPLY:
            return self._reply(account, request)
        if request.kind == ActionKind.SEND_DIRECT:
            return self._send_direct(account, request)
        raise PermanentError(f"E-mail cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        return len(text)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """The sent mail, found by its Message-ID in the sent folder (which the account must name)."""
        sent = str(_settings(account).get("sent_folder") or "")
        if not sent:
            raise PermanentError("This mailbox has no sent folder set: Parvis cannot look for a sent mail.")
        message_id = external_id or outgoing_message_id(account, request)
        with open_imap(account) as imap, translate_errors("mailbox"):
            found = _find(imap, sent, message_id)
        return ActionResult(external_id=message_id) if found else None

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("Parvis does not search mailboxes.")

    # --- reading ------------------------------------------------------------------------------------

    def _uids_to_read(self, imap: IMAPClient, validity: int, cursor: dict[str, Any]) -> list[int]:
        stored = cursor.get("uidvalidity")
        if stored is None:  # first connection: the newest messages only
            return sorted(int(uid) for uid in imap.search(["ALL"]))[-BACKFILL:]
        if int(stored) != validity:  # the folder was rebuilt: read again what arrived since the newest seen
            newest = _parse_iso(cursor.get("newest_date"))
            if newest is None:
                return sorted(int(uid) for uid in imap.search(["ALL"]))[-BACKFILL:]
            since = (newest - timedelta(days=1)).date()
            return sorted(int(uid) for uid in imap.search(["SINCE", since]))[:MAX_PER_POLL]
        last = int(cursor.get("last_uid") or 0)
        # "n:*" always includes the highest UID, even when it is below n: keep only the new ones.
        found = [int(uid) for uid in imap.search(["UID", f"{last + 1}:*"]) if int(uid) > last]
        return sorted(found)[:MAX_PER_POLL]

    def _read(self, imap: IMAPClient, uids: list[int]) -> dict[int, tuple[bytes, datetime | None]]:
        """The bytes and arrival time of each message; large ones in part (headers and the start of the body)."""
        found: dict[int, tuple[bytes, datetime | None]] = {}
        if not uids:
            return found
        sizes = imap.fetch(uids, ["RFC822.SIZE"])
        small = [uid for uid in uids if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) <= MAX_MESSAGE_BYTES]
        large = [uid for uid in uids if uid not in set(small)]
        for start in range(0, len(small), FETCH_CHUNK):
            chunk = small[start : start + FETCH_CHUNK]
            for uid, data in imap.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"]).items():
                found[int(uid)] = (bytes(data.get(b"BODY[]") or b""), _aware(data.get(b"INTERNALDATE")))
        for uid in large:
            part = f"BODY.PEEK[TEXT]<0.{MAX_MESSAGE_BYTES}>"
            for got_uid, data in imap.fetch([uid], ["BODY.PEEK[HEADER]", part, "INTERNALDATE"]).items():
                header = bytes(data.get(b"BODY[HEADER]") or b"")
                body = bytes(data.get(b"BODY[TEXT]<0>") or b"")
                found[int(got_uid)] = (header + body, _aware(data.get(b"INTERNALDATE")))
        return found

    # --- writing ------------------------------------------------------------------------------------

    def _reply(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This reply does not say which mail it answers.")
        _check_text(request.text)
        folder = str(_settings(account).get("folder") or "INBOX")
        with open_imap(account) as imap, translate_errors("mailbox"):
            original = _original(imap, folder, request.in_reply_to_id)
        if original is not None:
            recipient = original.reply_to or original.from_address
            subject = reply_subject(original.subject)
            references = [*original.references, original.message_id]
        else:  # no longer in the folder: answer the author, without the subject
            recipient = request.in_reply_to_author.strip()
            subject = "Re:"
            references = [request.in_reply_to_id]
        if "@" not in recipient:
            raise PermanentError("Parvis cannot tell whom to answer: the mail is no longer in the mailbox.")
        message = self._message(account, request, to=recipient, subject=subject)
        message["In-Reply-To"] = bracket(request.in_reply_to_id)
        message["References"] = " ".join(bracket(item) for item in references[-20:])
        return self._send(account, request, message)

    def _send_direct(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        recipient = (request.target_handle or request.target_id).strip()
        if not EMAIL_RE.match(recipient):
            raise PermanentError(f"“{recipient}” is not an e-mail address.")
        _check_text(request.text)
        first_line = request.text.strip().splitlines()[0].strip()
        subject = first_line if len(first_line) <= SUBJECT_MAX else first_line[: SUBJECT_MAX - 1].rstrip() + "…"
        return self._send(account, request, self._message(account, request, to=recipient, subject=subject))

    def _message(self, account: AccountRef, request: ActionRequest, *, to: str, subject: str) -> EmailMessage:
        config = _settings(account)
        message = EmailMessage()
        message["From"] = format_address(str(config.get("from_address", "")), str(config.get("from_name") or ""))
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(tz=UTC))
        message["Message-ID"] = bracket(outgoing_message_id(account, request))
        message.set_content(request.text)
        return message

    def _send(self, account: AccountRef, request: ActionRequest, message: EmailMessage) -> ActionResult:
        message_id = outgoing_message_id(account, request)
        sent_folder = str(_settings(account).get("sent_folder") or "")
        if sent_folder:
            with open_imap(account) as imap, translate_errors("mailbox"):
                if _find(imap, sent_folder, message_id):  # a previous attempt went out: do not send twice
                    return ActionResult(external_id=message_id, data={"to": str(message["To"]), "resent": False})
        sender = str(_settings(account).get("from_address", ""))
        with open_smtp(account) as smtp, translate_errors("mail server"):
            smtp.send_message(message, from_addr=sender, to_addrs=[str(message["To"])])
        if sent_folder:
            try:
                with open_imap(account) as imap, translate_errors("mailbox"):
                    imap.append(sent_folder, message.as_bytes(), flags=[b"\\Seen"])
            except ConnectorError as error:  # the mail is sent; only the copy is missing
                logger.warning("e-mail account %s: copy to %s failed: %s", account.id, sent_folder, error.message)
        return ActionResult(external_id=message_id, data={"to": str(message["To"]), "subject": str(message["Subject"])})


def outgoing_message_id(account: AccountRef, request: ActionRequest) -> str:
    """The Message-ID of the mail an action sends, without brackets: the same for every attempt."""
    domain = str(_settings(account).get("from_address", "")).rpartition("@")[2] or "parvis.invalid"
    return f"parvis-{request.idempotency_key}@{domain.lower()}"


def _check_text(text: str) -> None:
    if not text.strip():
        raise PermanentError("There is nothing to send: the text is empty.")
    if len(text) > MAX_CHARACTERS:
        raise PermanentError(f"Mail sent by Parvis is limited to {MAX_CHARACTERS} characters.")


def _find(imap: IMAPClient, folder: str, message_id: str) -> list[int]:
    imap.select_folder(folder, readonly=True)
    return [int(uid) for uid in imap.search(["HEADER", "Message-ID", bracket(message_id)])]


def _original(imap: IMAPClient, folder: str, message_id: str) -> ParsedMail | None:
    uids = _find(imap, folder, message_id)
    if not uids:
        return None
    data = imap.fetch(uids[:1], ["BODY.PEEK[HEADER]"])
    header = bytes(next(iter(data.values())).get(b"BODY[HEADER]") or b"")
    try:
        return parse_message(header + b"\r\n")
    except MalformedMail:
        return None


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _event(mail: ParsedMail, when: datetime, uid: int, validity: int) -> NetworkEvent:
    text = mail.text
    if mail.attachments:
        listed = ", ".join(f"{item.filename} ({_size(item.size)})" for item in mail.attachments)
        text = f"{text}\n\n📎 {listed}".strip()
    return NetworkEvent(
        kind=EventKind.DIRECT_MESSAGE,
        external_id=mail.message_id,
        occurred_at=when,
        author=Author(
            external_id=mail.from_address,
            handle=mail.from_address,
            display_name=mail.from_name,
            url=f"mailto:{mail.from_address}",
        ),
        text=text,
        title=mail.subject,
        in_reply_to_id=mail.in_reply_to,
        thread_key=mail.thread_root,
        visibility="direct",
        raw={
            "subject": mail.subject,
            "to": list(mail.to),
            "references": list(mail.references),
            "attachments": [item.as_json() for item in mail.attachments],
            "uid": uid,
            "uidvalidity": validity,
        },
    )


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1000:
        return f"{size // 1000} KB"
    return f"{size} B"
