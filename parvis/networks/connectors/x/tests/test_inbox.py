"""X for the inbox: direct messages in, hidden replies, follows, mutes and direct messages out.

Every request and answer follows X's API v2 reference (see fixtures/README.md for the page of each).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from parvis.networks.connectors.x.connector import XConnector
from parvis.networks.connectors.x.tests.conftest import OWN_ID, fixture, make_ref
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

REPLY_ID = "1900000000000000003"
BOB = "101"
DM_SCOPE = "tweet.read tweet.write users.read offline.access dm.read dm.write"


@pytest.fixture
def dm_org(x_server: ScriptedServer, saved: list[dict[str, Any]]) -> AccountRef:
    return make_ref(x_server, saved, scope=DM_SCOPE)


def _request(kind: ActionKind, **fields: str) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key="key-1", **fields)  # type: ignore[arg-type]


def _dm_pages(request: Recorded) -> Reply:
    if request.arg("pagination_token") == "18LAA581J5II7LA00C00ZZZZ":
        return Reply(json=fixture("dm_events_page2.json"))
    return Reply(json=fixture("dm_events_page1.json"))


def test_the_capabilities_say_what_x_offers_the_inbox(connector: XConnector) -> None:
    caps = connector.capabilities
    assert {ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.FOLLOW, ActionKind.MUTE, ActionKind.UNMUTE} <= caps.actions
    assert ActionKind.SEND_DIRECT in caps.actions and caps.direct_messages
    assert ActionKind.BLOCK not in caps.actions  # Enterprise plan only
    assert not caps.delete_others
    assert EventKind.DIRECT_MESSAGE in caps.event_kinds


# --- direct messages in ------------------------------------------------------------------------------


def test_direct_messages_are_read_when_the_token_allows_and_the_first_poll_reads_one_page(
    connector: XConnector, x_server: ScriptedServer, dm_org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))
    x_server.add("GET", "/2/dm_events", handler=_dm_pages)

    result = connector.fetch(dm_org, {})

    sent = x_server.only("GET", "/2/dm_events")
    assert sent.arg("event_types") == "MessageCreate"
    assert sent.arg("expansions") == "sender_id"
    assert "dm_conversation_id" in sent.arg("dm_event.fields")
    # Bob's two messages, oldest first; our own answer and the join event are left out.
    assert [(e.kind, e.external_id) for e in result.events] == [
        (EventKind.DIRECT_MESSAGE, "1900000000000000900"),
        (EventKind.DIRECT_MESSAGE, "1900000000000000903"),
    ]
    first = result.events[0]
    assert first.thread_key == "dm:101-2244994945"
    assert first.visibility == "direct"
    assert first.author is not None and first.author.handle == "@bob"
    assert result.events[1].text == "Merci, c'est noté & à jeudi"
    assert result.cursor["dm_since_id"] == "1900000000000000903"


def test_direct_messages_since_the_cursor_are_paged_down_to_it(
    connector: XConnector, x_server: ScriptedServer, dm_org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))
    x_server.add("GET", "/2/dm_events", handler=_dm_pages)

    result = connector.fetch(dm_org, {"mentions_since_id": "42", "dm_since_id": "1900000000000000800"})

    pages = x_server.received("GET", "/2/dm_events")
    assert [p.arg("pagination_token") for p in pages] == ["", "18LAA581J5II7LA00C00ZZZZ"]  # stops at the cursor
    assert [e.external_id for e in result.events] == [
        "1900000000000000899",
        "1900000000000000900",
        "1900000000000000903",
    ]


def test_accounts_without_the_dm_scope_read_no_direct_messages(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))

    result = connector.fetch(org, {"mentions_since_id": "42"})

    assert x_server.received("GET", "/2/dm_events") == []
    assert "dm_since_id" not in result.cursor


def test_a_dm_page_failing_half_way_fails_the_poll_and_keeps_the_cursor(
    connector: XConnector, x_server: ScriptedServer, dm_org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))
    x_server.add("GET", "/2/dm_events", json=fixture("dm_events_page1.json"), times=1)
    x_server.add("GET", "/2/dm_events", status=503, json=fixture("error_service_unavailable.json"), times=1)
    x_server.add("GET", "/2/dm_events", handler=_dm_pages)
    cursor = {"mentions_since_id": "42", "dm_since_id": "1900000000000000800"}

    with pytest.raises(TransientError):
        connector.fetch(dm_org, cursor)
    again = connector.fetch(dm_org, cursor)

    assert len(again.events) == 3


def test_a_rate_limited_dm_poll_waits_for_the_reset(
    connector: XConnector, x_server: ScriptedServer, dm_org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))
    reset = int(time.time()) + 600
    x_server.add(
        "GET",
        "/2/dm_events",
        status=429,
        json=fixture("error_too_many_requests.json"),
        headers={"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    with pytest.raises(RateLimited) as raised:
        connector.fetch(dm_org, {"mentions_since_id": "42"})

    assert raised.value.retry_after is not None and 590 <= raised.value.retry_after <= 600


# --- direct messages out -----------------------------------------------------------------------------


def test_an_answer_to_a_direct_message_goes_to_its_conversation(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", "/2/dm_events/1900000000000000900", json=fixture("dm_event_lookup.json"))
    x_server.add("POST", "/2/dm_conversations/101-2244994945/messages", status=201, json=fixture("dm_sent.json"))

    result = connector.execute(
        org,
        _request(
            ActionKind.REPLY, text="Il reste 3 places.", in_reply_to_id="1900000000000000900", visibility="direct"
        ),
    )

    assert x_server.only("POST", "/2/dm_conversations/101-2244994945/messages").json() == {"text": "Il reste 3 places."}
    assert x_server.received("POST", "/2/tweets") == []
    assert result.external_id == "1900000000000000950"


def test_a_direct_message_to_a_person(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", f"/2/dm_conversations/with/{BOB}/messages", status=201, json=fixture("dm_sent.json"))

    result = connector.execute(org, _request(ActionKind.SEND_DIRECT, text="Merci du suivi !", target_id=BOB))

    assert x_server.only("POST", f"/2/dm_conversations/with/{BOB}/messages").json() == {"text": "Merci du suivi !"}
    assert result.data["dm_conversation_id"] == "101-2244994945"


def test_a_person_who_refuses_direct_messages_is_a_permanent_error(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add(
        "POST", f"/2/dm_conversations/with/{BOB}/messages", status=403, json=fixture("error_dm_forbidden.json")
    )

    with pytest.raises(PermanentError, match="not permitted to send messages"):
        connector.execute(org, _request(ActionKind.SEND_DIRECT, text="Bonjour", target_id=BOB))


def test_direct_messages_are_not_read_back(connector: XConnector, org: AccountRef) -> None:
    with pytest.raises(PermanentError):
        connector.locate(org, _request(ActionKind.SEND_DIRECT, text="x", target_id=BOB))


# --- moderation and relationships ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "hidden"),
    [(ActionKind.HIDE, "hidden_true.json", True), (ActionKind.UNHIDE, "hidden_false.json", False)],
)
def test_hiding_a_reply(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef, kind: ActionKind, name: str, hidden: bool
) -> None:
    x_server.add("PUT", f"/2/tweets/{REPLY_ID}/hidden", json=fixture(name))

    result = connector.execute(org, _request(kind, target_id=REPLY_ID))

    sent = x_server.only("PUT", f"/2/tweets/{REPLY_ID}/hidden")
    assert sent.json() == {"hidden": hidden}
    assert sent.header("Authorization") == "Bearer access-1"
    assert result.data == {"hidden": hidden}


def test_hiding_a_reply_in_someone_elses_conversation_is_refused(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("PUT", f"/2/tweets/{REPLY_ID}/hidden", status=403, json=fixture("error_forbidden_hide.json"))

    with pytest.raises(PermanentError, match="conversation you did not start"):
        connector.execute(org, _request(ActionKind.HIDE, target_id=REPLY_ID))


def test_hiding_with_a_revoked_token_asks_for_a_reconnection(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("PUT", f"/2/tweets/{REPLY_ID}/hidden", status=401, json=fixture("error_unauthorized.json"))
    x_server.add("POST", "/2/oauth2/token", status=400, json=fixture("token_refresh_refused.json"))

    with pytest.raises(AuthExpired):
        connector.execute(org, _request(ActionKind.HIDE, target_id=REPLY_ID))


def test_following_a_person(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", f"/2/users/{OWN_ID}/following", json=fixture("follow.json"))

    result = connector.execute(org, _request(ActionKind.FOLLOW, target_id=BOB, target_handle="@bob"))

    assert x_server.only("POST", f"/2/users/{OWN_ID}/following").json() == {"target_user_id": BOB}
    assert result.data == {"pending": False}


def test_muting_and_unmuting_a_person(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", f"/2/users/{OWN_ID}/muting", json=fixture("mute.json"))
    x_server.add("DELETE", f"/2/users/{OWN_ID}/muting/{BOB}", json=fixture("unmute.json"))

    connector.execute(org, _request(ActionKind.MUTE, target_id=BOB))
    connector.execute(org, _request(ActionKind.UNMUTE, target_id=BOB))

    assert x_server.only("POST", f"/2/users/{OWN_ID}/muting").json() == {"target_user_id": BOB}
    x_server.only("DELETE", f"/2/users/{OWN_ID}/muting/{BOB}")


def test_blocking_is_refused_without_a_call(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    with pytest.raises(PermanentError, match="Enterprise"):
        connector.execute(org, _request(ActionKind.BLOCK, target_id=BOB))

    assert x_server.requests == []
