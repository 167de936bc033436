"""Read-back: finding a published post or comment again, by id or by its text since a moment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import restamped, serve, serve_data, v
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.scripted_http import ScriptedServer

POST_ID = f"{PAGE_ID}_598240123456789"
TEXT = "Assemblée générale jeudi à 18 h."


def _request(kind: ActionKind = ActionKind.PUBLISH, **fields: object) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


def test_a_post_is_found_by_its_id(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "GET", POST_ID, "post.json")

    found = connector.locate(page, _request(text=TEXT), external_id=POST_ID)

    assert found is not None
    assert found.external_id == POST_ID
    assert found.url == "https://www.facebook.com/ccilyon/posts/598240123456789"
    assert graph.only("GET", v(POST_ID)).arg("fields") == "id,message,created_time,permalink_url"


def test_a_deleted_post_is_not_found(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "GET", POST_ID, "error_100_33.json")

    assert connector.locate(page, _request(text=TEXT), external_id=POST_ID) is None


def test_a_post_is_found_by_its_text_among_the_pages_posts_since_the_attempt(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve_data(graph, "GET", f"{PAGE_ID}/posts", restamped("page_posts.json", "created_time"))
    since = datetime.now(UTC) - timedelta(minutes=1)

    found = connector.locate(page, _request(text=f"  {TEXT}\n"), since=since)

    assert found is not None and found.external_id == POST_ID
    asked = graph.only("GET", v(f"{PAGE_ID}/posts"))
    assert int(asked.arg("since")) == int((since - timedelta(minutes=2)).timestamp())


def test_a_post_older_than_the_attempt_is_not_taken_for_it(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", f"{PAGE_ID}/posts", "page_posts.json")  # posted in March

    assert connector.locate(page, _request(text=TEXT), since=datetime.now(UTC)) is None


def test_a_comment_is_found_among_the_pages_comments_under_the_post(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve_data(graph, "GET", f"{POST_ID}/comments", restamped("post_comments_mine.json", "created_time"))

    found = connector.locate(
        page,
        _request(ActionKind.REPLY, text="Ordre du jour et inscription : lien en bio.", in_reply_to_id=POST_ID),
        since=datetime.now(UTC) - timedelta(seconds=30),
    )

    assert found is not None and found.external_id == "598240123456789_1187410842130611"


def test_someone_elses_comment_with_the_same_words_is_not_ours(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve_data(graph, "GET", f"{POST_ID}/comments", restamped("post_comments_mine.json", "created_time"))

    found = connector.locate(page, _request(ActionKind.REPLY, text="Je serai là !", in_reply_to_id=POST_ID))

    assert found is None


def test_a_like_cannot_be_looked_for(connector: FacebookConnector, page: AccountRef) -> None:
    with pytest.raises(PermanentError):
        connector.locate(page, _request(ActionKind.FAVOURITE, target_id=POST_ID))
