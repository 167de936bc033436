"""End to end with Dovecot and aiosmtpd: mail lands in the inbox once, the answer leaves in the same thread."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.inbox.services import message_reply
from parvis.networks.connectors.email.onboarding import mailbox_connect
from parvis.networks.models import ActionStatus
from parvis.networks.services import account_poll, action_execute
from parvis.testing.mail import ConnectEmail, DovecotServer, SmtpSink

from .conftest import mail

pytestmark = [pytest.mark.network, pytest.mark.django_db]


def test_a_mail_lands_in_the_inbox_and_the_reply_leaves_in_its_thread(
    dovecot_server: DovecotServer, smtp_server: SmtpSink, email_connect: ConnectEmail, camille: Membership
) -> None:
    account, box = email_connect(camille)
    dovecot_server.deliver(box, mail(message_id="q1@example.org", subject="Ateliers", to=box.address))

    report = account_poll(account_id=account.pk)
    again = account_poll(account_id=account.pk)

    assert report is not None and report.stored == 1
    assert again is not None and again.received == 0
    message = Message.objects.get(account=account, external_id="q1@example.org")
    assert message.kind == "direct_message"
    assert message.text == "Bonjour, les ateliers sont-ils gratuits ?"

    sent = message_reply(membership=camille, message=message, text="Oui, gratuits.")
    assert sent.action is not None
    done = action_execute(action_id=sent.action.pk)

    assert done is not None and done.status == ActionStatus.DONE, done and done.last_error
    [received] = smtp_server.received
    assert received.rcpt_tos == ["bob@example.org"]
    assert received.message["Subject"] == "Re: Ateliers"
    assert received.message["In-Reply-To"] == "<q1@example.org>"
    assert received.message["Message-ID"] == f"<{done.external_id}>"

    # Bob answers our answer: it joins the same conversation.
    dovecot_server.deliver(
        box,
        mail(
            message_id="q2@example.org",
            subject="Re: Ateliers",
            extra=f"In-Reply-To: <{done.external_id}>\nReferences: <q1@example.org> <{done.external_id}>",
        ),
    )
    account_poll(account_id=account.pk)
    follow_up = Message.objects.get(account=account, external_id="q2@example.org")
    assert follow_up.conversation_id == message.conversation_id


def test_a_rebuilt_folder_stores_nothing_twice(
    dovecot_server: DovecotServer, smtp_server: SmtpSink, email_registered: None, camille: Membership
) -> None:
    box = dovecot_server.add_mailbox("cci")
    dovecot_server.create_folder(box, "Support")
    account = mailbox_connect(membership=camille, **dovecot_server.settings_for(box, smtp_server, folder="Support"))
    dovecot_server.deliver(box, mail(message_id="a@example.org"), folder="Support")
    account_poll(account_id=account.pk)
    dovecot_server.delete_folder(box, "Support")
    dovecot_server.create_folder(box, "Support")
    dovecot_server.deliver(box, mail(message_id="a@example.org"), folder="Support")
    dovecot_server.deliver(box, mail(message_id="b@example.org"), folder="Support")

    report = account_poll(account_id=account.pk)

    assert report is not None and report.received == 2 and report.stored == 1
    assert sorted(Message.objects.filter(account=account).values_list("external_id", flat=True)) == [
        "a@example.org",
        "b@example.org",
    ]
