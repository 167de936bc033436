"""YouTube (Data API v3): comments on the channel's videos in, answers and moderation out.

One connected account is one YouTube channel, acting with the OAuth 2.0 token of a person who
manages it (Google sign-in with the `youtube.force-ssl` scope: onboarding.py). Every request goes
through `client.YouTubeApi` (errors and the daily quota: see client.py).

Reading (https://developers.google.com/youtube/v3/docs/commentThreads/list):
    GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=<channel>
    &order=time&maxResults=100, once with moderationStatus=published and once with
    moderationStatus=heldForReview (comments YouTube or the channel's filters hold back, which
    only the owner sees), paged with `pageToken` down to the cursor, at most MAX_PAGES pages.
    A thread carries at most a few of its replies; when `totalReplyCount` says there are more,
    they are read with GET /youtube/v3/comments?parentId=<thread>
    (https://developers.google.com/youtube/v3/docs/comments/list).
    Every comment from someone else newer than the cursor is a REPLY event: a top-level comment
    answers the video (`in_reply_to_id` the video id), a reply answers its thread's top-level
    comment; the conversation is the video. The text is `textOriginal` when YouTube gives it,
    else `textDisplay` (HTML) turned into plain text. A held comment says so in
    `raw["moderation_status"]`. The cursor moves only once every page is read; a first poll
    reads back FIRST_POLL_WINDOW. Limit: threads are listed by the time of their top-level
    comment, so a new reply in a thread older than the pages read is not seen by polling.

Writing (https://developers.google.com/youtube/v3/docs/comments):
    REPLY    to a comment: POST /youtube/v3/comments?part=snippet {"snippet": {"parentId", "textOriginal"}}
             (YouTube threads are one level deep: an answer to a reply goes under its top-level comment);
             to a video: POST /youtube/v3/commentThreads?part=snippet
             {"snippet": {"videoId", "topLevelComment": {"snippet": {"textOriginal"}}}}
    HIDE     POST /youtube/v3/comments/setModerationStatus?id=&moderationStatus=heldForReview
    UNHIDE   the same with moderationStatus=published
    DELETE   the channel's own comment: DELETE /youtube/v3/comments?id= ; anyone else's (YouTube
             lets only authors delete): setModerationStatus rejected, which removes it from view
             with its replies (`delete_others`)
    BLOCK    setModerationStatus rejected with banAuthor=true: YouTube bans a person from the
             channel's comments through one of their comments, so `target_id` is that comment's
             id (a channel id is refused with an explanation)
    No PUBLISH: Parvis does not upload videos. No FAVOURITE, MUTE or direct messages: the API has none.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from parvis.networks.connectors.youtube.client import YouTubeApi
from parvis.networks.connectors.youtube.schemas import PayloadError, YouTubeComment, YouTubeThread, parse_time
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
    NetworkEvent,
    Profile,
)

logger = logging.getLogger(__name__)

NETWORK = "youtube"
WEB = "https://www.youtube.com"
MAX_COMMENT_CHARACTERS = 10000
PAGE_SIZE = 100
MAX_PAGES = 5
MAX_REPLY_PAGES = 3
FIRST_POLL_WINDOW = timedelta(days=2)
OVERLAP = timedelta(minutes=2)
STATUSES = ("published", "heldForReview")
CURSOR_COMMENTS = "comments_since"
CURSOR_SEEN = "seen"
MAX_SEEN = 500
_VIDEO_ID_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
_CHANNEL_ID_RE = re.compile(r"^UC[A-Za-z0-9_-]{22}$")


class YouTubeConnector:
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "YouTube"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_COMMENT_CHARACTERS,
        actions=frozenset({ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE, ActionKind.BLOCK}),
        event_kinds=frozenset({EventKind.REPLY}),
        # Each poll costs 2 quota units or more (10,000 a day by default for the whole installation).
        poll_interval_seconds=600,
        oauth=True,
        hashtags=True,
        delete_others=True,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        """GET /youtube/v3/channels?part=snippet&mine=true: the channel the token manages."""
        with YouTubeApi(account) as api:
            body = api.call("GET", "/channels", params={"part": "snippet", "mine": "true"})
        items = body.get("items") or []
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise PermanentError("This Google account has no YouTube channel. Create one, then connect again.")
        channel = items[0]
        channel_id = str(channel.get("id") or "")
        snippet = _dict(channel.get("snippet"))
        title = str(snippet.get("title") or channel_id)
        custom = str(snippet.get("customUrl") or "")
        if not channel_id:
            raise TransientError("YouTube sent an answer Parvis could not read; try again.")
        return Profile(
            external_id=channel_id,
            handle=custom if custom.startswith("@") else (f"@{custom}" if custom else title),
            display_name=title,
            url=f"{WEB}/{custom}" if custom.startswith("@") else f"{WEB}/channel/{channel_id}",
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Comments by others on the channel's videos since the cursor, oldest first (see the module docstring)."""
        channel = channel_id_of(account)
        since = _cursor_time(cursor) or datetime.now(UTC) - FIRST_POLL_WINDOW
        threshold = since - OVERLAP
        events: dict[str, NetworkEvent] = {}
        newest = since
        with YouTubeApi(account) as api:
            try:
                for status in STATUSES:
                    newest = max(newest, self._read_threads(api, channel, status, threshold, events))
            except PayloadError as error:
                raise TransientError(f"YouTube sent an answer Parvis could not read ({error}).") from error
        before = cursor.get(CURSOR_SEEN)
        seen_before = {str(item) for item in before} if isinstance(before, list) else set()
        ordered = sorted(events.values(), key=lambda event: event.occurred_at)
        fresh = [event for event in ordered if event.external_id not in seen_before]
        window = newest - OVERLAP
        remember = sorted({event.external_id for event in ordered if event.occurred_at >= window})[:MAX_SEEN]
        return FetchResult(events=fresh, cursor={**cursor, CURSOR_COMMENTS: newest.isoformat(), CURSOR_SEEN: remember})

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with YouTubeApi(account) as api:
            if request.kind == ActionKind.REPLY:
                return self._reply(api, request)
            if request.kind == ActionKind.HIDE:
                return self._moderate(api, _target(request), "heldForReview")
            if request.kind == ActionKind.UNHIDE:
                return self._moderate(api, _target(request), "published")
            if request.kind == ActionKind.DELETE:
                return self._delete(api, account, request)
            if request.kind == ActionKind.BLOCK:
                target = _target(request)
                if _CHANNEL_ID_RE.match(target):
                    raise PermanentError(
                        "YouTube bans a person from the channel's comments through one of their comments: "
                        "block them from one of their comments."
                    )
                return self._moderate(api, target, "rejected", ban_author=True)
        if request.kind == ActionKind.PUBLISH:
            raise PermanentError("Parvis does not publish videos on YouTube.")
        raise PermanentError(f"YouTube cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        return len(text)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        raise PermanentError("Parvis cannot read back what it sent on YouTube.")

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("Parvis does not search YouTube.")

    # --- reading --------------------------------------------------------------------------------

    def _read_threads(
        self, api: YouTubeApi, channel: str, status: str, threshold: datetime, events: dict[str, NetworkEvent]
    ) -> datetime:
        newest = threshold
        token = ""
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {
                "part": "snippet,replies",
                "allThreadsRelatedToChannelId": channel,
                "moderationStatus": status,
                "order": "time",
                "maxResults": PAGE_SIZE,
            }
            if token:
                params["pageToken"] = token
            body = api.call("GET", "/commentThreads", params=params)
            items = body.get("items") or []
            threads = [YouTubeThread.from_api(item) for item in (items if isinstance(items, list) else [])]
            older = False
            for thread in threads:
                comments = [thread.top, *thread.replies]
                if _latest(comments) < threshold:
                    older = True  # newest first: the threads after this one are older still
                    continue
                if thread.total_replies > len(thread.replies):
                    comments = [thread.top, *self._all_replies(api, thread)]
                for comment in comments:
                    if comment.published_at is None or comment.published_at < threshold:
                        continue
                    newest = max(newest, comment.published_at)
                    if comment.author_channel_id == channel:
                        continue  # the channel's own answers
                    events[comment.id] = _event(comment, thread, status)
            token = str(body.get("nextPageToken") or "")
            if not token or older:
                break
        else:
            if token:
                logger.warning("YouTube channel %s: more than %d pages of %s comments", channel, MAX_PAGES, status)
        return newest

    def _all_replies(self, api: YouTubeApi, thread: YouTubeThread) -> list[YouTubeComment]:
        replies: list[YouTubeComment] = []
        token = ""
        for _page in range(MAX_REPLY_PAGES):
            params: dict[str, Any] = {"part": "snippet", "parentId": thread.id, "maxResults": PAGE_SIZE}
            if token:
                params["pageToken"] = token
            body = api.call("GET", "/comments", params=params)
            items = body.get("items") or []
            replies.extend(
                YouTubeComment.from_api(item, video_id=thread.video_id)
                for item in (items if isinstance(items, list) else [])
            )
            token = str(body.get("nextPageToken") or "")
            if not token:
                break
        return replies

    # --- writing --------------------------------------------------------------------------------

    def _reply(self, api: YouTubeApi, request: ActionRequest) -> ActionResult:
        target = request.in_reply_to_id
        if not target:
            raise PermanentError("This answer does not say which comment it answers.")
        if not request.text.strip():
            raise PermanentError("The comment is empty.")
        if len(request.text) > MAX_COMMENT_CHARACTERS:
            raise PermanentError(f"YouTube comments hold at most {MAX_COMMENT_CHARACTERS} characters.")
        if request.media:
            raise PermanentError("YouTube comments cannot carry pictures.")
        if _VIDEO_ID_RE.match(target):
            body = api.call(
                "POST",
                "/commentThreads",
                params={"part": "snippet"},
                json={"snippet": {"videoId": target, "topLevelComment": {"snippet": {"textOriginal": request.text}}}},
            )
        else:
            parent = target.split(".", 1)[0]  # a reply's id is "<top-level comment id>.<reply id>"
            body = api.call(
                "POST",
                "/comments",
                params={"part": "snippet"},
                json={"snippet": {"parentId": parent, "textOriginal": request.text}},
            )
        created = str(body.get("id") or "")
        if not created:
            raise TransientError("YouTube did not say which comment it created.")
        video = str(_dict(body.get("snippet")).get("videoId") or "")
        return ActionResult(external_id=created, url=f"{WEB}/watch?v={video}&lc={created}" if video else "")

    def _moderate(self, api: YouTubeApi, comment_id: str, status: str, *, ban_author: bool = False) -> ActionResult:
        params: dict[str, Any] = {"id": comment_id, "moderationStatus": status}
        if ban_author:
            params["banAuthor"] = "true"
        api.call("POST", "/comments/setModerationStatus", params=params)
        return ActionResult(external_id=comment_id, data={"moderation_status": status, "ban_author": ban_author})

    def _delete(self, api: YouTubeApi, account: AccountRef, request: ActionRequest) -> ActionResult:
        target = _target(request)
        body = api.call("GET", "/comments", params={"part": "snippet", "id": target})
        items = body.get("items") or []
        if not isinstance(items, list) or not items:
            return ActionResult(external_id=target, data={"already_gone": True})
        comment = YouTubeComment.from_api(items[0])
        if comment.author_channel_id == channel_id_of(account):
            api.call("DELETE", "/comments", params={"id": target})
            return ActionResult(external_id=target, data={"deleted": True})
        return self._moderate(api, target, "rejected")


# --- helpers ------------------------------------------------------------------------------------


def channel_id_of(account: AccountRef) -> str:
    channel = account.external_id or str(account.credentials.get("channel_id") or "")
    if not channel:
        raise PermanentError("Parvis does not know which YouTube channel this is. Connect it again.")
    return channel


def _event(comment: YouTubeComment, thread: YouTubeThread, status: str) -> NetworkEvent:
    video = comment.video_id or thread.video_id
    return NetworkEvent(
        kind=EventKind.REPLY,
        external_id=comment.id,
        occurred_at=comment.published_at or datetime.now(UTC),
        author=Author(
            external_id=comment.author_channel_id or comment.author_name,
            handle=comment.author_name,
            display_name=comment.author_name.lstrip("@"),
            url=comment.author_url,
            avatar_url=comment.author_avatar,
        ),
        text=comment.text,
        url=f"{WEB}/watch?v={video}&lc={comment.id}" if video else "",
        in_reply_to_id=comment.parent_id or (thread.top.id if comment.id != thread.top.id else video),
        thread_key=video or thread.id,
        visibility="public",
        raw={"video_id": video, "thread_id": thread.id, "moderation_status": comment.moderation_status or status},
    )


def _latest(comments: list[YouTubeComment]) -> datetime:
    times = [comment.published_at for comment in comments if comment.published_at is not None]
    return max(times) if times else datetime.min.replace(tzinfo=UTC)


def _cursor_time(cursor: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(cursor.get(CURSOR_COMMENTS))
    except PayloadError:
        return None


def _target(request: ActionRequest) -> str:
    if not request.target_id:
        raise PermanentError("This does not say which comment it is about.")
    return request.target_id


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


__all__ = ["YouTubeConnector", "channel_id_of"]
