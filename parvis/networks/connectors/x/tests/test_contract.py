"""The X connector against X's documented requests and answers, over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.x.connector import XConnector
from parvis.networks.connectors.x.tests.conftest import OWN_ID, fixture, make_ref
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind, MediaFile
from parvis.testing.scripted_http import ScriptedServer


def _request(kind: ActionKind, **kwargs: Any) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key="key-1", **kwargs)


# --- verify ----------------------------------------------------------------------------------------


def test_verify_asks_x_whose_token_it_is(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("GET", "/2/users/me", json=fixture("users_me.json"))

    profile = connector.verify(org)

    assert profile.external_id == OWN_ID
    assert profile.handle == "@ccilyon"
    assert profile.display_name == "CCI Lyon"
    assert profile.url == "https://x.com/ccilyon"
    sent = x_server.only("GET", "/2/users/me")
    assert sent.header("Authorization") == "Bearer access-1"
    assert "username" in sent.arg("user.fields")


def test_an_account_without_token_must_be_reconnected(connector: XConnector, x_server: ScriptedServer) -> None:
    with pytest.raises(AuthExpired):
        connector.verify(make_ref(x_server, [], access_token=""))


# --- counting --------------------------------------------------------------------------------------


def test_characters_are_weighted_the_x_way(connector: XConnector) -> None:
    assert connector.count_characters("a" * 280) == 280
    assert connector.count_characters("Voir https://example.org/" + "x" * 100) == 5 + 23
    assert connector.count_characters("日本") == 4  # CJK weighs 2
    assert connector.count_characters("😀") == 2
    assert connector.count_characters("é") == 1


def test_the_capabilities_say_what_x_allows(connector: XConnector) -> None:
    caps = connector.capabilities
    assert (caps.max_characters, caps.link_length, caps.counting) == (280, 23, "weighted")
    assert caps.max_media == 4 and caps.alt_text_max == 1000
    assert caps.threads and caps.read_back and caps.search and caps.oauth
    assert {ActionKind.QUOTE, ActionKind.REPOST, ActionKind.FAVOURITE, ActionKind.DELETE} <= caps.actions
    assert not caps.idempotent_publish


# --- publishing ------------------------------------------------------------------------------------


def test_publish_posts_the_text(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))

    result = connector.execute(org, _request(ActionKind.PUBLISH, text="Hello world!"))

    sent = x_server.only("POST", "/2/tweets")
    assert sent.json() == {"text": "Hello world!"}
    assert sent.header("Content-Type") == "application/json"
    assert sent.header("Authorization") == "Bearer access-1"
    assert result.external_id == "1445880548472328192"
    assert result.url == "https://x.com/ccilyon/status/1445880548472328192"


def test_publish_uploads_each_picture_sets_its_alt_text_then_attaches_it(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef, square_png: Path
) -> None:
    x_server.add("POST", "/2/media/upload", json=fixture("media_upload.json"))
    x_server.add("POST", "/2/media/metadata", json=fixture("media_metadata.json"))
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))
    media = MediaFile(path=str(square_png), mime_type="image/png", alt_text="Two by two pixels")

    connector.execute(org, _request(ActionKind.PUBLISH, text="Hello world!", media=(media,)))

    upload = x_server.only("POST", "/2/media/upload")
    assert upload.header("Content-Type").startswith("multipart/form-data; boundary=")
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.body
    assert b'name="media_type"\r\n\r\nimage/png' in upload.body
    assert b'name="media"; filename="square.png"' in upload.body
    assert square_png.read_bytes() in upload.body
    assert x_server.only("POST", "/2/media/metadata").json() == {
        "id": "1880028106020515840",
        "metadata": {"alt_text": {"text": "Two by two pixels"}},
    }
    assert x_server.only("POST", "/2/tweets").json() == {
        "text": "Hello world!",
        "media": {"media_ids": ["1880028106020515840"]},
    }
    order = [r.path for r in x_server.requests]
    assert order == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]


def test_a_picture_without_alt_text_sends_no_metadata(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef, square_png: Path
) -> None:
    x_server.add("POST", "/2/media/upload", json=fixture("media_upload.json"))
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))

    connector.execute(org, _request(ActionKind.PUBLISH, text="Hi", media=(MediaFile(str(square_png), "image/png"),)))

    assert x_server.received("POST", "/2/media/metadata") == []


def test_a_video_is_refused_before_anything_is_sent(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef, square_png: Path
) -> None:
    with pytest.raises(PermanentError, match="video/mp4"):
        connector.execute(
            org, _request(ActionKind.PUBLISH, text="Hi", media=(MediaFile(str(square_png), "video/mp4"),))
        )

    assert x_server.requests == []


def test_a_reply_answers_the_post_given(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))

    connector.execute(org, _request(ActionKind.REPLY, text="2/3 suite", in_reply_to_id="1445880548472328100"))

    assert x_server.only("POST", "/2/tweets").json() == {
        "text": "2/3 suite",
        "reply": {"in_reply_to_tweet_id": "1445880548472328100"},
    }


def test_a_reply_without_a_post_to_answer_is_refused(connector: XConnector, org: AccountRef) -> None:
    with pytest.raises(PermanentError):
        connector.execute(org, _request(ActionKind.REPLY, text="hello"))


def test_a_quote_carries_the_quoted_post(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))

    connector.execute(org, _request(ActionKind.QUOTE, text="À lire", target_id="1920000000000000001"))

    assert x_server.only("POST", "/2/tweets").json() == {"text": "À lire", "quote_tweet_id": "1920000000000000001"}


def test_a_repost_retweets_as_the_account(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", f"/2/users/{OWN_ID}/retweets", json=fixture("retweet.json"))

    result = connector.execute(org, _request(ActionKind.REPOST, target_id="1920000000000000001"))

    assert x_server.only("POST", f"/2/users/{OWN_ID}/retweets").json() == {"tweet_id": "1920000000000000001"}
    assert result.external_id == "1930000000000000001"


def test_a_favourite_likes_as_the_account(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", f"/2/users/{OWN_ID}/likes", json=fixture("like.json"))

    result = connector.execute(org, _request(ActionKind.FAVOURITE, target_id="1920000000000000001"))

    assert x_server.only("POST", f"/2/users/{OWN_ID}/likes").json() == {"tweet_id": "1920000000000000001"}
    assert result.external_id == "1920000000000000001"


def test_delete_removes_the_post(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("DELETE", "/2/tweets/1445880548472328192", json=fixture("delete.json"))

    result = connector.execute(org, _request(ActionKind.DELETE, target_id="1445880548472328192"))

    assert x_server.only("DELETE", "/2/tweets/1445880548472328192").header("Authorization") == "Bearer access-1"
    assert result.data == {"deleted": True}


def test_deleting_a_post_already_gone_is_done(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("DELETE", "/2/tweets/1", status=404, json={"title": "Not Found Error", "detail": "gone"})

    assert connector.execute(org, _request(ActionKind.DELETE, target_id="1")).data == {"deleted": True}


# --- errors ----------------------------------------------------------------------------------------


def test_a_duplicate_post_is_a_permanent_error_with_xs_message(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("POST", "/2/tweets", status=403, json=fixture("error_duplicate.json"))

    with pytest.raises(PermanentError, match="You are not allowed to create a Tweet with duplicate content"):
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello world!"))


def test_an_invalid_request_says_what_x_refused(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("POST", "/2/tweets", status=400, json=fixture("error_invalid_request.json"))

    with pytest.raises(PermanentError, match="Your Tweet text is too long"):
        connector.execute(org, _request(ActionKind.PUBLISH, text="x" * 300))


def test_a_429_waits_until_the_window_resets(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    reset = int(time.time()) + 600
    x_server.add(
        "POST",
        "/2/tweets",
        status=429,
        json=fixture("error_too_many_requests.json"),
        headers={"x-rate-limit-limit": "200", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    with pytest.raises(RateLimited) as limited:
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello"))

    assert limited.value.retry_after is not None
    assert 595 <= limited.value.retry_after <= 601


def test_a_429_of_the_daily_post_cap_waits_for_the_24_hour_window(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    now = int(time.time())
    x_server.add(
        "POST",
        "/2/tweets",
        status=429,
        json=fixture("error_too_many_requests.json"),
        headers={
            "x-rate-limit-remaining": "99",
            "x-rate-limit-reset": str(now + 60),
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(now + 20000),
        },
    )

    with pytest.raises(RateLimited) as limited:
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello"))

    assert limited.value.retry_after is not None and limited.value.retry_after > 19000


def test_a_server_error_is_transient(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", "/2/tweets", status=503, json=fixture("error_service_unavailable.json"))

    with pytest.raises(TransientError):
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_timeout_is_transient(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef, settings: Any
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"), delay=1.5)

    with pytest.raises(TransientError, match="in time"):
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello"))


def test_an_unreadable_answer_is_transient(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("POST", "/2/tweets", status=201, body=b"<html>proxy</html>")

    with pytest.raises(TransientError, match="could not read"):
        connector.execute(org, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_refused_connection_is_transient(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.stop()

    with pytest.raises(TransientError, match="could not be reached"):
        connector.verify(org)


# --- token refresh ---------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_once_the_call_retried_and_the_new_tokens_saved(
    connector: XConnector, x_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    x_server.add("POST", "/2/tweets", status=401, json=fixture("error_unauthorized.json"), times=1)
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))
    x_server.add("POST", "/2/oauth2/token", json=fixture("token.json"))
    account = make_ref(x_server, saved)

    result = connector.execute(account, _request(ActionKind.PUBLISH, text="Hello world!"))

    assert result.external_id == "1445880548472328192"
    refresh = x_server.only("POST", "/2/oauth2/token")
    assert refresh.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-1"}
    assert refresh.header("Authorization").startswith("Basic ")
    tries = x_server.received("POST", "/2/tweets")
    assert [t.header("Authorization") for t in tries] == ["Bearer access-1", "Bearer bWRjZDhkVm5lc0tHc3V"]
    assert saved[-1]["access_token"] == "bWRjZDhkVm5lc0tHc3V"
    assert saved[-1]["refresh_token"] == "bWRjZDhkVm5lc0tHc3VfcmVmcmVzaA"  # X rotates refresh tokens


def test_a_token_past_its_expiry_is_refreshed_before_the_call(
    connector: XConnector, x_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    x_server.add("POST", "/2/oauth2/token", json=fixture("token.json"))
    x_server.add("GET", "/2/users/me", json=fixture("users_me.json"))

    connector.verify(make_ref(x_server, saved, expires_at=int(time.time()) - 1))

    assert x_server.only("GET", "/2/users/me").header("Authorization") == "Bearer bWRjZDhkVm5lc0tHc3V"
    assert len(saved) == 1


def test_a_refused_refresh_is_auth_expired(
    connector: XConnector, x_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    x_server.add("POST", "/2/tweets", status=401, json=fixture("error_unauthorized.json"))
    x_server.add("POST", "/2/oauth2/token", status=400, json=fixture("token_refresh_refused.json"))

    with pytest.raises(AuthExpired, match="reconnect"):
        connector.execute(make_ref(x_server, saved), _request(ActionKind.PUBLISH, text="Hello"))

    assert saved == []
    assert len(x_server.received("POST", "/2/tweets")) == 1


def test_a_401_after_a_successful_refresh_is_auth_expired(
    connector: XConnector, x_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    x_server.add("GET", "/2/users/me", status=401, json=fixture("error_unauthorized.json"))
    x_server.add("POST", "/2/oauth2/token", json=fixture("token.json"))

    with pytest.raises(AuthExpired):
        connector.verify(make_ref(x_server, saved))

    assert len(x_server.received("POST", "/2/oauth2/token")) == 1


# --- fetch -----------------------------------------------------------------------------------------


def test_a_new_account_reads_the_newest_page_of_mentions_only(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_page1.json"))

    result = connector.fetch(org, {})

    assert len(x_server.received("GET", f"/2/users/{OWN_ID}/mentions")) == 1
    sent = x_server.requests[0]
    assert sent.arg("since_id") == "" and sent.arg("max_results") == "100"
    assert sent.arg("expansions") == "author_id"
    assert [e.external_id for e in result.events] == ["1900000000000000002", "1900000000000000003"]
    assert result.cursor == {"mentions_since_id": "1900000000000000003"}


def test_mentions_since_the_cursor_are_paged_and_returned_oldest_first(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    def page(request: Any) -> Any:
        from parvis.testing.scripted_http import Reply

        if request.arg("pagination_token") == "7140dibdnow9c7btw3z3aq4m2zp7ylh8ypmn8z8dg2q9n":
            return Reply(json=fixture("mentions_page2.json"))
        return Reply(json=fixture("mentions_page1.json"))

    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", handler=page)

    result = connector.fetch(org, {"mentions_since_id": "1800000000000000000"})

    pages = x_server.received("GET", f"/2/users/{OWN_ID}/mentions")
    assert [p.arg("since_id") for p in pages] == ["1800000000000000000"] * 2
    assert [p.arg("pagination_token") for p in pages] == ["", "7140dibdnow9c7btw3z3aq4m2zp7ylh8ypmn8z8dg2q9n"]
    assert [e.external_id for e in result.events] == [
        "1900000000000000001",
        "1900000000000000002",
        "1900000000000000003",
    ]
    assert result.cursor["mentions_since_id"] == "1900000000000000003"


def test_a_mention_becomes_a_normalised_event(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_page1.json"))

    reply, mention = sorted(connector.fetch(org, {}).events, key=lambda e: e.external_id, reverse=True)

    assert reply.kind == EventKind.REPLY
    assert reply.text == "@ccilyon merci pour l&atelier ! https://t.co/abc"
    assert reply.in_reply_to_id == "1800000000000000000"
    assert reply.thread_key == "1800000000000000000"
    assert reply.occurred_at == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert reply.author is not None and reply.author.handle == "@bob" and reply.author.external_id == "101"
    assert reply.url == "https://x.com/bob/status/1900000000000000003"
    assert mention.kind == EventKind.MENTION
    assert mention.author is not None and mention.author.display_name == "Carol"


def test_nothing_new_keeps_the_cursor(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/mentions", json=fixture("mentions_empty.json"))

    result = connector.fetch(org, {"mentions_since_id": "42"})

    assert result.events == []
    assert result.cursor == {"mentions_since_id": "42"}


def test_a_rate_limited_poll_is_rate_limited(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add(
        "GET",
        f"/2/users/{OWN_ID}/mentions",
        status=429,
        json=fixture("error_too_many_requests.json"),
        headers={"x-rate-limit-reset": str(int(time.time()) + 300)},
    )

    with pytest.raises(RateLimited):
        connector.fetch(org, {"mentions_since_id": "42"})


# --- search ----------------------------------------------------------------------------------------


def test_search_reads_recent_posts_without_reposts(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", "/2/tweets/search/recent", json=fixture("search_recent.json"))

    result = connector.search(org, "#Rencontres26", {})

    sent = x_server.only("GET", "/2/tweets/search/recent")
    assert sent.arg("query") == "#Rencontres26 -is:retweet"
    assert [e.external_id for e in result.events] == ["1920000000000000001", "1920000000000000002"]
    assert result.events[0].author is not None and result.events[0].author.handle == "@bob"
    assert result.cursor == {"search_since_id": "1920000000000000002"}


def test_search_continues_from_its_cursor(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("GET", "/2/tweets/search/recent", json=fixture("mentions_empty.json"))

    result = connector.search(org, "#Rencontres26", {"search_since_id": "1920000000000000002"})

    assert x_server.only("GET", "/2/tweets/search/recent").arg("since_id") == "1920000000000000002"
    assert result.cursor == {"search_since_id": "1920000000000000002"}


# --- read-back -------------------------------------------------------------------------------------


def test_locate_by_id_finds_the_post(connector: XConnector, x_server: ScriptedServer, org: AccountRef) -> None:
    x_server.add("GET", "/2/tweets/1445880548472328192", json=fixture("tweet_lookup.json"))

    found = connector.locate(org, _request(ActionKind.PUBLISH, text="Hello world!"), external_id="1445880548472328192")

    assert found is not None and found.external_id == "1445880548472328192"


def test_locate_by_id_of_a_deleted_post_is_none(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", "/2/tweets/1445880548472328192", json=fixture("tweet_not_found.json"))

    assert connector.locate(org, _request(ActionKind.PUBLISH), external_id="1445880548472328192") is None


def test_locate_without_id_finds_the_post_with_the_same_text_since_the_attempt(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/tweets", json=fixture("user_tweets.json"))
    since = datetime(2026, 3, 2, 11, 59, 30, tzinfo=UTC)
    request = _request(
        ActionKind.PUBLISH, text="Programme du jour : atelier export à 14 h https://parvis.example/l/abc"
    )

    found = connector.locate(org, request, since=since)

    assert found is not None and found.external_id == "1910000000000000002"
    assert x_server.only("GET", f"/2/users/{OWN_ID}/tweets").arg("start_time") == "2026-03-02T11:59:30Z"


def test_locate_without_id_matches_a_reply_to_the_same_post(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/tweets", json=fixture("user_tweets.json"))
    text = "Merci Bob, à bientôt & bonne journée"

    right = connector.locate(org, _request(ActionKind.REPLY, text=text, in_reply_to_id="1900000000000000003"))
    wrong = connector.locate(org, _request(ActionKind.REPLY, text=text, in_reply_to_id="1"))

    assert right is not None and right.external_id == "1910000000000000001"
    assert wrong is None


def test_locate_without_id_finds_nothing_for_a_new_text(
    connector: XConnector, x_server: ScriptedServer, org: AccountRef
) -> None:
    x_server.add("GET", f"/2/users/{OWN_ID}/tweets", json=fixture("user_tweets.json"))

    assert connector.locate(org, _request(ActionKind.PUBLISH, text="Jamais publié")) is None
