"""execute() with Dovecot and aiosmtpd: replies in the thread, idempotent retries, and error mapping."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable

import pytest

from parvis.networks.connectors.email.connector import EmailConnector
from parvis.networks.errors import AuthExpired, PermanentError, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.mail import DovecotServer, Mailbox, SmtpSink

from .conftest import account_ref, mail

pytestmark = pytest.mark.network


def request(kind: ActionKind, **fields: str) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)


def test_a_reply_goes_to_the_sender_in_the_thread_with_a_derived_message_id(
    connector: EmailConnector,
    box_ref: AccountRef,
    deliver: Callable[..., None],
    smtp_server: SmtpSink,
    dovecot_server: DovecotServer,
    mailbox: Mailbox,
) -> None:
    deliver(
        mail(
            message_id="q2@example.org",
            subject="Re: Facture",
            extra="Reply-To: factures@example.org\nReferences: <q1@example.org> <a1@parvis.test>",
        )
    )
    reply = request(ActionKind.REPLY, text="Bonjour,\nC'est corrigé.", in_reply_to_id="q2@example.org")

    result = connector.execute(box_ref, reply)

    [sent] = smtp_server.received
    message = sent.message
    assert sent.rcpt_tos == ["factures@example.org"]
    assert sent.mail_from == mailbox.address
    assert message["Subject"] == "Re: Facture"
    assert message["In-Reply-To"] == "<q2@example.org>"
    assert message["References"] == "<q1@example.org> <a1@parvis.test> <q2@example.org>"
    assert message["Message-ID"] == f"<parvis-{reply.idempotency_key}@parvis.test>"
    assert message["From"] == f"CCI Lyon <{mailbox.address}>"
    assert message.get_content().replace("\r\n", "\n").strip() == "Bonjour,\nC'est corrigé."
    assert result.external_id == f"parvis-{reply.idempotency_key}@parvis.test"
    assert [copy["Message-ID"] for copy in dovecot_server.messages(mailbox, "Sent")] == [message["Message-ID"]]


def test_a_retry_of_the_same_action_is_not_sent_twice(
    connector: EmailConnector, box_ref: AccountRef, deliver: Callable[..., None], smtp_server: SmtpSink
) -> None:
    deliver(mail(message_id="q@example.org"))
    reply = request(ActionKind.REPLY, text="Réponse", in_reply_to_id="q@example.org")

    first = connector.execute(box_ref, reply)
    second = connector.execute(box_ref, reply)

    assert first.external_id == second.external_id
    assert len(smtp_server.received) == 1
    assert connector.locate(box_ref, reply) is not None
    assert connector.locate(box_ref, request(ActionKind.REPLY, text="x", in_reply_to_id="q@example.org")) is None


def test_without_a_sent_folder_locate_says_it_cannot_look(
    connector: EmailConnector, dovecot_server: DovecotServer, mailbox: Mailbox, smtp_server: SmtpSink
) -> None:
    ref = account_ref(dovecot_server, mailbox, smtp_server, sent_folder="")
    with pytest.raises(PermanentError, match="no sent folder"):
        connector.locate(ref, request(ActionKind.REPLY, text="x"))


def test_a_reply_to_mail_no_longer_in_the_folder_uses_the_author(
    connector: EmailConnector, box_ref: AccountRef, smtp_server: SmtpSink
) -> None:
    connector.execute(
        box_ref,
        request(ActionKind.REPLY, text="Oui", in_reply_to_id="gone@example.org", in_reply_to_author="bob@example.org"),
    )

    [sent] = smtp_server.received
    assert sent.rcpt_tos == ["bob@example.org"]
    assert sent.message["In-Reply-To"] == "<gone@example.org>"


def test_send_direct_writes_a_new_mail_whose_subject_is_the_first_line(
    connector: EmailConnector, box_ref: AccountRef, smtp_server: SmtpSink
) -> None:
    connector.execute(
        box_ref,
        request(
            ActionKind.SEND_DIRECT,
            text="Bienvenue parmi nous\n\nMerci de votre intérêt.",
            target_handle="new@example.org",
        ),
    )

    [sent] = smtp_server.received
    assert sent.rcpt_tos == ["new@example.org"]
    assert sent.message["Subject"] == "Bienvenue parmi nous"
    assert "In-Reply-To" not in sent.message
    with pytest.raises(PermanentError, match="not an e-mail address"):
        connector.execute(box_ref, request(ActionKind.SEND_DIRECT, text="x", target_handle="@bob"))


def test_wrong_passwords_ask_for_reconnection(
    connector: EmailConnector, dovecot_server: DovecotServer, mailbox: Mailbox, smtp_server: SmtpSink
) -> None:
    bad_imap = account_ref(dovecot_server, mailbox, smtp_server, imap_password="wrong")
    bad_smtp = account_ref(dovecot_server, mailbox, smtp_server, smtp_password="wrong")

    with pytest.raises(AuthExpired):
        connector.fetch(bad_imap, {})
    with pytest.raises(AuthExpired):
        connector.verify(bad_smtp)


def test_a_refused_recipient_is_permanent(
    connector: EmailConnector, box_ref: AccountRef, smtp_server: SmtpSink
) -> None:
    smtp_server.refuse_recipients.add("nobody@example.org")

    with pytest.raises(PermanentError, match="refused the recipient"):
        connector.execute(box_ref, request(ActionKind.SEND_DIRECT, text="x", target_handle="nobody@example.org"))


def test_unreachable_servers_are_transient_and_private_ones_refused(
    connector: EmailConnector,
    dovecot_server: DovecotServer,
    mailbox: Mailbox,
    smtp_server: SmtpSink,
    settings: pytest.FixtureRequest,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with pytest.raises(TransientError, match="cannot be reached"):
        connector.fetch(account_ref(dovecot_server, mailbox, smtp_server, imap_port=closed), {})
    with pytest.raises(PermanentError, match=r"nonexistent|does not exist"):
        connector.fetch(account_ref(dovecot_server, mailbox, smtp_server, folder="Nope"), {})
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []  # type: ignore[attr-defined]
    with pytest.raises(PermanentError, match="may not connect"):
        connector.fetch(account_ref(dovecot_server, mailbox, smtp_server), {})


def test_verify_names_the_sending_address(connector: EmailConnector, box_ref: AccountRef, mailbox: Mailbox) -> None:
    profile = connector.verify(box_ref)

    assert (profile.external_id, profile.display_name, profile.url) == (
        mailbox.address,
        "CCI Lyon",
        f"mailto:{mailbox.address}",
    )
