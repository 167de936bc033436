"""X (API v2, OAuth 2.0 user context with PKCE): mentions in, posts out.

Capabilities: 280 weighted characters counted by X's own rules (twitter-text: most
Latin letters weigh 1, CJK and emoji 2, every URL 23), up to 4 images (JPEG, PNG,
WebP, 5 MB each, uploaded with the one-shot v2 media endpoint) with alt text up to
1000 characters, threads (replies to the previous post), quote posts, reposts, likes,
deletion, recent search (the last 7 days) for the live wall, and read-back.

Reading (https://docs.x.com/x-api/users/get-mentions): GET /2/users/:id/mentions with
`expansions=author_id`, newest first, walked back with `pagination_token` down to the stored
`since_id`; events are returned oldest first. Replies to the account's posts arrive there too
(X puts the handle of the person answered in front of a reply): those answering one of its
posts (`in_reply_to_user_id` is the account) are REPLY events in the post's conversation
(`conversation_id`), the others MENTION. A new account reads the newest page only (a bounded
backfill). The cursor moves only once every page is read: a page failing half-way raises,
and the next poll reads from the same `since_id`.

Direct messages (https://docs.x.com/x-api/direct-messages/lookup/integrate): GET /2/dm_events
(event_types=MessageCreate, expansions=sender_id), newest first; dm_events has no `since_id`,
so pages are walked back until an event at or below the stored `dm_since_id` (ids are
time-ordered snowflakes). The person's messages are DIRECT_MESSAGE events in the thread
"dm:<dm_conversation_id>", visibility "direct"; X keeps 30 days of DM events. DMs are read
only for accounts whose token was granted `dm.read` (connected after this was added:
reconnect older accounts).

Moderation and relationships:
    HIDE / UNHIDE  PUT /2/tweets/:id/hidden {"hidden": true|false} — replies to the account's own
                   conversations only (https://docs.x.com/x-api/posts/hide-replies/quickstart)
    FOLLOW         POST /2/users/:id/following {"target_user_id"}
    MUTE / UNMUTE  POST /2/users/:id/muting {"target_user_id"}, DELETE /2/users/:id/muting/:target
                   (https://docs.x.com/x-api/users/mutes/integrate)
    SEND_DIRECT    POST /2/dm_conversations/with/:participant_id/messages {"text"}
    REPLY to a DM  GET /2/dm_events/:event_id (its dm_conversation_id), then
                   POST /2/dm_conversations/:dm_conversation_id/messages {"text"}
                   (https://docs.x.com/x-api/direct-messages/manage/introduction)
    BLOCK          not offered: X keeps block and unblock for the Enterprise plan
                   (https://docs.x.com/x-api/users/blocks/integrate). DELETE removes only the
                   account's own posts: X has no way to delete someone else's reply.

Known limitation: X refresh tokens are single-use (each refresh returns a new one, and the
old one stops working), so two processes refreshing the same account at once can lose the
race and leave the account to reconnect (see docs/adding-a-network.md).

Writing (https://docs.x.com/x-api/posts/create-post and neighbours):
    PUBLISH   POST /2/tweets {"text", "media": {"media_ids": [...]}}
    REPLY     POST /2/tweets {"text", "reply": {"in_reply_to_tweet_id"}}  (threads: the previous post)
    QUOTE     POST /2/tweets {"text", "quote_tweet_id"}
    REPOST    POST /2/users/:id/retweets {"tweet_id"}
    FAVOURITE POST /2/users/:id/likes {"tweet_id"}
    DELETE    DELETE /2/tweets/:id  (already gone counts as done)
    media     POST /2/media/upload (multipart: media, media_category=tweet_image, media_type),
              then POST /2/media/metadata {"id", "metadata": {"alt_text": {"text"}}}

X takes no idempotency key. A retry after an uncertain attempt calls `locate` first: it
reads the account's own posts since the attempt and finds the one with the same text
(X rewrites links to t.co and appends a link per picture, so links are left out of the
comparison). Reposts and likes need no such care: X answers a second one with no change.

Quirk: a token granted before the `media.write` scope existed cannot upload; reconnect.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from twitter_text import parse_tweet

from parvis.networks.connectors.x.client import XApi
from parvis.networks.errors import PermanentError, TransientError
from parvis.networks.protocol import (
    AccountRef,
    ActionKind,
    ActionRequest,
    ActionResult,
    Author,
    Capabilities,
    EventKind,
    FetchResult,
    MediaFile,
    NetworkEvent,
    Profile,
)

logger = logging.getLogger(__name__)

CURSOR_KEY = "mentions_since_id"
DM_CURSOR_KEY = "dm_since_id"
DM_EVENT_FIELDS = "id,event_type,text,sender_id,dm_conversation_id,created_at"
DM_THREAD = "dm:"
SEARCH_CURSOR_KEY = "search_since_id"
PAGE_SIZE = 100  # X serves 5..100 posts a page
# A poll reads at most this many pages back to the cursor. Beyond, older mentions are skipped
# (with a warning): 1,000 mentions between two polls is more than Parvis's users receive.
MAX_PAGES = 10
# Pages read by `locate` among the account's own posts.
LOCATE_PAGES = 3
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_DM_CHARACTERS = 10000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang"
USER_FIELDS = "name,username,profile_image_url"
WEB = "https://x.com"
_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")
# X puts the handles of the people answered in front of a reply's text.
_LEADING_MENTIONS_RE = re.compile(r"^(?:@\w+\s+)+")


class XConnector:
    network: ClassVar[str] = "x"
    display_name: ClassVar[str] = "X"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=280,
        link_length=23,
        counting="weighted",
        max_media=4,
        media_types=IMAGE_TYPES,
        max_media_bytes=MAX_IMAGE_BYTES,
        alt_text_max=1000,
        threads=True,
        actions=frozenset(
            {
                ActionKind.PUBLISH,
                ActionKind.REPLY,
                ActionKind.QUOTE,
                ActionKind.REPOST,
                ActionKind.FAVOURITE,
                ActionKind.DELETE,
                ActionKind.HIDE,
                ActionKind.UNHIDE,
                ActionKind.FOLLOW,
                ActionKind.MUTE,
                ActionKind.UNMUTE,
                ActionKind.SEND_DIRECT,
            }
        ),
        event_kinds=frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.DIRECT_MESSAGE}),
        direct_messages=True,
        # Mentions timeline: 10 requests per 15 minutes per user on the Basic tier.
        poll_interval_seconds=120,
        oauth=True,
        hashtags=True,
        mention_prefix="@",
        idempotent_publish=False,
        read_back=True,
        search=True,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        with XApi(account) as api:
            body = api.call("GET", "/2/users/me", params={"user.fields": USER_FIELDS})
        user = _dict(body.get("data"))
        user_id, username = str(user.get("id") or ""), str(user.get("username") or "")
        if not user_id or not username:
            raise TransientError("X sent an answer Parvis could not read; try again later.")
        return Profile(
            external_id=user_id,
            handle=f"@{username}",
            display_name=str(user.get("name") or username),
            url=f"{WEB}/{username}",
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Mentions, and direct messages when the token allows, since `cursor`, oldest first (module docstring)."""
        since = str(cursor.get(CURSOR_KEY) or "")
        dm_since = str(cursor.get(DM_CURSOR_KEY) or "")
        read_dms = "dm.read" in str(account.credentials.get("scope") or "").split()
        dms: list[dict[str, Any]] = []
        dm_users: dict[str, dict[str, Any]] = {}
        with XApi(account) as api:
            own_id = account.external_id or self._own_id(api)
            tweets, users = _read_pages(
                api,
                f"/2/users/{own_id}/mentions",
                {"since_id": since} if since else {},
                max_pages=MAX_PAGES if since else 1,
            )
            if read_dms:
                dms, dm_users = _read_dm_events(api, dm_since, max_pages=MAX_PAGES if dm_since else 1)
        events = [_event(t, users, own_id=own_id) for t in tweets if str(t.get("author_id") or "") != own_id]
        events += [_dm_event(e, dm_users) for e in dms if str(e.get("sender_id") or "") != own_id]
        events.sort(key=lambda event: event.occurred_at)
        newest = str(tweets[-1]["id"]) if tweets else since
        next_cursor = {**cursor, CURSOR_KEY: newest} if newest else dict(cursor)
        newest_dm = str(dms[-1]["id"]) if dms else dm_since
        if newest_dm:
            next_cursor[DM_CURSOR_KEY] = newest_dm
        return FetchResult(events=events, cursor=next_cursor)

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with XApi(account) as api:
            if request.kind == ActionKind.PUBLISH:
                return self._post(api, account, request, {})
            if request.kind == ActionKind.REPLY:
                if not request.in_reply_to_id:
                    raise PermanentError("This reply does not say which post it answers.")
                if request.visibility == "direct":
                    return self._answer_dm(api, request)
                return self._post(api, account, request, {"reply": {"in_reply_to_tweet_id": request.in_reply_to_id}})
            if request.kind == ActionKind.QUOTE:
                return self._post(api, account, request, {"quote_tweet_id": _target(request)})
            if request.kind == ActionKind.REPOST:
                return self._repost(api, account, request)
            if request.kind == ActionKind.FAVOURITE:
                return self._like(api, account, request)
            if request.kind == ActionKind.DELETE:
                return self._delete(api, request)
            if request.kind in {ActionKind.HIDE, ActionKind.UNHIDE}:
                return self._hide(api, request, hidden=request.kind == ActionKind.HIDE)
            if request.kind == ActionKind.FOLLOW:
                return self._follow(api, account, request)
            if request.kind in {ActionKind.MUTE, ActionKind.UNMUTE}:
                return self._mute(api, account, request, mute=request.kind == ActionKind.MUTE)
            if request.kind == ActionKind.SEND_DIRECT:
                return self._send_dm(api, f"/2/dm_conversations/with/{_person(request)}/messages", request.text)
        if request.kind == ActionKind.BLOCK:
            raise PermanentError("X lets only Enterprise applications block accounts; block them in the X app.")
        raise PermanentError(f"X cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        """X's weighted length (twitter-text): URLs count 23, CJK and emoji 2, most other characters 1."""
        return int(parse_tweet(text).weightedLength)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """The post as X has it, or None.

        With `external_id`: GET /2/tweets/:id. Without: the account's own posts since `since`
        (GET /2/users/:id/tweets with start_time), the first one made from `request` (same text
        once links are left aside, same post answered or quoted). Reposts, likes and deletions
        return None: X does them at most once whatever the number of tries.
        """
        if request.kind == ActionKind.SEND_DIRECT or request.visibility == "direct":
            raise PermanentError("Parvis cannot read back direct messages it sent on X.")
        with XApi(account) as api:
            if external_id:
                body = api.call(
                    "GET", f"/2/tweets/{external_id}", params={"tweet.fields": TWEET_FIELDS}, missing_ok=True
                )
                tweet = _dict(body.get("data"))
                if not tweet.get("id"):  # X answers 200 with {"errors": [...Not Found Error]} for a deleted post
                    return None
                return self._result(account, tweet)
            if request.kind not in {ActionKind.PUBLISH, ActionKind.REPLY, ActionKind.QUOTE}:
                return None
            own_id = account.external_id or self._own_id(api)
            params: dict[str, Any] = {}
            if since is not None:
                params["start_time"] = _iso(since)
            tweets, _users = _read_pages(api, f"/2/users/{own_id}/tweets", params, max_pages=LOCATE_PAGES)
        wanted = _comparable(request.text)
        for tweet in tweets:
            if _comparable(str(tweet.get("text") or "")) != wanted:
                continue
            if request.kind == ActionKind.REPLY and _referenced(tweet, "replied_to") != request.in_reply_to_id:
                continue
            if request.kind == ActionKind.QUOTE and _referenced(tweet, "quoted") != request.target_id:
                continue
            return self._result(account, tweet)
        return None

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        """Recent public posts (last 7 days) matching `query`, reposts left out, oldest first.

        GET /2/tweets/search/recent: without a cursor the newest page only, then everything
        newer than the stored `since_id`, page after page (at most MAX_PAGES).
        """
        words = query.strip()
        if not words:
            raise PermanentError("Say what to search for.")
        since = str(cursor.get(SEARCH_CURSOR_KEY) or "")
        params: dict[str, Any] = {"query": f"{words} -is:retweet"}
        if since:
            params["since_id"] = since
        with XApi(account) as api:
            tweets, users = _read_pages(api, "/2/tweets/search/recent", params, max_pages=MAX_PAGES if since else 1)
        events = [_event(t, users, own_id=account.external_id, kind=EventKind.MENTION) for t in tweets]
        newest = str(tweets[-1]["id"]) if tweets else since
        return FetchResult(events=events, cursor={**cursor, SEARCH_CURSOR_KEY: newest} if newest else dict(cursor))

    # --- actions --------------------------------------------------------------------------------

    def _post(self, api: XApi, account: AccountRef, request: ActionRequest, extra: dict[str, Any]) -> ActionResult:
        if not request.text.strip() and not request.media:
            raise PermanentError("There is nothing to post: no text and no picture.")
        payload: dict[str, Any] = {"text": request.text, **extra}
        if request.media:
            if len(request.media) > self.capabilities.max_media:
                raise PermanentError(f"X takes at most {self.capabilities.max_media} pictures per post.")
            payload["media"] = {"media_ids": [self._upload(api, media) for media in request.media]}
        body = api.call("POST", "/2/tweets", json=payload)
        tweet = _dict(body.get("data"))
        if not tweet.get("id"):
            raise TransientError("X did not say which post it created; Parvis will check before trying again.")
        return self._result(account, tweet)

    def _upload(self, api: XApi, media: MediaFile) -> str:
        if media.mime_type not in IMAGE_TYPES:
            raise PermanentError(f"X does not take this kind of file from Parvis ({media.mime_type}).")
        path = Path(media.path)
        try:
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                raise PermanentError(f"This picture is too large for X ({size // 1024} KB; at most 5 MB).")
            with path.open("rb") as handle:
                body = api.call(
                    "POST",
                    "/2/media/upload",
                    data={"media_category": "tweet_image", "media_type": media.mime_type},
                    files={"media": (path.name, handle, media.mime_type)},
                )
        except OSError as error:
            raise PermanentError(f"A file to upload could not be read: {error}") from error
        uploaded = _dict(body.get("data"))
        media_id = str(uploaded.get("id") or "")
        if not media_id:
            raise TransientError("X did not say which picture it received; Parvis will try again later.")
        state = str(_dict(uploaded.get("processing_info")).get("state") or "succeeded")
        if state == "failed":
            raise PermanentError("X could not process this picture.")
        if media.alt_text:
            api.call(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text[:1000]}}},
            )
        return media_id

    def _repost(self, api: XApi, account: AccountRef, request: ActionRequest) -> ActionResult:
        target = _target(request)
        own_id = account.external_id or self._own_id(api)
        body = api.call("POST", f"/2/users/{own_id}/retweets", json={"tweet_id": target})
        data = _dict(body.get("data"))
        if data.get("retweeted") is not True:
            raise PermanentError("X did not repost this post.")
        repost_id = str(data.get("rest_id") or data.get("id") or "")
        return ActionResult(external_id=repost_id, url=_status_url(account, repost_id) if repost_id else "")

    def _like(self, api: XApi, account: AccountRef, request: ActionRequest) -> ActionResult:
        target = _target(request)
        own_id = account.external_id or self._own_id(api)
        body = api.call("POST", f"/2/users/{own_id}/likes", json={"tweet_id": target})
        if _dict(body.get("data")).get("liked") is not True:
            raise PermanentError("X did not record the like.")
        return ActionResult(external_id=target, url=f"{WEB}/i/web/status/{target}")

    def _delete(self, api: XApi, request: ActionRequest) -> ActionResult:
        target = _target(request)
        body = api.call("DELETE", f"/2/tweets/{target}", missing_ok=True)
        if body and _dict(body.get("data")).get("deleted") is not True:
            raise PermanentError("X did not delete this post.")
        return ActionResult(external_id=target, data={"deleted": True})

    def _hide(self, api: XApi, request: ActionRequest, *, hidden: bool) -> ActionResult:
        target = _target(request)
        body = api.call("PUT", f"/2/tweets/{target}/hidden", json={"hidden": hidden})
        if _dict(body.get("data")).get("hidden") is not hidden:
            raise PermanentError("X did not change whether this reply is hidden.")
        return ActionResult(external_id=target, data={"hidden": hidden})

    def _follow(self, api: XApi, account: AccountRef, request: ActionRequest) -> ActionResult:
        person = _person(request)
        own_id = account.external_id or self._own_id(api)
        body = api.call("POST", f"/2/users/{own_id}/following", json={"target_user_id": person})
        data = _dict(body.get("data"))
        if data.get("following") is not True and data.get("pending_follow") is not True:
            raise PermanentError("X did not follow this account.")
        return ActionResult(external_id=person, data={"pending": data.get("pending_follow") is True})

    def _mute(self, api: XApi, account: AccountRef, request: ActionRequest, *, mute: bool) -> ActionResult:
        person = _person(request)
        own_id = account.external_id or self._own_id(api)
        if mute:
            body = api.call("POST", f"/2/users/{own_id}/muting", json={"target_user_id": person})
        else:
            body = api.call("DELETE", f"/2/users/{own_id}/muting/{person}")
        if _dict(body.get("data")).get("muting") is not mute:
            raise PermanentError("X did not change whether this account is muted.")
        return ActionResult(external_id=person, data={"muting": mute})

    def _answer_dm(self, api: XApi, request: ActionRequest) -> ActionResult:
        body = api.call("GET", f"/2/dm_events/{request.in_reply_to_id}", params={"dm_event.fields": DM_EVENT_FIELDS})
        conversation = str(_dict(body.get("data")).get("dm_conversation_id") or "")
        if not conversation:
            raise PermanentError("X no longer has this direct message, so Parvis cannot answer it.")
        return self._send_dm(api, f"/2/dm_conversations/{conversation}/messages", request.text)

    def _send_dm(self, api: XApi, path: str, text: str) -> ActionResult:
        if not text.strip():
            raise PermanentError("The message is empty.")
        if len(text) > MAX_DM_CHARACTERS:
            raise PermanentError(f"X direct messages hold at most {MAX_DM_CHARACTERS} characters.")
        body = api.call("POST", path, json={"text": text})
        data = _dict(body.get("data"))
        event_id = str(data.get("dm_event_id") or "")
        if not event_id:
            raise TransientError("X did not say which message it sent; Parvis will try again later.")
        return ActionResult(
            external_id=event_id, data={"dm_conversation_id": str(data.get("dm_conversation_id") or "")}
        )

    # --- helpers --------------------------------------------------------------------------------

    def _own_id(self, api: XApi) -> str:
        body = api.call("GET", "/2/users/me")
        own = str(_dict(body.get("data")).get("id") or "")
        if not own:
            raise TransientError("X sent an answer Parvis could not read; try again later.")
        return own

    def _result(self, account: AccountRef, tweet: dict[str, Any]) -> ActionResult:
        tweet_id = str(tweet["id"])
        return ActionResult(
            external_id=tweet_id,
            url=_status_url(account, tweet_id),
            data={"text": html.unescape(str(tweet.get("text") or ""))},
        )


