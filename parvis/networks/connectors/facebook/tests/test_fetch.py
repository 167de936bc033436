"""Reading a Page: comments on its recent posts and posts that tag it, oldest first, with a cursor."""

from __future__ import annotations

from datetime import UTC, datetime

from parvis.networks.connectors.facebook.connector import FEED_FIELDS, FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import restamped, serve, serve_data, v
from parvis.networks.protocol import AccountRef, EventKind
from parvis.testing.scripted_http import ScriptedServer

POST_ID = f"{PAGE_ID}_598240123456789"
CURSOR = {
    "comments_since": "2026-03-13T08:00:00+00:00",
    "tagged_since": "2026-03-13T07:00:00+00:00",
    "messages_since": "2026-03-13T08:00:00+00:00",
}


def _script_page(graph: ScriptedServer) -> None:
    serve(graph, "GET", f"{PAGE_ID}/feed", "page_feed_with_comments.json")
    serve(graph, "GET", f"{POST_ID}/comments", "post_comments_page2.json")
    serve(graph, "GET", f"{PAGE_ID}/tagged", "page_tagged.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "conversations_empty.json")


def test_comments_and_tags_since_the_cursor_arrive_oldest_first(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_page(graph)

    result = connector.fetch(page, CURSOR)

    assert [(event.kind, event.external_id) for event in result.events] == [
        (EventKind.MENTION, "100089_422233"),
        (EventKind.REPLY, "598240123456789_1198"),
        (EventKind.REPLY, "598240123456789_1199"),
        (EventKind.REPLY, "598240123456789_1201"),
    ]
    karim = result.events[2]
    assert karim.text == "<b>C'est payant ?</b>"  # plain text from Facebook, escaped where it is shown
    assert karim.author is not None and karim.author.external_id == "2538857719576163"
    assert karim.author.display_name == "Karim Benali"
    assert karim.in_reply_to_id == POST_ID
    assert karim.thread_key == POST_ID
    assert karim.occurred_at == datetime(2026, 3, 13, 8, 5, tzinfo=UTC)
    assert karim.url.endswith("comment_id=1199")
    mention = result.events[0]
    assert mention.text == "Super soirée à la CCI Lyon Métropole hier soir !"
    assert mention.thread_key == "100089_422233"


def test_the_pages_own_comments_are_not_read_as_messages(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_page(graph)

    result = connector.fetch(page, CURSOR)

    assert "598240123456789_1200" not in {event.external_id for event in result.events}


def test_posts_without_new_comments_are_skipped_and_comments_are_paged(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_page(graph)

    result = connector.fetch(page, CURSOR)

    feed = graph.only("GET", v(f"{PAGE_ID}/feed"))
    assert feed.arg("fields") == FEED_FIELDS
    assert feed.arg("limit") == "25"
    more = graph.only("GET", v(f"{POST_ID}/comments"))
    assert more.arg("after") == "MTE5OQZDZD"
    assert more.arg("filter") == "stream"
    assert more.arg("order") == "reverse_chronological"
    assert "597000000000001_77" not in {event.external_id for event in result.events}


def test_the_cursor_moves_to_the_newest_comment_and_tag_seen(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    _script_page(graph)

    result = connector.fetch(page, {**CURSOR, "other": "kept"})

    assert result.cursor == {
        "comments_since": "2026-03-13T08:15:02+00:00",
        "tagged_since": "2026-03-13T07:30:00+00:00",
        "messages_since": "2026-03-13T08:00:00+00:00",  # no new message: unchanged
        "seen": ["100089_422233", "598240123456789_1201"],  # delivered inside the next poll's overlap
        "other": "kept",
    }


def test_the_next_poll_finds_nothing_new(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    _script_page(graph)
    first = connector.fetch(page, CURSOR)

    second = connector.fetch(page, first.cursor)

    # The window overlaps the cursor by two minutes; what was delivered in it is remembered.
    assert second.events == []
    assert second.cursor["seen"] == first.cursor["seen"]


def test_a_first_poll_reads_the_last_day(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    feed = restamped("page_feed_with_comments.json", "created_time", "updated_time")
    del feed["body"]["paging"]  # one page of posts
    serve_data(graph, "GET", f"{PAGE_ID}/feed", feed)
    serve_data(graph, "GET", f"{POST_ID}/comments", restamped("post_comments_page2.json", "created_time"))
    serve(graph, "GET", f"{PAGE_ID}/tagged", "page_tagged.json")
    serve(graph, "GET", f"{PAGE_ID}/conversations", "conversations_empty.json")

    result = connector.fetch(page, {})

    assert {event.kind for event in result.events} == {EventKind.REPLY}  # the tag is months old
    assert len(result.events) == 4  # both posts are fresh now; the Page's own comment is left out
    assert set(result.cursor) == {"comments_since", "tagged_since", "messages_since", "seen"}
