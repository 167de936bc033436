"""Reading comments on the organisation page's posts, answering them, and LinkedIn's error shapes.

Contracts: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
(get comments on shares and on comments, create a nested comment),
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api (find posts by author),
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from parvis.networks.connectors.linkedin.client import DEFAULT_VERSION
from parvis.networks.connectors.linkedin.connector import LinkedInConnector
from parvis.networks.connectors.linkedin.tests.conftest import ORG, fixture
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

POST = "urn:li:share:6844785523593134081"
OLD_POST = "urn:li:share:6844785523593134000"
COMMENTS = "/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134081/comments"
OLD_COMMENTS = "/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134000/comments"
JULIE_COMMENT = f"urn:li:comment:({POST},7000000000000000001)"
NESTED = (
    "/rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Ashare%3A6844785523593134081"
    "%2C7000000000000000001%29/comments"
)
CURSOR = {"comments_since": "2026-11-18T11:00:00+00:00"}


def _script(server: ScriptedServer) -> None:
    server.add("GET", "/rest/posts", json=fixture("posts_by_author.json"))
    server.add("GET", COMMENTS, json=fixture("post_comments.json"))
    server.add("GET", OLD_COMMENTS, json=fixture("comments_empty.json"))
    server.add("GET", NESTED, json=fixture("nested_comments.json"))


def test_the_capabilities_say_what_linkedin_offers_the_inbox(connector: LinkedInConnector) -> None:
    caps = connector.capabilities
    assert caps.event_kinds == {EventKind.REPLY}
    assert not caps.delete_others
    assert not {ActionKind.HIDE, ActionKind.BLOCK, ActionKind.MUTE, ActionKind.SEND_DIRECT} & caps.actions


def test_comments_and_answers_to_comments_since_the_cursor_arrive_oldest_first(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    _script(li_server)

    result = connector.fetch(page, CURSOR)

    assert [e.external_id for e in result.events] == [
        JULIE_COMMENT,
        f"urn:li:comment:({POST},7000000000000000003)",
    ]
    julie, karim = result.events
    assert julie.kind == EventKind.REPLY
    assert julie.text == "Les inscriptions sont-elles ouvertes ?"
    assert julie.in_reply_to_id == POST and julie.thread_key == POST
    assert julie.author is not None and julie.author.external_id == "urn:li:person:Julie3xK9"
    assert karim.in_reply_to_id == JULIE_COMMENT and karim.thread_key == POST
    assert result.cursor["comments_since"] == "2026-11-18T11:10:40+00:00"


def test_the_requests_are_versioned_and_paged_as_documented(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    _script(li_server)

    connector.fetch(page, CURSOR)

    posts = li_server.only("GET", "/rest/posts")
    assert posts.arg("q") == "author" and posts.arg("author") == ORG and posts.arg("count") == "20"
    assert posts.header("X-RestLi-Method") == "FINDER"
    comments = li_server.only("GET", COMMENTS)
    assert (comments.arg("start"), comments.arg("count")) == ("0", "50")
    for request in li_server.requests:
        assert request.header("Linkedin-Version") == DEFAULT_VERSION
        assert request.header("X-Restli-Protocol-Version") == "2.0.0"
    li_server.only("GET", NESTED)  # Julie's comment has one answer


def test_comments_are_paged_while_the_total_says_there_are_more(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    def paged(request: Recorded) -> Reply:
        body = fixture("post_comments.json")
        body["paging"]["total"] = 4
        if request.arg("start") == "3":
            body["elements"] = []
        return Reply(json=body)

    li_server.add("GET", "/rest/posts", json=fixture("posts_by_author.json"))
    li_server.add("GET", COMMENTS, handler=paged)
    li_server.add("GET", OLD_COMMENTS, json=fixture("comments_empty.json"))
    li_server.add("GET", NESTED, json=fixture("comments_empty.json"))

    connector.fetch(page, CURSOR)

    assert [r.arg("start") for r in li_server.received("GET", COMMENTS)] == ["0", "3"]


def test_the_next_poll_delivers_nothing_twice(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    _script(li_server)
    first = connector.fetch(page, CURSOR)

    assert connector.fetch(page, first.cursor).events == []


def test_a_poll_failing_half_way_returns_nothing_and_the_next_reads_everything(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", "/rest/posts", json=fixture("posts_by_author.json"))
    li_server.add("GET", COMMENTS, json=fixture("post_comments.json"))
    li_server.add("GET", OLD_COMMENTS, status=500, json=fixture("error_server.json"), times=1)
    li_server.add("GET", OLD_COMMENTS, json=fixture("comments_empty.json"))
    li_server.add("GET", NESTED, json=fixture("nested_comments.json"))

    with pytest.raises(TransientError):
        connector.fetch(page, CURSOR)

    assert len(connector.fetch(page, CURSOR).events) == 2


def test_a_daily_throttle_while_reading_waits(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", "/rest/posts", status=429, json=fixture("error_too_many_requests.json"))

    with pytest.raises(RateLimited):
        connector.fetch(page, CURSOR)


def test_reading_after_losing_the_administrator_role_says_so(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", "/rest/posts", status=403, json=fixture("error_forbidden.json"))

    with pytest.raises(PermanentError, match="administrators"):
        connector.fetch(page, CURSOR)


def test_reading_with_a_revoked_token_asks_for_a_reconnection(
    connector: LinkedInConnector, li_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    from parvis.networks.connectors.linkedin.tests.conftest import make_ref

    ref = make_ref(li_server, saved, refresh_token="", expires_at=int(time.time()) + 3600)
    li_server.add("GET", "/rest/posts", status=401, json=fixture("error_unauthorized.json"))

    with pytest.raises(AuthExpired):
        connector.fetch(ref, CURSOR)


def test_an_answer_to_a_comment_is_a_nested_comment(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", NESTED, status=201, json=fixture("comment_created.json"))

    result = connector.execute(
        page,
        ActionRequest(
            kind=ActionKind.REPLY, idempotency_key="k", text="Oui, depuis lundi.", in_reply_to_id=JULIE_COMMENT
        ),
    )

    assert li_server.only("POST", NESTED).json() == {
        "actor": ORG,
        "object": POST,
        "parentComment": JULIE_COMMENT,
        "message": {"text": "Oui, depuis lundi."},
    }
    assert result.external_id.startswith("urn:li:comment:(")
    assert result.url == f"https://www.linkedin.com/feed/update/{POST}/"
