"""Reading one e-mail: headers, plain text (never HTML), attachments listed. Pure functions, no network.

`parse_message(raw)` turns the bytes of a message into a `ParsedMail`:
- `message_id`: the Message-ID without angle brackets; a message without one gets a stable id made
  from a hash of its bytes, so reading it again (after a UIDVALIDITY change) gives the same id;
- `thread_root`: the first Message-ID of References (the conversation's first message), else
  In-Reply-To, else the message itself. Subjects are not used to join conversations: two people
  writing "Question" are not one conversation;
- `text`: the first text/plain part that is not an attachment, decoded with its charset; without
  one, the text/html part turned into text (scripts, styles and tags dropped). The quoted
  previous message below a reply is kept;
- `attachments`: name, type and size of each attachment (their content is not kept).
"""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

MAX_TEXT_CHARACTERS = 20_000
MAX_ATTACHMENTS_LISTED = 20

_MSGID_RE = re.compile(r"<([^<>\s]+)>")
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "pre", "hr"}
)
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class MalformedMail(ValueError):
    """The bytes are not a message Parvis can read (no sender, undecodable...)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int

    def as_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    date: datetime | None
    text: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    reply_to: str = ""
    to: tuple[str, ...] = ()
    auto_submitted: bool = False
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)

    @property
    def thread_root(self) -> str:
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.message_id


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a header value, without angle brackets (a bare id is taken whole)."""
    if not value:
        return []
    found = _MSGID_RE.findall(str(value))
    if found:
        return found
    bare = str(value).strip()
    return [bare] if bare and " " not in bare else []


def bracket(message_id: str) -> str:
    return f"<{message_id.strip().strip('<>')}>"


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the policy cannot parse: read it raw
        value = message.get_all(name, [""])[0] if hasattr(message, "get_all") else ""
    return str(value or "").strip()


def parse_message(raw: bytes) -> ParsedMail:
    """Read the message in `raw`. Raises MalformedMail when it cannot be read."""
    if not raw or not raw.strip():
        raise MalformedMail("The message is empty.")
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(raw)
    except Exception as error:
        raise MalformedMail(f"The message cannot be parsed: {error}") from error
    if not isinstance(message, EmailMessage):
        raise MalformedMail("The message cannot be parsed.")
    try:
        sender = _header(message, "From")
        addresses = getaddresses([sender])
    except Exception as error:
        raise MalformedMail(f"The sender cannot be read: {error}") from error
    name, address = addresses[0] if addresses else ("", "")
    if "@" not in address:
        raise MalformedMail("The message has no sender address.")
    ids = message_ids(_header(message, "Message-ID"))
    message_id = ids[0] if ids else f"sha256-{hashlib.sha256(raw).hexdigest()[:32]}@parvis.invalid"
    try:
        date = parsedate_to_datetime(_header(message, "Date")) if _header(message, "Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    if date is not None and date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    reply_to = getaddresses([_header(message, "Reply-To")])
    auto = _header(message, "Auto-Submitted").lower()
    text, attachments = _body(message)
    return ParsedMail(
        message_id=message_id,
        from_address=address.strip().lower(),
        from_name=name.strip(),
        subject=_header(message, "Subject"),
        date=date,
        text=text,
        in_reply_to=(message_ids(_header(message, "In-Reply-To")) or [""])[0],
        references=tuple(message_ids(_header(message, "References"))),
        reply_to=reply_to[0][1].strip().lower() if reply_to and "@" in reply_to[0][1] else "",
        to=tuple(item[1].strip().lower() for item in getaddresses([_header(message, "To")]) if "@" in item[1]),
        auto_submitted=bool(auto) and auto != "no",
        attachments=attachments,
    )


def _body(message: EmailMessage) -> tuple[str, tuple[Attachment, ...]]:
    plain = ""
    html = ""
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename() or ""
        if disposition == "attachment" or (filename and content_type not in {"text/plain", "text/html"}):
            if len(attachments) < MAX_ATTACHMENTS_LISTED:
                payload = part.get_payload(decode=True) or b""
                attachments.append(Attachment(filename or "(sans nom)", content_type, len(payload)))
            continue
        if content_type == "text/plain" and not plain:
            plain = _decoded(part)
        elif content_type == "text/html" and not html:
            html = _decoded(part)
    text = plain.strip() or html_to_text(html)
    return _tidy(text)[:MAX_TEXT_CHARACTERS], tuple(attachments)


def _decoded(part: Any) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return str(payload.decode(charset, errors="replace"))
    except LookupError:  # an unknown charset name
        return str(payload.decode("utf-8", errors="replace"))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag in {"p", "div", "blockquote", "table", "pre"} else "\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text from an HTML mail part: tags, scripts and styles dropped, entities decoded once."""
    if not html.strip():
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return _tidy("\n".join(lines))


def format_address(address: str, name: str = "") -> str:
    """`Name <address>` with the name encoded as needed."""
    if not name:
        return address
    local, _, domain = address.partition("@")
    return str(Address(display_name=name, username=local, domain=domain))


def reply_subject(subject: str) -> str:
    subject = subject.strip()
    if re.match(r"^(re|ré|aw|sv|antw)\s*:", subject, re.IGNORECASE):
        return subject
    return f"Re: {subject}" if subject else "Re:"


def date_of(mail: ParsedMail, fallback: datetime | None) -> datetime:
    return mail.date or fallback or datetime.now(tz=UTC)
