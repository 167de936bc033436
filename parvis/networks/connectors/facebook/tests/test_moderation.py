"""Moderating a Page: hiding, unhiding and deleting people's comments, blocking people, paging the feed.

Contracts from the Graph API reference:
https://developers.facebook.com/docs/graph-api/reference/comment/ (is_hidden, deleting),
https://developers.facebook.com/docs/graph-api/reference/page/blocked/,
https://developers.facebook.com/docs/graph-api/reference/page/feed/ (paging with `after`).
"""

from __future__ import annotations

import uuid

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import recorded, serve, serve_data, v
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.scripted_http import ScriptedServer

COMMENT_ID = "598240123456789_1199"
POST_ID = f"{PAGE_ID}_598240123456789"
CURSOR = {
    "comments_since": "2026-03-13T08:00:00+00:00",
    "tagged_since": "2026-03-13T07:00:00+00:00",
    "messages_since": "2026-03-13T08:00:00+00:00",
}


def _request(kind: ActionKind, **fields: str) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


def test_the_capabilities_say_what_a_page_can_moderate(connector: FacebookConnector) -> None:
    caps = connector.capabilities
    assert {ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE, ActionKind.BLOCK, ActionKind.UNBLOCK} <= caps.actions
    assert ActionKind.SEND_DIRECT in caps.actions and caps.direct_messages
    assert caps.delete_others
    assert EventKind.DIRECT_MESSAGE in caps.event_kinds
    assert EventKind.REVIEW not in caps.event_kinds  # recommendations left the Graph API in v22.0
    assert ActionKind.MUTE not in caps.actions


@pytest.mark.parametrize(("kind", "value"), [(ActionKind.HIDE, "true"), (ActionKind.UNHIDE, "false")])
def test_hiding_a_comment_sets_is_hidden(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, kind: ActionKind, value: str
) -> None:
    serve(graph, "POST", COMMENT_ID, "success.json")

    result = connector.execute(page, _request(kind, target_id=COMMENT_ID))

    sent = graph.only("POST", v(COMMENT_ID))
    assert sent.form()["is_hidden"] == value
    assert sent.header("Authorization") == "Bearer EAApagetokenCCI"
    assert result.external_id == COMMENT_ID
    assert result.data == {"hidden": kind == ActionKind.HIDE}


def test_hiding_without_the_permission_says_so(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", COMMENT_ID, "error_200_permissions.json")

    with pytest.raises(PermanentError, match="permission"):
        connector.execute(page, _request(ActionKind.HIDE, target_id=COMMENT_ID))


def test_hiding_when_the_page_is_throttled_waits_as_meta_says(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", COMMENT_ID, "error_80001_page_throttled.json")

    with pytest.raises(RateLimited) as raised:
        connector.execute(page, _request(ActionKind.HIDE, target_id=COMMENT_ID))

    assert raised.value.retry_after is not None and raised.value.retry_after > 0


def test_hiding_with_an_expired_token_asks_for_a_reconnection(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", COMMENT_ID, "error_190_463.json")

    with pytest.raises(AuthExpired):
        connector.execute(page, _request(ActionKind.HIDE, target_id=COMMENT_ID))


def test_deleting_someone_elses_comment(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "DELETE", COMMENT_ID, "success.json")

    result = connector.execute(page, _request(ActionKind.DELETE, target_id=COMMENT_ID))

    graph.only("DELETE", v(COMMENT_ID))
    assert result.external_id == COMMENT_ID


def test_blocking_a_person_from_the_page(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "POST", f"{PAGE_ID}/blocked", "page_blocked_created.json")

    result = connector.execute(page, _request(ActionKind.BLOCK, target_id="2538857719576163"))

    assert graph.only("POST", v(f"{PAGE_ID}/blocked")).form()["user"] == "2538857719576163"
    assert result.data == {"blocked": True}


def test_unblocking_a_person(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "DELETE", f"{PAGE_ID}/blocked", "success.json")

    connector.execute(page, _request(ActionKind.UNBLOCK, target_id="2538857719576163"))

    assert graph.only("DELETE", v(f"{PAGE_ID}/blocked")).arg("user") == "2538857719576163"


def test_muting_is_not_something_a_page_can_do(connector: FacebookConnector, page: AccountRef) -> None:
    with pytest.raises(PermanentError):
        connector.execute(page, _request(ActionKind.MUTE, target_id="2538857719576163"))


# --- reading beyond the 25 newest posts ------------------------------------------------------------


def _feed_page1_within_horizon() -> dict[str, object]:
    """The recorded first page, its older post moved inside the 30-day horizon, so the feed is paged on."""
    data = recorded("page_feed_with_comments.json")
    data["body"]["data"][1]["created_time"] = "2026-02-20T09:00:00+0000"
    return data


def test_comments_on_older_posts_are_read_by_paging_the_feed(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve_data(graph, "GET", f"{PAGE_ID}/feed", _feed_page1_within_horizon(), times=1)
    serve(graph, "GET", f"{PAGE_ID}/feed", "page_feed_page2.json", times=1)
    serve(graph, "GET", f"{POST_ID}/comments", "post_comments_page2.json")
    serve(graph, "GET", f"{PAGE_ID}/tagged", "empty_list.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "conversations_empty.json")

    result = connector.fetch(page, CURSOR)

    feeds = graph.received("GET", v(f"{PAGE_ID}/feed"))
    assert [request.arg("after") for request in feeds] == ["", "QVFIUkh6"]  # stops past the horizon
    assert "590000000000002_501" in {event.external_id for event in result.events}
    assert result.cursor["comments_since"] == "2026-03-13T08:20:00+00:00"


def test_a_poll_failing_half_way_moves_no_cursor_and_the_next_one_reads_everything(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", f"{PAGE_ID}/feed", "page_feed_with_comments.json")
    serve(graph, "GET", f"{POST_ID}/comments", "error_500_unknown.json", times=1)  # the second page fails once
    serve(graph, "GET", f"{POST_ID}/comments", "post_comments_page2.json")
    serve(graph, "GET", f"{PAGE_ID}/tagged", "page_tagged.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "conversations_empty.json")

    with pytest.raises(TransientError):
        connector.fetch(page, CURSOR)  # nothing is returned, so nothing is stored and the cursor stays

    result = connector.fetch(page, CURSOR)

    assert [event.external_id for event in result.events if event.kind == EventKind.REPLY] == [
        "598240123456789_1198",
        "598240123456789_1199",
        "598240123456789_1201",
    ]
