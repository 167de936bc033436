"""Issue 4's first promise, end to end on real local servers: Mastodon (mastodon-mock), Bluesky (the
reference servers), Matrix (Synapse) and e-mail (Dovecot + an SMTP server) land in one inbox, triaged,
and each message is answered from Parvis on its own network, in its own thread.
"""

from __future__ import annotations

import pytest
from atproto import client_utils

from parvis.core.models import Membership
from parvis.inbox.models import Direction, Message
from parvis.inbox.selectors import conversation_list
from parvis.inbox.services import message_reply
from parvis.inbox.sla import sla_policy_create
from parvis.networks.connectors.email.tests.conftest import mail
from parvis.networks.models import ActionStatus
from parvis.networks.services import account_poll, action_execute
from parvis.testing.atproto import AtprotoDevEnv, ConnectBluesky
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mail import ConnectEmail, DovecotServer, SmtpSink
from parvis.testing.mastodon import MastodonMockServer
from parvis.testing.matrix import ConnectMatrix, SynapseServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

QUESTION = "Bonjour, les ateliers du salon sont-ils gratuits pour les adhérents ?"
ANSWER = "Oui, les ateliers sont gratuits pour les adhérents."


def test_four_networks_land_in_one_inbox_triaged_and_each_is_answered_in_its_own_thread(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    atproto_network: AtprotoDevEnv,
    bluesky_connect: ConnectBluesky,
    synapse_server: SynapseServer,
    matrix_connect: ConnectMatrix,
    dovecot_server: DovecotServer,
    smtp_server: SmtpSink,
    email_connect: ConnectEmail,
    alice: Membership,
    camille: Membership,
) -> None:
    # One organisation, four accounts in one workspace, answering within a BtoC commitment.
    sla_policy_create(membership=alice, preset="btoc")
    mastodon, mastodon_org = mastodon_connect(camille)
    bluesky, bluesky_org = bluesky_connect(camille)
    matrix, matrix_org = matrix_connect(camille, auto_join=True)
    email, mailbox = email_connect(camille)
    account_poll(account_id=bluesky.pk)  # the first poll sets the cursor
    account_poll(account_id=matrix.pk)

    # Four people ask, each on their own network.
    marie = mastodon_server.create_account("marie", display_name="Marie")
    on_mastodon = mastodon_server.client(marie).status_post(f"{mastodon_org.mention} {QUESTION}")
    bob = atproto_network.create_account("bob")
    post = client_utils.TextBuilder().mention(bluesky_org.mention, bluesky_org.did).text(f" {QUESTION}")
    on_bluesky = atproto_network.client(bob).send_post(post)
    atproto_network.process_all()
    lea = synapse_server.register("lea", display_name="Léa")
    room = lea.create_room(name="Entraide", invite=(matrix_org.user_id,))
    account_poll(account_id=matrix.pk)  # accepts the invitation
    on_matrix = lea.send(room, f"{matrix_org.user_id} {QUESTION}")
    dovecot_server.deliver(
        mailbox, mail(message_id="q@example.org", subject="Ateliers", body=QUESTION, to=mailbox.address)
    )

    for account in (mastodon, bluesky, matrix, email):
        report = account_poll(account_id=account.pk)
        assert report is not None and report.stored >= 1, account.network

    # One inbox: four conversations, one per network, each message triaged on arrival.
    conversations = list(conversation_list(camille.workspace))
    assert sorted(conversation.account.network for conversation in conversations) == [
        "bluesky",
        "email",
        "mastodon",
        "matrix",
    ]
    received = {
        account.network: Message.objects.get(
            account=account, direction=Direction.IN, kind__in=["mention", "direct_message"]
        )
        for account in (mastodon, bluesky, matrix, email)
    }
    for network, message in received.items():
        assert message.language == "fr", network
        assert message.category == "question", (network, message.category)
        assert message.sentiment in {"positive", "neutral", "negative"}, network
        assert message.priority > 0, network
        assert message.conversation.first_response_due_at is not None, network  # the SLA timer runs

    # Each is answered from Parvis, on its own network and thread.
    for network, message in received.items():
        sent = message_reply(membership=camille, message=message, text=ANSWER)
        assert sent.action is not None
        done = action_execute(action_id=sent.action.pk)
        assert done is not None and done.status == ActionStatus.DONE, (network, done and done.last_error)
        received[network] = done  # type: ignore[assignment]

    reply = mastodon_server.client(mastodon_org).status(received["mastodon"].external_id)
    assert str(reply["in_reply_to_id"]) == str(on_mastodon["id"])
    assert "marie" in {mention["username"] for mention in reply["mentions"]}

    atproto_network.process_all()  # the AppView indexes the answer
    [answer] = atproto_network.client(bob).get_posts([received["bluesky"].external_id]).posts
    assert answer.record.reply is not None and answer.record.reply.parent.uri == on_bluesky.uri

    last = lea.messages(room)[-1]
    assert last["sender"] == matrix_org.user_id
    assert last["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": on_matrix}}

    [sent_mail] = smtp_server.received
    assert sent_mail.message["In-Reply-To"] == "<q@example.org>"
    assert sent_mail.message["Subject"] == "Re: Ateliers"
