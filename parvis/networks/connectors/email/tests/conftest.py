"""Dovecot and an SMTP sink for the e-mail contract tests, a mailbox on them and mail to put in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parvis.networks.connectors.email.connector import EmailConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.mail import (  # noqa: F401 - fixtures, until the root conftest lists parvis.testing.mail
    DovecotServer,
    Mailbox,
    SmtpSink,
    dovecot_server,
    email_connect,
    email_registered,
    mailbox,
    smtp_server,
    smtp_sink,
)


def mail(
    *,
    sender: str = "Bob Martin <bob@example.org>",
    to: str = "cci@parvis.test",
    subject: str = "Question",
    body: str = "Bonjour, les ateliers sont-ils gratuits ?",
    message_id: str | None = None,
    extra: str = "",
    date: str = "Mon, 16 Nov 2026 10:00:00 +0100",
) -> bytes:
    """A plain-text mail as bytes; `extra` adds header lines."""
    headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    if message_id is not None:
        headers.append(f"Message-ID: <{message_id}>")
    if extra:
        headers.extend(extra.strip().splitlines())
    headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


def account_ref(server: DovecotServer, box: Mailbox, smtp: SmtpSink, **settings: object) -> AccountRef:
    credentials = server.settings_for(box, smtp, **settings)
    return AccountRef(
        id=1,
        network="email",
        instance_url=f"imap://127.0.0.1:{server.port}",
        external_id=box.address,
        handle=box.address,
        credentials=credentials,
    )


@pytest.fixture
def connector() -> EmailConnector:
    return EmailConnector()


@pytest.fixture
def box_ref(dovecot_server: DovecotServer, mailbox: Mailbox, smtp_server: SmtpSink) -> AccountRef:  # noqa: F811
    return account_ref(dovecot_server, mailbox, smtp_server)


@pytest.fixture
def deliver(dovecot_server: DovecotServer, mailbox: Mailbox) -> Callable[..., None]:  # noqa: F811
    def put(raw: bytes, folder: str = "INBOX") -> None:
        dovecot_server.deliver(mailbox, raw, folder=folder)

    return put
