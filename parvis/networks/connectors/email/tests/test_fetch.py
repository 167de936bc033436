"""fetch() against Dovecot: UIDVALIDITY + UID cursor, nothing twice, nothing lost, malformed mail skipped."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError

from parvis.networks.connectors.email import connector as email_connector
from parvis.networks.connectors.email.connector import EmailConnector
from parvis.networks.errors import TransientError
from parvis.networks.protocol import AccountRef, EventKind
from parvis.testing.mail import DovecotServer, Mailbox, SmtpSink

from .conftest import account_ref, mail

pytestmark = pytest.mark.network

Deliver = Callable[..., None]


def test_the_first_poll_reads_the_mailbox_and_the_next_ones_only_new_mail(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver
) -> None:
    deliver(mail(message_id="q1@example.org", subject="Question"))
    deliver(mail(message_id="q2@example.org", sender="Alice <alice@example.org>", subject="Horaires", body="Ouvert ?"))

    first = connector.fetch(box_ref, {})
    again = connector.fetch(box_ref, first.cursor)
    deliver(mail(message_id="q3@example.org", extra="In-Reply-To: <q1@example.org>\nReferences: <q1@example.org>"))
    third = connector.fetch(box_ref, again.cursor)

    assert [event.external_id for event in first.events] == ["q1@example.org", "q2@example.org"]
    event = first.events[1]
    assert event.kind == EventKind.DIRECT_MESSAGE
    assert event.text == "Ouvert ?"
    assert event.title == "Horaires"
    assert event.author is not None and (event.author.handle, event.author.display_name) == (
        "alice@example.org",
        "Alice",
    )
    assert event.visibility == "direct"
    assert event.thread_key == "q2@example.org"
    assert again.events == []
    assert [(e.external_id, e.thread_key, e.in_reply_to_id) for e in third.events] == [
        ("q3@example.org", "q1@example.org", "q1@example.org")
    ]
    assert third.cursor["last_uid"] == 3 and third.cursor["uidvalidity"] == first.cursor["uidvalidity"]


def test_reading_leaves_mail_unread(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver, dovecot_server: DovecotServer, mailbox: Mailbox
) -> None:
    deliver(mail(message_id="unread@example.org"))

    connector.fetch(box_ref, {})

    with dovecot_server.imap(mailbox) as client:
        client.select("INBOX")
        assert client.search(None, "UNSEEN")[1] == [b"1"]


def test_a_malformed_mail_is_skipped_and_recorded_without_blocking_the_others(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver
) -> None:
    deliver(mail(message_id="before@example.org"))
    deliver(b"Subject: no sender at all\r\n\r\nwho am I?\r\n")
    deliver(mail(message_id="after@example.org"))

    result = connector.fetch(box_ref, {})

    assert [event.external_id for event in result.events] == ["before@example.org", "after@example.org"]
    assert [(error["uid"], error["error"]) for error in result.cursor["errors"]] == [
        (2, "The message has no sender address.")
    ]
    assert result.cursor["last_uid"] == 3


def test_html_mail_becomes_text_and_attachments_are_listed(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver
) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "bob@example.org"
    message["Message-ID"] = "<html@example.org>"
    message["Subject"] = "Facture"
    message.set_content('<p>Voir <a href="javascript:x()">ici</a></p><script>alert(1)</script>', subtype="html")
    message.add_attachment(b"x" * 1500, maintype="application", subtype="pdf", filename="facture.pdf")
    deliver(message.as_bytes())

    event = connector.fetch(box_ref, {}).events[0]

    assert event.text == "Voir ici\n\n📎 facture.pdf (1 KB)"
    assert event.raw["attachments"] == [{"filename": "facture.pdf", "content_type": "application/pdf", "size": 1500}]


def test_our_own_copies_and_automatic_replies_are_not_ingested(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver, mailbox: Mailbox
) -> None:
    deliver(mail(message_id="self@parvis.test", sender=f"CCI <{mailbox.address}>"))
    deliver(mail(message_id="vacation@example.org", extra="Auto-Submitted: auto-replied"))
    deliver(mail(message_id="human@example.org"))

    assert [event.external_id for event in connector.fetch(box_ref, {}).events] == ["human@example.org"]


def test_a_uidvalidity_change_reads_again_without_losing_anything(
    connector: EmailConnector,
    dovecot_server: DovecotServer,
    mailbox: Mailbox,
    smtp_server: SmtpSink,
    deliver: Deliver,
) -> None:
    dovecot_server.create_folder(mailbox, "Support")
    ref = account_ref(dovecot_server, mailbox, smtp_server, folder="Support")
    deliver(mail(message_id="old1@example.org"), folder="Support")
    deliver(mail(message_id="old2@example.org"), folder="Support")
    first = connector.fetch(ref, {})
    # The folder is rebuilt (a server migration): the same mail comes back under new UIDs, plus a new one.
    dovecot_server.delete_folder(mailbox, "Support")
    dovecot_server.create_folder(mailbox, "Support")
    deliver(mail(message_id="old1@example.org"), folder="Support")
    deliver(mail(message_id="old2@example.org"), folder="Support")
    deliver(mail(message_id="new@example.org"), folder="Support")

    second = connector.fetch(ref, first.cursor)
    third = connector.fetch(ref, second.cursor)

    assert second.cursor["uidvalidity"] != first.cursor["uidvalidity"]
    # Read again: the ingest keeps one message per Message-ID, so nothing is stored twice.
    assert [event.external_id for event in second.events] == ["old1@example.org", "old2@example.org", "new@example.org"]
    assert third.events == []


def test_a_poll_that_fails_half_way_returns_nothing_and_the_next_one_gets_everything(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursor = connector.fetch(box_ref, {}).cursor
    for number in range(3):
        deliver(mail(message_id=f"m{number}@example.org"))
    real_fetch = IMAPClient.fetch

    def dropped(self: IMAPClient, messages: object, data: object, modifiers: object = None) -> object:
        if "BODY.PEEK[]" in list(data):  # type: ignore[call-overload]
            raise IMAPClientAbortError("connection lost")
        return real_fetch(self, messages, data, modifiers)  # type: ignore[arg-type]

    monkeypatch.setattr(IMAPClient, "fetch", dropped)
    with pytest.raises(TransientError, match="lost"):
        connector.fetch(box_ref, cursor)
    monkeypatch.setattr(IMAPClient, "fetch", real_fetch)

    events = connector.fetch(box_ref, cursor).events

    assert [event.external_id for event in events] == ["m0@example.org", "m1@example.org", "m2@example.org"]


def test_a_large_mail_is_read_in_part(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_connector, "MAX_MESSAGE_BYTES", 500)
    deliver(mail(message_id="big@example.org", body="Début du message. " + "x" * 5000))

    events = connector.fetch(box_ref, {}).events

    assert [event.external_id for event in events] == ["big@example.org"]
    assert events[0].text.startswith("Début du message.")
    assert len(events[0].text) <= 500


def test_each_poll_reads_at_most_a_batch_and_the_next_goes_on(
    connector: EmailConnector, box_ref: AccountRef, deliver: Deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_connector, "MAX_PER_POLL", 2)
    cursor = connector.fetch(box_ref, {}).cursor
    for number in range(5):
        deliver(mail(message_id=f"b{number}@example.org"))

    seen = []
    for _ in range(4):
        result = connector.fetch(box_ref, cursor)
        seen += [event.external_id for event in result.events]
        cursor = result.cursor

    assert seen == [f"b{number}@example.org" for number in range(5)]
