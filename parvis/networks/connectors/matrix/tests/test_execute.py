"""execute() and locate() against Synapse: replies in the right room and thread, idempotent sends, redactions."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from parvis.networks.connectors.matrix.connector import MatrixConnector
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.matrix import MatrixPerson, SynapseServer

from .conftest import account_ref

pytestmark = pytest.mark.network


def request(kind: ActionKind, **fields: str) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)


def test_a_reply_answers_the_message_in_its_room_with_a_fallback_and_a_mention(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    question = bob.send(public_room, f"{org.user_id} c'est ouvert demain ?\nMerci")

    result = connector.execute(
        org_ref, request(ActionKind.REPLY, text="Oui, de 9 h à 18 h.", in_reply_to_id=f"{public_room}/{question}")
    )

    room_id, _, event_id = result.external_id.rpartition("/")
    assert room_id == public_room
    event = bob.event(public_room, event_id)
    assert event["sender"] == org.user_id
    assert event["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
    assert event["content"]["body"] == (
        f"> <{bob.user_id}> {org.user_id} c'est ouvert demain ?\n> Merci\n\nOui, de 9 h à 18 h."
    )
    assert event["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
    assert "formatted_body" not in event["content"]
    assert result.url.startswith("https://matrix.to/#/")


def test_a_reply_to_a_message_in_a_thread_stays_in_the_thread(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    root = org.send(public_room, "Questions sur le salon ici")
    question = bob.send(
        public_room,
        "Parking ?",
        **{"m.relates_to": {"rel_type": "m.thread", "event_id": root, "m.in_reply_to": {"event_id": root}}},
    )

    result = connector.execute(
        org_ref, request(ActionKind.REPLY, text="Oui, gratuit.", in_reply_to_id=f"{public_room}/{question}")
    )

    event = bob.event(public_room, result.external_id.rpartition("/")[2])
    assert event["content"]["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": question},
    }


def test_a_retry_with_the_same_idempotency_key_sends_nothing_new(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    question = bob.send(public_room, "Une question")
    reply = request(ActionKind.REPLY, text="Une réponse", in_reply_to_id=f"{public_room}/{question}")

    first = connector.execute(org_ref, reply)
    second = connector.execute(org_ref, reply)

    assert first.external_id == second.external_id
    ours = [event for event in bob.messages(public_room) if event["sender"] == org.user_id]
    assert len(ours) == 1
    assert connector.capabilities.idempotent_publish


def test_locate_finds_a_sent_event_by_its_id_or_its_transaction_and_not_a_redacted_one(
    connector: MatrixConnector, org_ref: AccountRef, bob: MatrixPerson, public_room: str
) -> None:
    question = bob.send(public_room, "Une question")
    reply = request(ActionKind.REPLY, text="Une réponse", in_reply_to_id=f"{public_room}/{question}")
    never_sent = request(ActionKind.REPLY, text="Jamais", in_reply_to_id=f"{public_room}/{question}")
    sent = connector.execute(org_ref, reply)

    by_id = connector.locate(org_ref, reply, external_id=sent.external_id)
    by_transaction = connector.locate(org_ref, reply)
    missing = connector.locate(org_ref, never_sent)
    connector.execute(org_ref, request(ActionKind.DELETE, target_id=sent.external_id))
    gone = connector.locate(org_ref, reply, external_id=sent.external_id)

    assert by_id is not None and by_id.external_id == sent.external_id
    assert by_transaction is not None and by_transaction.external_id == sent.external_id
    assert missing is None
    assert gone is None


def test_publish_goes_to_the_default_room_given_by_its_alias(
    synapse_server: SynapseServer, connector: MatrixConnector, org: MatrixPerson, bob: MatrixPerson
) -> None:
    room = org.create_room(name="Annonces")
    org.call("PUT", f"/directory/room/%23annonces-{org.localpart}:parvis.test", {"room_id": room})
    ref = account_ref(synapse_server, org, default_room=f"#annonces-{org.localpart}:parvis.test")

    result = connector.execute(ref, request(ActionKind.PUBLISH, text="Le salon ouvre ses portes lundi."))

    assert result.external_id.startswith(f"{room}/$")
    assert [event["content"]["body"] for event in org.messages(room)] == ["Le salon ouvre ses portes lundi."]


def test_publish_without_a_default_room_is_refused(connector: MatrixConnector, org_ref: AccountRef) -> None:
    with pytest.raises(PermanentError, match="no default room"):
        connector.execute(org_ref, request(ActionKind.PUBLISH, text="Bonjour"))


def test_send_direct_creates_a_direct_room_once_and_reuses_it(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson
) -> None:
    first = connector.execute(
        org_ref, request(ActionKind.SEND_DIRECT, text="Merci de nous suivre !", target_handle=bob.user_id)
    )
    room = first.external_id.rpartition("/")[0]
    bob.join(room)
    second = connector.execute(org_ref, request(ActionKind.SEND_DIRECT, text="Et bienvenue.", target_id=bob.user_id))

    assert second.external_id.rpartition("/")[0] == room
    assert [event["content"]["body"] for event in bob.messages(room)] == ["Merci de nous suivre !", "Et bienvenue."]
    assert org.call("GET", f"/user/{org.user_id}/account_data/m.direct") == {bob.user_id: [room]}


def test_send_direct_needs_a_user_id(connector: MatrixConnector, org_ref: AccountRef) -> None:
    with pytest.raises(PermanentError, match="not a Matrix user id"):
        connector.execute(org_ref, request(ActionKind.SEND_DIRECT, text="Bonjour", target_handle="bob"))


def test_deleting_someone_elses_message_needs_the_redact_power_level(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    insult = bob.send(public_room, "Message injurieux")
    target = f"{public_room}/{insult}"

    with pytest.raises(PermanentError, match="power level 50"):
        connector.execute(org_ref, request(ActionKind.DELETE, target_id=target, text="Charte, article 2"))
    bob.set_power_level(public_room, org.user_id, 50)
    result = connector.execute(org_ref, request(ActionKind.DELETE, target_id=target, text="Charte, article 2"))

    redacted = bob.event(public_room, insult)
    assert redacted["content"] == {}
    assert redacted["unsigned"]["redacted_because"]["content"]["reason"] == "Charte, article 2"
    assert result.data["redaction_id"].startswith("$")


def test_hide_is_not_offered_because_a_redaction_is_a_deletion(
    connector: MatrixConnector, org_ref: AccountRef, public_room: str
) -> None:
    assert ActionKind.HIDE not in connector.capabilities.actions
    with pytest.raises(PermanentError, match="cannot do"):
        connector.execute(org_ref, request(ActionKind.HIDE, target_id=f"{public_room}/$x"))


def test_a_reply_to_an_unknown_id_is_refused_without_a_call(connector: MatrixConnector, org_ref: AccountRef) -> None:
    bad = dataclasses.replace(request(ActionKind.REPLY, text="x"), in_reply_to_id="12345")
    with pytest.raises(PermanentError, match="not a Matrix message"):
        connector.execute(org_ref, bad)
