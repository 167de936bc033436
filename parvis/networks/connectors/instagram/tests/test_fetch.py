"""Reading Instagram: comments and replies on recent media, and media the account is tagged in."""

from __future__ import annotations

from datetime import UTC, datetime

from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.connectors.instagram.connector import MEDIA_FIELDS, InstagramConnector
from parvis.networks.connectors.instagram.tests.conftest import IG_ID
from parvis.networks.protocol import AccountRef, EventKind
from parvis.testing.scripted_http import ScriptedServer

MEDIA_ID = "17920238422030506"
CURSOR = {"comments_since": "2026-03-13T08:00:00+00:00", "tags_since": "2026-03-13T07:00:00+00:00"}


def _script(graph: ScriptedServer) -> None:
    serve(graph, "GET", f"{IG_ID}/media", "user_media_with_comments.json")
    serve(graph, "GET", f"{IG_ID}/tags", "tags.json")


def test_comments_replies_and_tags_since_the_cursor_arrive_oldest_first(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script(graph)

    result = connector.fetch(account, CURSOR)

    assert [(event.kind, event.external_id) for event in result.events] == [
        (EventKind.MENTION, "17999999999999999"),
        (EventKind.REPLY, "17858893269000001"),
        (EventKind.REPLY, "17858893269000003"),
        (EventKind.REPLY, "17858893269000004"),
    ]
    julie_again = result.events[2]
    assert julie_again.in_reply_to_id == "17858893269000001"
    assert julie_again.thread_key == MEDIA_ID
    assert julie_again.url == "https://www.instagram.com/p/DBx4kQ2Nq7Z/"
    karim = result.events[3]
    assert karim.text == "<script>alert(1)</script> super"
    assert karim.author is not None
    assert karim.author.external_id == "karim_b"
    assert karim.author.handle == "@Karim_B"
    assert karim.author.url == "https://www.instagram.com/Karim_B/"
    assert karim.occurred_at == datetime(2026, 3, 13, 8, 20, tzinfo=UTC)
    tag = result.events[0]
    assert tag.text == "Soirée réseau avec @ccilyon"
    assert tag.author is not None and tag.author.handle == "@lea.martin"


def test_the_accounts_own_comments_are_left_out(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script(graph)

    result = connector.fetch(account, CURSOR)

    assert "17858893269000002" not in {event.external_id for event in result.events}


def test_one_call_reads_the_comments_of_the_recent_media(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script(graph)

    connector.fetch(account, CURSOR)

    media = graph.only("GET", v(f"{IG_ID}/media"))
    assert media.arg("fields") == MEDIA_FIELDS
    assert media.arg("limit") == "25"
    assert graph.only("GET", v(f"{IG_ID}/tags")).arg("fields") == "id,caption,timestamp,permalink,username"
    assert len(graph.requests) == 2


def test_the_cursor_moves_to_the_newest_comment_and_tag(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script(graph)

    result = connector.fetch(account, CURSOR)

    assert result.cursor == {
        "comments_since": "2026-03-13T08:20:00+00:00",
        "tags_since": "2026-03-13T07:30:00+00:00",
        "seen": ["17858893269000004", "17999999999999999"],
    }
    again = connector.fetch(account, result.cursor)
    assert again.events == []
