"""Messenger: the Page's conversations in, answers out through the Send API, inside the 24-hour window.

Contracts: https://developers.facebook.com/docs/graph-api/reference/page/conversations/,
https://developers.facebook.com/docs/graph-api/reference/conversation/messages/,
https://developers.facebook.com/docs/messenger-platform/reference/send-api/,
https://developers.facebook.com/docs/messenger-platform/policy/policy-overview/ (standard messaging window).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from parvis.networks.connectors.facebook.connector import CONVERSATION_FIELDS, FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import now_stamp, recorded, serve, serve_data, v
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.scripted_http import ScriptedServer

CONVERSATION = "t_10161552337216852"
JULIE = "6903458722914536"
CURSOR = {
    "comments_since": "2026-03-13T08:00:00+00:00",
    "tagged_since": "2026-03-13T07:00:00+00:00",
    "messages_since": "2026-03-13T08:00:00+00:00",
}


def _script_reading(graph: ScriptedServer) -> None:
    serve(graph, "GET", f"{PAGE_ID}/feed", "empty_list.json")
    serve(graph, "GET", f"{PAGE_ID}/tagged", "empty_list.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "page_conversations.json")
    serve(graph, "GET", f"{CONVERSATION}/messages", "conversation_messages_page2.json")


def test_messages_from_people_since_the_cursor_arrive_oldest_first(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_reading(graph)

    result = connector.fetch(page, CURSOR)

    assert [(event.kind, event.external_id) for event in result.events] == [
        (EventKind.DIRECT_MESSAGE, "m_Et3yWc7Pq8htD0m6C"),
        (EventKind.DIRECT_MESSAGE, "m_Ds1xVb5Op6gsC8l4B"),
        (EventKind.DIRECT_MESSAGE, "m_Cr9wUa3No4frB6k2A"),
        (EventKind.DIRECT_MESSAGE, "m_Ap3kQx9Lr0dpZ2h8Y"),
    ]
    question = result.events[2]
    assert question.text == "Bonjour, l'atelier export est-il complet ?"
    assert question.author is not None and question.author.external_id == JULIE
    assert question.thread_key == f"messenger:{CONVERSATION}"
    assert question.visibility == "direct"
    assert question.url == "https://www.facebook.com/ccilyon/inbox/10161552337216852/"
    assert result.events[1].raw["attachments"] == 1
    assert result.cursor["messages_since"] == "2026-03-13T09:12:40+00:00"


def test_conversations_are_read_down_to_the_cursor_and_not_further(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_reading(graph)

    result = connector.fetch(page, CURSOR)

    listing = graph.only("GET", v(f"{PAGE_ID}/conversations"))  # the second conversation is older: no next page
    assert listing.arg("platform") == "messenger"
    assert listing.arg("fields") == CONVERSATION_FIELDS
    more = graph.only("GET", v(f"{CONVERSATION}/messages"))  # paged once, until a message older than the cursor
    assert more.arg("after") == "QVFIUm4"
    ids = {event.external_id for event in result.events}
    assert "m_Old0000000" not in ids and "m_Fu5zXd9Qr0iuE2n8D" not in ids
    assert "m_Bq7vTz1Mn2eqA4j0Z" not in ids  # the Page's own answer


def test_a_page_without_the_messaging_permission_is_still_read(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", f"{PAGE_ID}/feed", "page_feed_with_comments.json")
    serve(graph, "GET", f"{PAGE_ID}_598240123456789/comments", "post_comments_page2.json")
    serve(graph, "GET", f"{PAGE_ID}/tagged", "empty_list.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "error_230_pages_messaging.json")

    result = connector.fetch(page, CURSOR)

    assert {event.kind for event in result.events} == {EventKind.REPLY}
    assert result.cursor["messages_since"] == CURSOR["messages_since"]  # nothing read: the cursor stays


def test_an_answer_to_a_message_goes_through_the_send_api(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    lookup = recorded("message_lookup.json")
    lookup["body"]["created_time"] = now_stamp(-3600)
    serve_data(graph, "GET", "m_Ap3kQx9Lr0dpZ2h8Y", lookup)
    serve(graph, "POST", f"{PAGE_ID}/messages", "send_api_sent.json")

    result = connector.execute(
        page,
        ActionRequest(
            kind=ActionKind.REPLY,
            idempotency_key=uuid.uuid4().hex,
            text="Avec plaisir !",
            in_reply_to_id="m_Ap3kQx9Lr0dpZ2h8Y",
            visibility="direct",
        ),
    )

    sent = graph.only("POST", v(f"{PAGE_ID}/messages")).form()
    assert json.loads(sent["recipient"]) == {"id": JULIE}
    assert sent["messaging_type"] == "RESPONSE"
    assert json.loads(sent["message"]) == {"text": "Avec plaisir !"}
    assert result.external_id.startswith("m_AG5Hz2")
    assert graph.received("POST", v("m_Ap3kQx9Lr0dpZ2h8Y/comments")) == []


def test_an_answer_after_the_24_hour_window_is_refused_before_sending(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", "m_Ap3kQx9Lr0dpZ2h8Y", "message_lookup.json")  # March: long past

    with pytest.raises(PermanentError, match="24 hours"):
        connector.execute(
            page,
            ActionRequest(
                kind=ActionKind.REPLY,
                idempotency_key="k",
                text="Pardon du retard",
                in_reply_to_id="m_Ap3kQx9Lr0dpZ2h8Y",
                visibility="direct",
            ),
        )

    assert graph.received("POST", v(f"{PAGE_ID}/messages")) == []


def test_metas_own_window_refusal_is_the_same_clear_error(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/messages", "error_10_2018278_window.json")

    with pytest.raises(PermanentError, match="24 hours"):
        connector.execute(
            page, ActionRequest(kind=ActionKind.SEND_DIRECT, idempotency_key="k", text="Merci !", target_id=JULIE)
        )


def test_a_direct_message_to_a_person(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "POST", f"{PAGE_ID}/messages", "send_api_sent.json")

    result = connector.execute(
        page, ActionRequest(kind=ActionKind.SEND_DIRECT, idempotency_key="k", text="Bienvenue !", target_id=JULIE)
    )

    sent = graph.only("POST", v(f"{PAGE_ID}/messages")).form()
    assert json.loads(sent["recipient"]) == {"id": JULIE}
    assert result.data["recipient_id"] == JULIE


def test_messenger_messages_are_not_read_back(connector: FacebookConnector, page: AccountRef) -> None:
    request = ActionRequest(kind=ActionKind.REPLY, idempotency_key="k", text="x", in_reply_to_id="m_1")

    with pytest.raises(PermanentError):
        connector.locate(page, request, since=datetime.now(UTC))
