"""End to end with Synapse: a message lands in the inbox once, and the answer from Parvis arrives in its room."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.inbox.services import message_reply
from parvis.networks.models import ActionStatus, PollCursor
from parvis.networks.services import account_poll, action_execute
from parvis.testing.matrix import ConnectMatrix, SynapseServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]


def test_a_mention_lands_in_the_inbox_once_and_the_reply_arrives_in_the_room(
    synapse_server: SynapseServer, matrix_connect: ConnectMatrix, camille: Membership
) -> None:
    account, org = matrix_connect(camille, auto_join=True)
    bob = synapse_server.register("bob", display_name="Bob")
    room = bob.create_room(name="Entraide", invite=(org.user_id,))

    account_poll(account_id=account.pk)  # accepts the invitation
    question_id = bob.send(room, f"{org.user_id} les ateliers sont-ils gratuits ?")
    report = account_poll(account_id=account.pk)
    again = account_poll(account_id=account.pk)

    assert report is not None and report.stored == 1
    assert again is not None and again.received == 0
    message = Message.objects.get(account=account, external_id=f"{room}/{question_id}")
    assert message.kind == "mention"
    assert message.text == f"{org.user_id} les ateliers sont-ils gratuits ?"
    assert message.author is not None and message.author.handle == bob.user_id

    sent = message_reply(membership=camille, message=message, text="Oui, et sans inscription.")
    assert sent.action is not None
    done = action_execute(action_id=sent.action.pk)

    assert done is not None and done.status == ActionStatus.DONE, done and done.last_error
    answer = bob.messages(room)[-1]
    assert answer["sender"] == org.user_id
    assert answer["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": question_id}}
    assert answer["content"]["body"].endswith("Oui, et sans inscription.")
    assert done.external_id == f"{room}/{answer['event_id']}"
    # Our own answer does not come back into the inbox as someone's message.
    after = account_poll(account_id=account.pk)
    assert after is not None and after.stored == 0


def test_a_private_message_gets_a_private_answer_in_the_same_room(
    synapse_server: SynapseServer, matrix_connect: ConnectMatrix, camille: Membership
) -> None:
    account, org = matrix_connect(camille, auto_join=True)
    bob = synapse_server.register("bob", display_name="Bob")
    room = bob.create_room(direct=True, public=False, invite=(org.user_id,))
    said = bob.send(room, "Bonjour, ma commande n'est pas arrivée")

    account_poll(account_id=account.pk)  # joins the direct room
    account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # a lost cursor: the backfill brings nothing twice
    account_poll(account_id=account.pk)

    message = Message.objects.get(account=account, external_id=f"{room}/{said}")
    assert message.kind == "direct_message"
    assert Message.objects.filter(account=account).count() == 1
    sent = message_reply(membership=camille, message=message, text="Nous regardons tout de suite.")
    assert sent.kind == "direct_message"
    assert sent.action is not None
    done = action_execute(action_id=sent.action.pk)

    assert done is not None and done.status == ActionStatus.DONE, done and done.last_error
    assert [event["content"]["body"].split("\n\n")[-1] for event in bob.messages(room)] == [
        "Bonjour, ma commande n'est pas arrivée",
        "Nous regardons tout de suite.",
    ]


def test_a_revoked_token_holds_the_account_for_reconnection(
    synapse_server: SynapseServer, matrix_connect: ConnectMatrix, camille: Membership
) -> None:
    account, _org = matrix_connect(camille)
    token = account.credentials["access_token"]
    client_logout = synapse_server.base_url + "/_matrix/client/v3/logout"
    import requests

    requests.post(client_logout, headers={"Authorization": f"Bearer {token}"}, json={}, timeout=10)

    assert account_poll(account_id=account.pk) is None

    account.refresh_from_db()
    assert account.status == "needs_reauth"
