"""Moderating comments on the account's own media: hide, unhide, delete, and the errors Meta answers.

Contracts: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment
(POST /{ig-comment-id}?hide=, DELETE /{ig-comment-id}),
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media (paging),
https://developers.facebook.com/docs/graph-api/guides/error-handling (error shapes).
"""

from __future__ import annotations

import pytest

from parvis.networks.connectors.facebook.tests.graph_testing import recorded, serve, serve_data, v
from parvis.networks.connectors.instagram.connector import InstagramConnector
from parvis.networks.connectors.instagram.tests.conftest import IG_ID
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.scripted_http import ScriptedServer

COMMENT = "17858893269000004"
CURSOR = {"comments_since": "2026-03-13T08:00:00+00:00", "tags_since": "2026-03-13T07:00:00+00:00"}


def _request(kind: ActionKind, target: str = COMMENT) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key="k", target_id=target)


def test_the_capabilities_say_what_instagram_can_moderate(connector: InstagramConnector) -> None:
    caps = connector.capabilities
    assert {ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE, ActionKind.REPLY} <= caps.actions
    assert caps.delete_others
    assert not {ActionKind.BLOCK, ActionKind.MUTE, ActionKind.FOLLOW, ActionKind.FAVOURITE} & caps.actions


@pytest.mark.parametrize(("kind", "value"), [(ActionKind.HIDE, "true"), (ActionKind.UNHIDE, "false")])
def test_hiding_a_comment_sets_hide(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, kind: ActionKind, value: str
) -> None:
    serve(graph, "POST", COMMENT, "success.json")

    result = connector.execute(account, _request(kind))

    assert graph.only("POST", v(COMMENT)).form()["hide"] == value
    assert result.data == {"hidden": kind == ActionKind.HIDE}


def test_hiding_a_comment_that_is_not_on_our_media_is_refused(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "POST", COMMENT, "error_100_33.json")

    with pytest.raises(PermanentError):
        connector.execute(account, _request(ActionKind.HIDE))


def test_hiding_when_rate_limited_waits(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "POST", COMMENT, "error_80001_page_throttled.json")

    with pytest.raises(RateLimited):
        connector.execute(account, _request(ActionKind.HIDE))


def test_hiding_with_an_expired_token_asks_for_a_reconnection(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "POST", COMMENT, "error_190_460.json")

    with pytest.raises(AuthExpired):
        connector.execute(account, _request(ActionKind.HIDE))


def test_deleting_someone_elses_comment(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "DELETE", COMMENT, "success.json")

    result = connector.execute(account, _request(ActionKind.DELETE))

    graph.only("DELETE", v(COMMENT))
    assert result.external_id == COMMENT


def test_deleting_a_comment_already_gone_is_done(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "DELETE", COMMENT, "error_100_33.json")
    serve(graph, "GET", COMMENT, "error_100_33.json")

    result = connector.execute(account, _request(ActionKind.DELETE))

    assert result.data == {"already_gone": True}


def test_deleting_a_post_is_refused_with_metas_reason(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "DELETE", "17920238422030506", "error_200_permissions.json")
    serve(graph, "GET", "17920238422030506", "media_permalink.json")

    with pytest.raises(PermanentError, match="deletes comments, not posts"):
        connector.execute(account, _request(ActionKind.DELETE, "17920238422030506"))


def test_media_are_paged_until_the_horizon(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    first = recorded("user_media_with_comments.json")
    first["body"]["paging"] = {"cursors": {"before": "a", "after": "b"}, "next": "https://graph.facebook.com/next"}
    first["body"]["data"][1]["timestamp"] = "2026-02-28T09:00:00+0000"  # inside the 30-day horizon
    older = recorded("user_media_with_comments.json")
    older["body"]["data"] = [{"id": "17800000000000001", "caption": "Ancien", "timestamp": "2026-01-02T09:00:00+0000"}]
    serve_data(graph, "GET", f"{IG_ID}/media", first, times=1)
    serve_data(graph, "GET", f"{IG_ID}/media", older, times=1)
    serve(graph, "GET", f"{IG_ID}/tags", "tags.json")

    connector.fetch(account, CURSOR)

    assert [r.arg("after") for r in graph.received("GET", v(f"{IG_ID}/media"))] == ["", "b"]


def test_a_poll_failing_half_way_returns_nothing_and_moves_no_cursor(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "GET", f"{IG_ID}/media", "user_media_with_comments.json")
    serve(graph, "GET", f"{IG_ID}/tags", "error_2_service.json", times=1)
    serve(graph, "GET", f"{IG_ID}/tags", "tags.json")

    with pytest.raises(TransientError):
        connector.fetch(account, CURSOR)
    again = connector.fetch(account, CURSOR)

    assert len(again.events) == 4
