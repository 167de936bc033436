"""fetch() against Synapse: the sync token as cursor, mentions, replies, private messages, new members."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parvis.networks.connectors.matrix import connector as matrix
from parvis.networks.connectors.matrix.client import MatrixClient
from parvis.networks.connectors.matrix.connector import MatrixConnector
from parvis.networks.errors import TransientError
from parvis.networks.protocol import AccountRef, EventKind
from parvis.testing.matrix import MatrixPerson

pytestmark = pytest.mark.network


def test_the_first_poll_backfills_mentions_and_the_next_ones_only_what_is_new(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    bob.send(public_room, "Bonjour à tous")  # chatter: not for the inbox
    asked = bob.send(public_room, f"{org.user_id} les ateliers sont-ils gratuits ?")

    first = connector.fetch(org_ref, {})
    again = connector.fetch(org_ref, first.cursor)
    later = bob.send(public_room, "Et le parking ?", **{"m.mentions": {"user_ids": [org.user_id]}})
    third = connector.fetch(org_ref, again.cursor)

    assert [(event.kind, event.external_id) for event in first.events] == [
        (EventKind.MENTION, f"{public_room}/{asked}")
    ]
    event = first.events[0]
    assert event.text == f"{org.user_id} les ateliers sont-ils gratuits ?"
    assert event.author is not None and event.author.external_id == bob.user_id
    assert event.author.display_name == "Bob"
    assert event.thread_key == public_room
    assert event.visibility == "public"
    assert event.occurred_at.tzinfo is not None
    assert again.events == []
    assert [event.external_id for event in third.events] == [f"{public_room}/{later}"]
    assert first.cursor["since"] and third.cursor["since"] != first.cursor["since"]


def test_a_mention_by_display_name_counts(
    connector: MatrixConnector, org_ref: AccountRef, bob: MatrixPerson, public_room: str
) -> None:
    cursor = connector.fetch(org_ref, {}).cursor
    bob.send(public_room, "Une question pour CCI Lyon : quels horaires ?")
    bob.send(public_room, "Je parle de cci lyonnaise")  # not a whole-word match of the name

    events = connector.fetch(org_ref, cursor).events

    assert [event.text for event in events] == ["Une question pour CCI Lyon : quels horaires ?"]


def test_a_message_in_a_direct_room_is_private_and_the_invitation_is_accepted(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson
) -> None:
    cursor = connector.fetch(org_ref, {}).cursor
    room = bob.create_room(direct=True, public=False, invite=(org.user_id,))
    bob.set_direct(org.user_id, room)
    said = bob.send(room, "Bonjour, j'ai un souci avec ma facture")

    accepted = connector.fetch(org_ref, cursor)  # joins the room (auto_join)
    events = accepted.events + connector.fetch(org_ref, accepted.cursor).events

    assert room in org.joined_rooms()
    assert [(event.kind, event.external_id) for event in events] == [(EventKind.DIRECT_MESSAGE, f"{room}/{said}")]
    assert events[0].visibility == "direct"
    assert events[0].thread_key == room
    direct = org.call("GET", f"/user/{org.user_id}/account_data/m.direct")
    assert direct == {bob.user_id: [room]}


def test_invitations_wait_without_auto_join(
    synapse_server: object, connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson
) -> None:
    ref = AccountRef(**{**org_ref.__dict__, "credentials": {**org_ref.credentials, "auto_join": False}})
    cursor = connector.fetch(ref, {}).cursor
    room = bob.create_room(public=False, invite=(org.user_id,))

    connector.fetch(ref, cursor)

    assert room not in org.joined_rooms()


def test_an_answer_to_our_message_is_a_reply_and_its_fallback_is_removed(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    ours = org.send(public_room, "Inscriptions ouvertes pour le salon")
    cursor = connector.fetch(org_ref, {}).cursor
    answer = bob.reply(public_room, ours, f"> <{org.user_id}> Inscriptions ouvertes pour le salon\n\nSuper, merci !")
    someone_else = bob.send(public_room, "Autre chose")
    bob.reply(public_room, someone_else, "Réponse à moi-même")  # not to us: not for the inbox

    events = connector.fetch(org_ref, cursor).events

    assert [(event.kind, event.external_id, event.text) for event in events] == [
        (EventKind.REPLY, f"{public_room}/{answer}", "Super, merci !")
    ]
    assert events[0].in_reply_to_id == f"{public_room}/{ours}"


def test_a_message_in_a_thread_under_our_message_carries_the_thread(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    root = org.send(public_room, "Fil des questions sur le salon")
    cursor = connector.fetch(org_ref, {}).cursor
    in_thread = bob.send(
        public_room,
        "Le salon est-il accessible ?",
        **{
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": root,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": root},
            }
        },
    )

    events = connector.fetch(org_ref, cursor).events

    assert [(event.kind, event.external_id) for event in events] == [(EventKind.REPLY, f"{public_room}/{in_thread}")]
    assert events[0].thread_key == f"{public_room}/{root}"
    assert events[0].in_reply_to_id == f"{public_room}/{root}"


def test_html_and_scripts_stay_text_and_formatted_body_is_never_read(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    cursor = connector.fetch(org_ref, {}).cursor
    body = f"{org.user_id} <script>alert('x')</script> <b>gras</b>"
    bob.send(
        public_room,
        body,
        format="org.matrix.custom.html",
        formatted_body='<img src=x onerror="alert(1)"><a href="javascript:alert(2)">lien</a>',
    )

    events = connector.fetch(org_ref, cursor).events

    assert [event.text for event in events] == [body]
    assert "onerror" not in repr(events[0].raw)


def test_a_new_member_of_a_group_room_is_a_follow_but_not_in_the_backfill(
    connector: MatrixConnector,
    org_ref: AccountRef,
    bob: MatrixPerson,
    public_room: str,
    person: Callable[[str], MatrixPerson],
) -> None:
    first = connector.fetch(org_ref, {})  # Bob's own join is history
    carol = person("carol")
    carol.join(public_room)

    events = connector.fetch(org_ref, first.cursor).events

    assert [event.kind for event in first.events] == []
    assert [(event.kind, event.author.external_id if event.author else "") for event in events] == [
        (EventKind.FOLLOW, carol.user_id)
    ]


def test_a_limited_timeline_is_read_back_to_the_cursor_so_nothing_is_skipped(
    connector: MatrixConnector,
    org_ref: AccountRef,
    org: MatrixPerson,
    bob: MatrixPerson,
    public_room: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matrix, "TIMELINE_LIMIT", 3)
    monkeypatch.setattr(matrix, "GAP_PAGE_SIZE", 4)
    cursor = connector.fetch(org_ref, {}).cursor
    sent = [bob.send(public_room, f"{org.user_id} question {number}") for number in range(11)]

    events = connector.fetch(org_ref, cursor).events

    assert [event.external_id for event in events] == [f"{public_room}/{event_id}" for event_id in sent]


def test_a_poll_that_fails_half_way_returns_nothing_and_the_next_one_gets_everything(
    connector: MatrixConnector,
    org_ref: AccountRef,
    org: MatrixPerson,
    bob: MatrixPerson,
    public_room: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matrix, "TIMELINE_LIMIT", 2)
    cursor = connector.fetch(org_ref, {}).cursor
    sent = [bob.send(public_room, f"{org.user_id} message {number}") for number in range(5)]
    real_get = MatrixClient.get

    def broken_messages(self: MatrixClient, path: str, params: dict[str, object] | None = None) -> dict[str, object]:
        if path.endswith("/messages"):
            raise TransientError("The Matrix homeserver cannot be reached.")
        return real_get(self, path, params)

    monkeypatch.setattr(MatrixClient, "get", broken_messages)
    with pytest.raises(TransientError):
        connector.fetch(org_ref, cursor)
    monkeypatch.setattr(MatrixClient, "get", real_get)

    events = connector.fetch(org_ref, cursor).events  # the stored cursor did not move

    assert [event.external_id for event in events] == [f"{public_room}/{event_id}" for event_id in sent]


def test_our_own_messages_edits_and_redacted_messages_are_not_ingested(
    connector: MatrixConnector, org_ref: AccountRef, org: MatrixPerson, bob: MatrixPerson, public_room: str
) -> None:
    cursor = connector.fetch(org_ref, {}).cursor
    org.send(public_room, f"{org.user_id} note to self")
    first = bob.send(public_room, f"{org.user_id} première version")
    bob.send(
        public_room,
        f"* {org.user_id} seconde version",
        **{
            "m.new_content": {"msgtype": "m.text", "body": f"{org.user_id} seconde version"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": first},
        },
    )

    events = connector.fetch(org_ref, cursor).events

    assert [event.external_id for event in events] == [f"{public_room}/{first}"]