def _read_pages(
    api: XApi, path: str, params: dict[str, Any], *, max_pages: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Posts of a paginated timeline (newest first on X), returned oldest first, with the users included."""
    tweets: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    token = ""
    for _page in range(max_pages):
        query = {
            **params,
            "max_results": PAGE_SIZE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if token:
            query["pagination_token"] = token
        body = api.call("GET", path, params=query)
        data = body.get("data") or []
        if not isinstance(data, list):
            raise TransientError("X sent an answer Parvis could not read; Parvis will try again later.")
        for item in data:
            if isinstance(item, dict) and item.get("id"):
                tweets[str(item["id"])] = item
        for user in _dict(body.get("includes")).get("users") or []:
            if isinstance(user, dict) and user.get("id"):
                users[str(user["id"])] = user
        token = str(_dict(body.get("meta")).get("next_token") or "")
        if not token:
            break
    else:
        if token:
            logger.warning(
                "X timeline %s has more than %d pages since the cursor; older posts skipped", path, max_pages
            )
    ordered = sorted(tweets.values(), key=lambda t: (len(str(t["id"])), str(t["id"])))
    return ordered, users


def _event(
    tweet: dict[str, Any], users: dict[str, dict[str, Any]], *, own_id: str, kind: EventKind | None = None
) -> NetworkEvent:
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id, {})
    username = str(user.get("username") or "")
    tweet_id = str(tweet["id"])
    replied_to = _referenced(tweet, "replied_to")
    if kind is None:
        kind = (
            EventKind.REPLY
            if replied_to and str(tweet.get("in_reply_to_user_id") or "") == own_id
            else EventKind.MENTION
        )
    author = Author(
        external_id=author_id,
        handle=f"@{username}" if username else author_id,
        display_name=str(user.get("name") or username),
        url=f"{WEB}/{username}" if username else "",
        avatar_url=str(user.get("profile_image_url") or ""),
    )
    return NetworkEvent(
        kind=kind,
        external_id=tweet_id,
        occurred_at=_parse_time(tweet.get("created_at")),
        author=author,
        text=html.unescape(str(tweet.get("text") or "")),
        url=f"{WEB}/{username}/status/{tweet_id}" if username else f"{WEB}/i/web/status/{tweet_id}",
        in_reply_to_id=replied_to,
        thread_key=str(tweet.get("conversation_id") or replied_to or tweet_id),
        visibility="public",
        raw={"lang": tweet.get("lang") or ""},
    )


def _read_dm_events(
    api: XApi, since_id: str, *, max_pages: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """MessageCreate events newer than `since_id`, oldest first, with their senders.

    GET /2/dm_events has no since_id: pages (newest first) are read until one reaches an event
    at or below the cursor, at most `max_pages`.
    """
    events: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    token = ""
    floor = _snowflake(since_id)
    for _page in range(max_pages):
        query: dict[str, Any] = {
            "event_types": "MessageCreate",
            "dm_event.fields": DM_EVENT_FIELDS,
            "expansions": "sender_id",
            "user.fields": USER_FIELDS,
            "max_results": PAGE_SIZE,
        }
        if token:
            query["pagination_token"] = token
        body = api.call("GET", "/2/dm_events", params=query)
        data = body.get("data") or []
        if not isinstance(data, list):
            raise TransientError("X sent an answer Parvis could not read; Parvis will try again later.")
        reached = False
        for item in data:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            if floor and _snowflake(str(item["id"])) <= floor:
                reached = True
                continue
            if item.get("event_type", "MessageCreate") == "MessageCreate":
                events[str(item["id"])] = item
        for user in _dict(body.get("includes")).get("users") or []:
            if isinstance(user, dict) and user.get("id"):
                users[str(user["id"])] = user
        token = str(_dict(body.get("meta")).get("next_token") or "")
        if reached or not token:
            break
    else:
        if token and floor:
            logger.warning("X direct messages: more than %d pages since the cursor; older ones skipped", max_pages)
    ordered = sorted(events.values(), key=lambda e: _snowflake(str(e["id"])))
    return ordered, users


def _dm_event(item: dict[str, Any], users: dict[str, dict[str, Any]]) -> NetworkEvent:
    sender = str(item.get("sender_id") or "")
    user = users.get(sender, {})
    username = str(user.get("username") or "")
    conversation = str(item.get("dm_conversation_id") or "")
    return NetworkEvent(
        kind=EventKind.DIRECT_MESSAGE,
        external_id=str(item["id"]),
        occurred_at=_parse_time(item.get("created_at")),
        author=Author(
            external_id=sender,
            handle=f"@{username}" if username else sender,
            display_name=str(user.get("name") or username),
            url=f"{WEB}/{username}" if username else "",
            avatar_url=str(user.get("profile_image_url") or ""),
        ),
        text=html.unescape(str(item.get("text") or "")),
        url=f"{WEB}/messages/{conversation}" if conversation else "",
        thread_key=f"{DM_THREAD}{conversation or sender}",
        visibility="direct",
        raw={"dm_conversation_id": conversation},
    )


def _snowflake(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _person(request: ActionRequest) -> str:
    if not request.target_id:
        raise PermanentError("This action does not say which account it is about.")
    return request.target_id


def _referenced(tweet: dict[str, Any], kind: str) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == kind:
            return str(ref.get("id") or "")
    return ""


def _comparable(text: str) -> str:
    """Text as X stores it, for comparison: entities decoded, links (t.co rewritten, picture links) and the
    handles X puts in front of a reply left out."""
    plain = _SPACES_RE.sub(" ", _URL_RE.sub(" ", html.unescape(text))).strip()
    return _LEADING_MENTIONS_RE.sub("", plain).strip()


def _target(request: ActionRequest) -> str:
    if not request.target_id:
        raise PermanentError("This action does not say which post it is about.")
    return request.target_id


def _status_url(account: AccountRef, tweet_id: str) -> str:
    username = account.handle.lstrip("@")
    return f"{WEB}/{username}/status/{tweet_id}" if username else f"{WEB}/i/web/status/{tweet_id}"


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: object) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return datetime.now(UTC)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
