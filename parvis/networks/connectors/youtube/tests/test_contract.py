"""The YouTube connector against the YouTube Data API v3 reference, over real HTTP on loopback.

References: https://developers.google.com/youtube/v3/docs/commentThreads/list,
https://developers.google.com/youtube/v3/docs/comments (list, insert, setModerationStatus, delete),
https://developers.google.com/youtube/v3/docs/errors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from parvis.networks.connectors.youtube.client import seconds_until_quota_reset
from parvis.networks.connectors.youtube.connector import YouTubeConnector
from parvis.networks.connectors.youtube.tests.conftest import API, CHANNEL_ID, fixture, make_ref
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

VIDEO = "dQw4w9WgXcQ"
TOP = "UgzJulie1AaBbCc"
CURSOR = {"comments_since": "2026-03-13T08:00:00+00:00"}


def _request(kind: ActionKind, **fields: str) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key="k", **fields)  # type: ignore[arg-type]


def _threads(request: Recorded) -> Reply:
    if request.arg("moderationStatus") == "heldForReview":
        return Reply(json=fixture("comment_threads_held.json"))
    return Reply(json=fixture("comment_threads_published.json"))


def _script_reading(server: ScriptedServer) -> None:
    server.add("GET", f"{API}/commentThreads", handler=_threads)
    server.add("GET", f"{API}/comments", json=fixture("comments_empty.json"))


# --- verify and capabilities -----------------------------------------------------------------------


def test_verify_asks_which_channel_the_token_manages(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/channels", json=fixture("channels_mine.json"))

    profile = connector.verify(channel)

    sent = yt_server.only("GET", f"{API}/channels")
    assert sent.arg("mine") == "true" and sent.arg("part") == "snippet"
    assert sent.header("Authorization") == "Bearer ya29.access-1"
    assert (profile.external_id, profile.handle, profile.display_name) == (CHANNEL_ID, "@ccilyon", "CCI Lyon Métropole")
    assert profile.url == "https://www.youtube.com/@ccilyon"


def test_a_google_account_without_a_channel_is_refused(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/channels", json=fixture("channels_none.json"))

    with pytest.raises(PermanentError, match="no YouTube channel"):
        connector.verify(channel)


def test_the_capabilities_say_what_youtube_allows(connector: YouTubeConnector) -> None:
    caps = connector.capabilities
    assert caps.actions == {ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE, ActionKind.BLOCK}
    assert ActionKind.PUBLISH not in caps.actions
    assert caps.delete_others and caps.oauth
    assert caps.event_kinds == {EventKind.REPLY}


# --- reading -----------------------------------------------------------------------------------------


def test_comments_published_and_held_since_the_cursor_arrive_oldest_first(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    _script_reading(yt_server)

    result = connector.fetch(channel, CURSOR)

    assert [event.external_id for event in result.events] == [TOP, f"{TOP}.9zReply2", "UgyHeld0000"]
    julie = result.events[0]
    assert julie.kind == EventKind.REPLY
    assert julie.text == "L'atelier est-il complet ?\nMerci & bravo"  # textDisplay is HTML: plain text here
    assert julie.in_reply_to_id == VIDEO
    assert julie.thread_key == VIDEO
    assert julie.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={TOP}"
    assert julie.author is not None and julie.author.external_id == "UCjulieMoreau00000000001"
    assert julie.author.handle == "@juliemoreau"
    assert julie.occurred_at == datetime(2026, 3, 13, 8, 5, tzinfo=UTC)
    assert result.events[1].in_reply_to_id == TOP
    assert result.events[2].raw["moderation_status"] == "heldForReview"
    assert result.cursor["comments_since"] == "2026-03-13T08:20:00+00:00"


def test_the_threads_are_asked_the_documented_way(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    _script_reading(yt_server)

    connector.fetch(channel, CURSOR)

    listings = yt_server.received("GET", f"{API}/commentThreads")
    # The published page ends on a thread older than the cursor: no second page is read.
    assert [r.arg("moderationStatus") for r in listings] == ["published", "heldForReview"]
    first = listings[0]
    assert first.arg("allThreadsRelatedToChannelId") == CHANNEL_ID
    assert first.arg("part") == "snippet,replies"
    assert first.arg("maxResults") == "100"
    # Julie's thread has 2 replies and carries both: no comments.list call.
    assert yt_server.received("GET", f"{API}/comments") == []


def test_pages_are_followed_while_they_hold_new_comments(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    def threads(request: Recorded) -> Reply:
        if request.arg("moderationStatus") == "heldForReview":
            return Reply(json=fixture("comment_threads_empty.json"))
        if request.arg("pageToken") == "QURTSl9pMlZ":
            return Reply(json=fixture("comment_threads_empty.json"))
        body = fixture("comment_threads_published.json")
        body["items"] = body["items"][:1]  # only a recent thread: the next page may hold more
        return Reply(json=body)

    yt_server.add("GET", f"{API}/commentThreads", handler=threads)

    connector.fetch(channel, CURSOR)

    published = [
        r for r in yt_server.received("GET", f"{API}/commentThreads") if r.arg("moderationStatus") == "published"
    ]
    assert [r.arg("pageToken") for r in published] == ["", "QURTSl9pMlZ"]


def test_the_next_poll_delivers_nothing_twice(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    _script_reading(yt_server)
    first = connector.fetch(channel, CURSOR)

    second = connector.fetch(channel, first.cursor)

    assert second.events == []


def test_a_poll_failing_half_way_returns_nothing_and_the_next_reads_everything(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    calls = {"n": 0}

    def flaky(request: Recorded) -> Reply:
        calls["n"] += 1
        if request.arg("moderationStatus") == "heldForReview" and calls["n"] == 2:
            return Reply(status=503, json=fixture("error_backend.json"))
        return _threads(request)

    yt_server.add("GET", f"{API}/commentThreads", handler=flaky)

    with pytest.raises(TransientError):
        connector.fetch(channel, CURSOR)
    again = connector.fetch(channel, CURSOR)

    assert len(again.events) == 3


def test_the_quota_running_out_waits_until_midnight_pacific(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/commentThreads", status=403, json=fixture("error_quota_exceeded.json"))

    with pytest.raises(RateLimited, match="midnight Pacific") as raised:
        connector.fetch(channel, CURSOR)

    assert raised.value.retry_after is not None
    assert abs(raised.value.retry_after - seconds_until_quota_reset()) < 5


def test_midnight_pacific_follows_daylight_saving_time() -> None:
    pacific = ZoneInfo("America/Los_Angeles")
    assert seconds_until_quota_reset(datetime(2026, 7, 1, 23, 0, tzinfo=pacific)) == 3600
    # 1 a.m. UTC on 9 March 2026 is 6 p.m. the day before in Los Angeles (PDT from 8 March).
    assert seconds_until_quota_reset(datetime(2026, 3, 9, 1, 0, tzinfo=UTC)) == 6 * 3600


def test_a_burst_limit_waits_as_youtube_says(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add(
        "GET", f"{API}/commentThreads", status=403, json=fixture("error_rate_limit.json"), headers={"Retry-After": "30"}
    )

    with pytest.raises(RateLimited) as raised:
        connector.fetch(channel, CURSOR)

    assert raised.value.retry_after == 30


def test_an_expired_token_is_refreshed_once_and_the_call_retried(
    connector: YouTubeConnector, yt_server: ScriptedServer, saved: list[dict[str, Any]], channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/channels", status=401, json=fixture("error_unauthorized.json"), times=1)
    yt_server.add("GET", f"{API}/channels", json=fixture("channels_mine.json"))
    yt_server.add("POST", "/token", json=fixture("token.json"))

    connector.verify(channel)

    token = yt_server.only("POST", "/token").form()
    assert token["grant_type"] == "refresh_token" and token["refresh_token"] == "1//refresh-1"
    assert saved and saved[-1]["access_token"] == "ya29.a0AfH6SMB"
    assert yt_server.received("GET", f"{API}/channels")[-1].header("Authorization") == "Bearer ya29.a0AfH6SMB"


def test_a_revoked_authorisation_is_auth_expired(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/commentThreads", status=401, json=fixture("error_unauthorized.json"))
    yt_server.add("POST", "/token", status=400, json=fixture("token_refresh_refused.json"))

    with pytest.raises(AuthExpired):
        connector.fetch(channel, CURSOR)


def test_no_token_at_all_is_auth_expired(connector: YouTubeConnector, yt_server: ScriptedServer) -> None:
    with pytest.raises(AuthExpired):
        connector.fetch(make_ref(yt_server, [], access_token=""), CURSOR)


# --- writing -----------------------------------------------------------------------------------------


def test_an_answer_to_a_comment_is_a_reply_under_its_thread(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("POST", f"{API}/comments", json=fixture("comment_inserted.json"))

    result = connector.execute(channel, _request(ActionKind.REPLY, text="Oui !", in_reply_to_id=f"{TOP}.9zReply2"))

    sent = yt_server.only("POST", f"{API}/comments")
    assert sent.arg("part") == "snippet"
    assert sent.json() == {"snippet": {"parentId": TOP, "textOriginal": "Oui !"}}  # threads are one level deep
    assert result.external_id == f"{TOP}.9zNew0001"
    assert result.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={TOP}.9zNew0001"


def test_an_answer_to_a_video_starts_a_thread(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("POST", f"{API}/commentThreads", json=fixture("thread_inserted.json"))

    result = connector.execute(channel, _request(ActionKind.REPLY, text="Merci à tous", in_reply_to_id=VIDEO))

    assert yt_server.only("POST", f"{API}/commentThreads").json() == {
        "snippet": {"videoId": VIDEO, "topLevelComment": {"snippet": {"textOriginal": "Merci à tous"}}}
    }
    assert result.external_id == "UgxNewThread01"


@pytest.mark.parametrize(("kind", "status"), [(ActionKind.HIDE, "heldForReview"), (ActionKind.UNHIDE, "published")])
def test_hiding_sets_the_moderation_status(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef, kind: ActionKind, status: str
) -> None:
    yt_server.add("POST", f"{API}/comments/setModerationStatus", status=204)

    result = connector.execute(channel, _request(kind, target_id=TOP))

    sent = yt_server.only("POST", f"{API}/comments/setModerationStatus")
    assert (sent.arg("id"), sent.arg("moderationStatus"), sent.arg("banAuthor")) == (TOP, status, "")
    assert result.data["moderation_status"] == status


def test_deleting_someone_elses_comment_rejects_it(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/comments", json=fixture("comment_by_other.json"))
    yt_server.add("POST", f"{API}/comments/setModerationStatus", status=204)

    connector.execute(channel, _request(ActionKind.DELETE, target_id=TOP))

    assert yt_server.only("GET", f"{API}/comments").arg("id") == TOP
    assert yt_server.only("POST", f"{API}/comments/setModerationStatus").arg("moderationStatus") == "rejected"
    assert yt_server.received("DELETE", f"{API}/comments") == []


def test_deleting_the_channels_own_comment_deletes_it(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/comments", json=fixture("comment_by_channel.json"))
    yt_server.add("DELETE", f"{API}/comments", status=204)

    result = connector.execute(channel, _request(ActionKind.DELETE, target_id=f"{TOP}.9zReply1"))

    assert yt_server.only("DELETE", f"{API}/comments").arg("id") == f"{TOP}.9zReply1"
    assert result.data == {"deleted": True}


def test_deleting_a_comment_already_gone_is_done(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/comments", json=fixture("comments_empty.json"))

    assert connector.execute(channel, _request(ActionKind.DELETE, target_id=TOP)).data == {"already_gone": True}


def test_blocking_bans_the_author_through_their_comment(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("POST", f"{API}/comments/setModerationStatus", status=204)

    connector.execute(channel, _request(ActionKind.BLOCK, target_id=TOP))

    sent = yt_server.only("POST", f"{API}/comments/setModerationStatus")
    assert (sent.arg("moderationStatus"), sent.arg("banAuthor")) == ("rejected", "true")


def test_blocking_a_channel_id_explains_how_youtube_bans(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="through one of their comments"):
        connector.execute(channel, _request(ActionKind.BLOCK, target_id="UCjulieMoreau00000000001"))

    assert yt_server.requests == []


def test_moderating_without_permission_is_a_permanent_error(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("POST", f"{API}/comments/setModerationStatus", status=403, json=fixture("error_forbidden.json"))

    with pytest.raises(PermanentError, match="insufficient permissions"):
        connector.execute(channel, _request(ActionKind.HIDE, target_id=TOP))


def test_moderating_a_comment_that_is_gone_is_a_permanent_error(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add(
        "POST", f"{API}/comments/setModerationStatus", status=404, json=fixture("error_comment_not_found.json")
    )

    with pytest.raises(PermanentError, match="no longer exists"):
        connector.execute(channel, _request(ActionKind.UNHIDE, target_id=TOP))


def test_a_server_error_on_an_answer_is_transient(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("POST", f"{API}/comments", status=503, json=fixture("error_backend.json"))

    with pytest.raises(TransientError):
        connector.execute(channel, _request(ActionKind.REPLY, text="Oui", in_reply_to_id=TOP))


def test_publishing_a_video_is_not_offered(connector: YouTubeConnector, channel: AccountRef) -> None:
    with pytest.raises(PermanentError, match="does not publish videos"):
        connector.execute(channel, _request(ActionKind.PUBLISH, text="x"))


def test_an_unreadable_answer_is_transient(
    connector: YouTubeConnector, yt_server: ScriptedServer, channel: AccountRef
) -> None:
    yt_server.add("GET", f"{API}/commentThreads", body=b"<html>oops</html>")

    with pytest.raises(TransientError):
        connector.fetch(channel, CURSOR)
