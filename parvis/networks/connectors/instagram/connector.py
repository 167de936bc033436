"""Instagram (professional accounts): comments and tags in, posts out, through the Graph API.

Instagram API with Facebook Login: the account is an Instagram professional account linked to a
Facebook Page, acting with that Page's long-lived access token (onboarding.py). The Graph
client and its error mapping are Facebook's (`connectors/facebook/graph.py`).

Publishing is a container flow
(https://developers.facebook.com/docs/instagram-platform/content-publishing):
1. POST /{ig-user-id}/media with `image_url` (or `video_url` and media_type=REELS), `caption`
   and `alt_text` (images). A carousel is one container per item (`is_carousel_item=true`),
   then a container with media_type=CAROUSEL and `children`. Instagram downloads each file
   itself: `MediaFile.public_url` is a signed, expiring Parvis address (networks/media_urls.py).
2. GET /{container-id}?fields=status_code until FINISHED, for at most CONTAINER_WAIT seconds;
   still IN_PROGRESS after that is a TransientError and the container id is kept (Django's
   cache, keyed by the action's idempotency key), so the next attempt goes on with it.
3. POST /{ig-user-id}/media_publish with creation_id. A container is published once: before
   publishing again, the container's status is read (PUBLISHED means it went out, and the post
   is found among the account's media); a lost answer to media_publish is settled that way in
   the same attempt.

Limits: 2,200 characters, 30 hashtags and 20 @mentions a caption; an image or a video is
required; 10 items a carousel; JPEG images up to 8 MB; Reels up to 300 MB and 15 minutes;
100 API-published posts in a moving 24 hours (GET /{ig-user-id}/content_publishing_limit,
checked before each new post). Replies are comments (POST /{media-id}/comments) or answers to
a comment (POST /{comment-id}/replies). Instagram's API cannot like posts, nor delete the
account's own posts.

Reading (polling, oldest first; the cursor moves only once every page of a poll is read, so
a failure half-way loses nothing): comments and their replies on the account's media
(GET /{ig-user-id}/media with comments expanded, paged with `after` through up to MEDIA_PAGES
pages of 25, stopping at media published POST_HORIZON before the cursor; a media's comments
are paged with /{ig-media-id}/comments), and media the account is tagged in
(/{ig-user-id}/tags, https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/tags).
@mentions in other people's captions and comments reach applications only through the
`mentions` webhook (https://developers.facebook.com/docs/instagram-platform/webhooks), which
Parvis does not receive: they are not read. A first poll reads back FIRST_POLL_WINDOW.

Moderation (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment):
    HIDE / UNHIDE  POST /{ig-comment-id}?hide=true|false (comments on the account's own media)
    DELETE         DELETE /{ig-comment-id}: anyone's comment on the account's media
    REPLY          POST /{ig-comment-id}/replies (threads are one level deep)
Instagram's API has no block, mute or report for a professional account.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from parvis.networks.connectors.facebook.graph import (
    CURSOR_SEEN,
    PUBLISHING_LIMIT_WAIT,
    GraphClient,
    OutcomeUnknown,
    PayloadError,
    next_cursor,
    same_text,
    without_seen,
)
from parvis.networks.connectors.facebook.graph import (
    client_for as graph_client_for,
)
from parvis.networks.connectors.facebook.schemas import parse_time
from parvis.networks.connectors.instagram.schemas import (
    ERROR,
    EXPIRED,
    IN_PROGRESS,
    PUBLISHED,
    ContainerStatus,
    InstagramComment,
    InstagramMedia,
)
from parvis.networks.errors import PermanentError, RateLimited, TransientError
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

NETWORK = "instagram"
SERVICE = "Instagram"
MAX_CAPTION = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_ITEMS = 10
IMAGE_TYPES = frozenset({"image/jpeg"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_VIDEO_BYTES = 300 * 1024 * 1024
MAX_VIDEO_SECONDS = 15 * 60
ALT_TEXT_MAX = 1000
DAILY_PUBLISH_LIMIT = 100

# How long one attempt waits for Instagram to prepare a container, and the pauses between looks.
CONTAINER_WAIT = 30.0
POLL_DELAYS = (1.0, 2.0, 3.0, 4.0, 5.0)
# A kept container is forgotten after this long (Instagram expires containers after 24 hours).
CONTAINER_MEMORY = 23 * 3600

RECENT_MEDIA = 25
# Media paging: at most this many pages a poll, and no further back than media published
# POST_HORIZON before the cursor (comments on older media are not polled).
MEDIA_PAGES = 8
POST_HORIZON = timedelta(days=30)
COMMENTS_PER_PAGE = 50
MAX_COMMENT_PAGES = 4
FIRST_POLL_WINDOW = timedelta(days=1)
OVERLAP = timedelta(minutes=2)
LOCATE_PAGES = 4
LOCATE_SLACK = timedelta(minutes=2)

COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"
MEDIA_FIELDS = (
    "id,caption,timestamp,permalink,comments_count,"
    f"comments.limit({COMMENTS_PER_PAGE}){{{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}}}"
)
TAG_FIELDS = "id,caption,timestamp,permalink,username"
POST_FIELDS = "id,caption,timestamp,permalink"

CURSOR_COMMENTS = "comments_since"
CURSOR_TAGS = "tags_since"

_HASHTAG_RE = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_MENTION_RE = re.compile(r"(?<![\w/])@[\w.]+", re.UNICODE)

# `status` of a container in ERROR carries an error subcode; what it means, for people.
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
CONTAINER_ERRORS = {
    "2207004": "the image is too large (8 MB at most)",
    "2207005": "the image format is not supported (JPEG only)",
    "2207009": "the image's aspect ratio is not supported (between 4:5 and 1.91:1)",
    "2207026": "the video format is not supported",
    "2207052": "Instagram could not download the file from Parvis's public address",
    "2207003": "downloading the file took too long",
}

sleep = time.sleep  # a seam for the tests


class _Restart(TransientError):
    """The container is gone (expired): the next attempt makes a new one."""


@dataclass(frozen=True)
class _Kept:
    """A container made for one action, remembered between attempts."""

    container: str
    created: str  # ISO time the container was made
    publishing: bool = False


class InstagramConnector:
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "Instagram"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_CAPTION,
        max_media=MAX_ITEMS,
        media_types=IMAGE_TYPES,
        max_media_bytes=MAX_IMAGE_BYTES,
        alt_text_max=ALT_TEXT_MAX,
        threads=False,
        actions=frozenset(
            {ActionKind.PUBLISH, ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE}
        ),
        event_kinds=frozenset({EventKind.REPLY, EventKind.MENTION}),
        direct_messages=False,
        poll_interval_seconds=300,
        oauth=True,
        token_paste=False,
        media_required=True,
        video_types=VIDEO_TYPES,
        max_video_bytes=MAX_VIDEO_BYTES,
        max_video_seconds=MAX_VIDEO_SECONDS,
        first_comment=True,
        hashtags=True,
        read_back=True,
        daily_publish_limit=DAILY_PUBLISH_LIMIT,
        delete_others=True,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        ig_id = ig_user_id(account)
        with client_for(account) as client:
            me = client.get(ig_id, {"fields": "id,username,name"})
        username = str(me.get("username") or "")
        if not me.get("id") or not username:
            raise TransientError("Instagram sent an answer Parvis could not read; try again.")
        return Profile(
            external_id=str(me["id"]),
            handle=f"@{username}",
            display_name=str(me.get("name") or username),
            url=f"https://www.instagram.com/{username}/",
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        ig_id = ig_user_id(account)
        own = _own_username(account)
        now = datetime.now(UTC)
        comments_since = _cursor_time(cursor, CURSOR_COMMENTS) or now - FIRST_POLL_WINDOW
        tags_since = _cursor_time(cursor, CURSOR_TAGS) or now - FIRST_POLL_WINDOW
        events: list[NetworkEvent] = []
        with client_for(account) as client:
            try:
                newest_comment = self._read_comments(client, ig_id, own, comments_since, events)
                newest_tag = self._read_tags(client, ig_id, tags_since, events)
            except PayloadError as error:
                raise TransientError(f"Instagram sent an answer Parvis could not read ({error}).") from error
        comments_cursor = max(newest_comment, comments_since)
        tags_cursor = max(newest_tag, tags_since)
        unique = list({event.external_id: event for event in events}.values())  # media can shift while paged
        fresh, seen = without_seen(
            unique,
            cursor,
            window_start={EventKind.REPLY: comments_cursor - OVERLAP, EventKind.MENTION: tags_cursor - OVERLAP},
        )
        return FetchResult(
            events=fresh,
            cursor={
                **cursor,
                CURSOR_COMMENTS: comments_cursor.isoformat(),
                CURSOR_TAGS: tags_cursor.isoformat(),
                CURSOR_SEEN: seen,
            },
        )

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with client_for(account) as client:
            try:
                if request.kind == ActionKind.PUBLISH:
                    return self._publish(client, account, request)
                if request.kind == ActionKind.REPLY:
                    return self._comment(client, account, request)
                if request.kind in {ActionKind.HIDE, ActionKind.UNHIDE}:
                    return self._hide(client, request, hidden=request.kind == ActionKind.HIDE)
                if request.kind == ActionKind.DELETE:
                    return self._delete_comment(client, request)
            except PayloadError as error:
                raise TransientError(f"Instagram sent an answer Parvis could not read ({error}).") from error
        if request.kind == ActionKind.FAVOURITE:
            raise PermanentError("Instagram's API cannot like posts; do it in the Instagram app.")
        raise PermanentError(f"Instagram cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        return len(text)

    def check_text(self, text: str) -> list[str]:
        """What Instagram would refuse in a caption, beyond its length (hashtags, mentions), for people."""
        problems: list[str] = []
        hashtags = len(_HASHTAG_RE.findall(text))
        if hashtags > MAX_HASHTAGS:
            problems.append(f"Instagram accepts at most {MAX_HASHTAGS} hashtags in a caption ({hashtags} here).")
        mentions = len(_MENTION_RE.findall(text))
        if mentions > MAX_MENTIONS:
            problems.append(f"Instagram accepts at most {MAX_MENTIONS} @mentions in a caption ({mentions} here).")
        return problems

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        with client_for(account) as client:
            try:
                return self._locate(client, account, request, external_id=external_id, since=since)
            except PayloadError as error:
                raise TransientError(f"Instagram sent an answer Parvis could not read ({error}).") from error

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("Parvis does not search Instagram hashtags yet.")

    # --- reading --------------------------------------------------------------------------------

    def _read_comments(
        self, client: GraphClient, ig_id: str, own: str, since: datetime, events: list[NetworkEvent]
    ) -> datetime:
        threshold = since - OVERLAP
        horizon = threshold - POST_HORIZON
        newest = since
        params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": RECENT_MEDIA}
        for _page in range(MEDIA_PAGES):
            body = client.get(f"{ig_id}/media", params)
            items = body.get("data", [])
            found = [InstagramMedia.from_api(raw) for raw in (items if isinstance(items, list) else [])]
            for media in found:
                newest = max(newest, self._read_media_comments(client, ig_id, own, media, threshold, events))
            after = next_cursor(body)
            published = [media.timestamp for media in found if media.timestamp is not None]
            if not after or not published or min(published) < horizon:
                break  # newest first: the rest is beyond the horizon
            params = {**params, "after": after}
        return newest

    def _read_media_comments(
        self,
        client: GraphClient,
        ig_id: str,
        own: str,
        media: InstagramMedia,
        threshold: datetime,
        events: list[NetworkEvent],
    ) -> datetime:
        newest = threshold
        comments = list(media.comments)
        after = media.comments_after
        pages = 0
        while after and pages < MAX_COMMENT_PAGES and _newest(comments) >= threshold:
            pages += 1
            more = client.get(
                f"{media.id}/comments",
                {
                    "fields": f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}",
                    "limit": COMMENTS_PER_PAGE,
                    "after": after,
                },
            )
            found = more.get("data", [])
            comments.extend(InstagramComment.from_api(item) for item in (found if isinstance(found, list) else []))
            after = next_cursor(more)
        for comment in _flatten(comments):
            if comment.timestamp is None or comment.timestamp < threshold:
                continue
            newest = max(newest, comment.timestamp)
            if comment.user_id == ig_id or (own and comment.username.lower() == own.lower()):
                continue  # the account's own comments (first comments, answers sent from Parvis)
            events.append(_comment_event(comment, media))
        return newest

    def _read_tags(self, client: GraphClient, ig_id: str, since: datetime, events: list[NetworkEvent]) -> datetime:
        threshold = since - OVERLAP
        newest = since
        body = client.get(f"{ig_id}/tags", {"fields": TAG_FIELDS, "limit": RECENT_MEDIA})
        items = body.get("data", [])
        for raw in items if isinstance(items, list) else []:
            media = InstagramMedia.from_api(raw)
            if media.timestamp is None or media.timestamp < threshold:
                continue
            newest = max(newest, media.timestamp)
            events.append(
                NetworkEvent(
                    kind=EventKind.MENTION,
                    external_id=media.id,
                    occurred_at=media.timestamp,
                    author=_author(media.username),
                    text=media.caption,
                    url=media.permalink,
                    thread_key=media.id,
                    raw={"type": "tag"},
                )
            )
        return newest

    # --- publishing -----------------------------------------------------------------------------

    def _publish(self, client: GraphClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        ig_id = ig_user_id(account)
        self._validate(request)
        kept = _kept_get(account, request)
        if kept is not None:
            status = self._status(client, kept.container)
            if status is None or status.status_code == EXPIRED:
                _kept_forget(account, request)
                kept = None
            elif status.status_code == PUBLISHED:
                return self._published(client, account, request, kept)
            elif status.status_code == ERROR:
                _kept_forget(account, request)
                raise PermanentError(_container_error(status))
            elif kept.publishing:
                # An earlier media_publish got no answer and the container does not say PUBLISHED:
                # look among the posts once more before publishing it.
                found = self._locate(client, account, request, since=parse_time(kept.created))
                if found is not None:
                    _kept_forget(account, request)
                    return ActionResult(
                        external_id=found.external_id, url=found.url, data={"container_id": kept.container}
                    )
        if kept is None:
            self._check_quota(client, ig_id)
            container = self._create_containers(client, ig_id, request)
            kept = _Kept(container=container, created=datetime.now(UTC).isoformat())
            _kept_save(account, request, kept)
        try:
            status = self._ready(client, kept.container)
        except (_Restart, PermanentError):
            _kept_forget(account, request)
            raise
        if status.status_code == PUBLISHED:
            return self._published(client, account, request, kept)
        kept = _Kept(container=kept.container, created=kept.created, publishing=True)
        _kept_save(account, request, kept)
        try:
            answer = client.post(f"{ig_id}/media_publish", {"creation_id": kept.container})
        except OutcomeUnknown:
            status = self._status(client, kept.container)
            if status is not None and status.status_code == PUBLISHED:
                return self._published(client, account, request, kept)
            raise
        media_id = str(answer.get("id") or "")
        if not media_id:
            raise PayloadError("no id for the published media")
        _kept_forget(account, request)
        return ActionResult(
            external_id=media_id,
            url=self._permalink(client, media_id),
            data={"container_id": kept.container},
        )

    def _validate(self, request: ActionRequest) -> None:
        if not request.media:
            raise PermanentError("Instagram needs an image or a video for every post.")
        if len(request.media) > MAX_ITEMS:
            raise PermanentError(f"An Instagram carousel holds at most {MAX_ITEMS} images or videos.")
        if len(request.text) > MAX_CAPTION:
            raise PermanentError(f"The caption is too long for Instagram (maximum {MAX_CAPTION} characters).")
        problems = self.check_text(request.text)
        if problems:
            raise PermanentError(" ".join(problems))
        for media in request.media:
            if media.mime_type and media.mime_type not in IMAGE_TYPES | VIDEO_TYPES:
                raise PermanentError(f"Instagram does not accept files of type {media.mime_type} (JPEG or MP4).")
            if len(media.alt_text) > ALT_TEXT_MAX:
                raise PermanentError(f"The image description is too long for Instagram (maximum {ALT_TEXT_MAX}).")
            _check_public_url(media)

    def _check_quota(self, client: GraphClient, ig_id: str) -> None:
        """GET /{ig-user-id}/content_publishing_limit: refuse before making containers when the day is used up."""
        try:
            body = client.get(f"{ig_id}/content_publishing_limit", {"fields": "quota_usage,config"})
        except PermanentError:
            logger.warning("Instagram publishing limit of %s could not be read", ig_id, exc_info=True)
            return
        data = body.get("data")
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        config = first.get("config") if isinstance(first.get("config"), dict) else {}
        try:
            usage = int(first.get("quota_usage") or 0)
            total = int((config or {}).get("quota_total") or DAILY_PUBLISH_LIMIT)
        except (TypeError, ValueError):
            return
        if usage >= total:
            raise RateLimited(
                f"This Instagram account has published {usage} posts through the API in the last 24 hours, "
                f"Instagram's limit ({total}). Parvis will try again in an hour.",
                retry_after=PUBLISHING_LIMIT_WAIT,
            )

    def _create_containers(self, client: GraphClient, ig_id: str, request: ActionRequest) -> str:
        """The container to publish: one item, or a carousel of item containers."""
        if len(request.media) == 1:
            media = request.media[0]
            return self._container(client, ig_id, _item_params(media, carousel=False) | {"caption": request.text})
        children = []
        for media in request.media:
            child = self._container(client, ig_id, _item_params(media, carousel=True))
            children.append(child)
        for child in children:
            self._ready(client, child)
        return self._container(
            client, ig_id, {"media_type": "CAROUSEL", "children": ",".join(children), "caption": request.text}
        )

    def _container(self, client: GraphClient, ig_id: str, params: dict[str, Any]) -> str:
        try:
            answer = client.post(f"{ig_id}/media", params)
        except OutcomeUnknown as error:
            # A container nobody publishes expires by itself: making another one is safe.
            raise TransientError(error.message) from error
        container = str(answer.get("id") or "")
        if not container:
            raise PayloadError("no id for the container")
        return container

    def _status(self, client: GraphClient, container: str) -> ContainerStatus | None:
        try:
            return ContainerStatus.from_api(client.get(container, {"fields": "status_code,status"}))
        except PermanentError:
            return None  # unknown container (expired and removed, or another account's)

    def _wait_for(self, client: GraphClient, container: str) -> ContainerStatus | None:
        """The container's status once it is not IN_PROGRESS, or still IN_PROGRESS after CONTAINER_WAIT seconds.

        None when Instagram does not know the container (removed after it expired).
        """
        deadline = time.monotonic() + CONTAINER_WAIT
        looks = 0
        while True:
            status = self._status(client, container)
            if status is None or status.status_code != IN_PROGRESS or time.monotonic() >= deadline:
                return status
            sleep(POLL_DELAYS[min(looks, len(POLL_DELAYS) - 1)])
            looks += 1

    def _ready(self, client: GraphClient, container: str) -> ContainerStatus:
        """Wait for a container; raise what its state means unless it is ready to publish (or published)."""
        status = self._wait_for(client, container)
        if status is None or status.status_code == EXPIRED:
            raise _Restart("The media prepared for Instagram expired; Parvis will prepare it again.")
        if status.status_code == ERROR:
            raise PermanentError(_container_error(status))
        if status.status_code == IN_PROGRESS:
            raise TransientError("Instagram is still processing the media; Parvis will try again in a moment.")
        return status

    def _published(self, client: GraphClient, account: AccountRef, request: ActionRequest, kept: _Kept) -> ActionResult:
        """The container went out in an earlier attempt: find the post instead of publishing again."""
        since = parse_time(kept.created)
        found = self._locate(client, account, request, since=since)
        if found is None:
            raise TransientError(
                "Instagram says this post was published, but it is not visible yet; Parvis will look again."
            )
        _kept_forget(account, request)
        return ActionResult(external_id=found.external_id, url=found.url, data={"container_id": kept.container})

    def _permalink(self, client: GraphClient, media_id: str) -> str:
        try:
            answer = client.get(media_id, {"fields": "permalink"})
        except Exception:  # a published post must not become a failed action
            logger.warning("reading the permalink of %s failed", media_id, exc_info=True)
            return ""
        return str(answer.get("permalink") or "")

    # --- moderation -----------------------------------------------------------------------------

    def _hide(self, client: GraphClient, request: ActionRequest, *, hidden: bool) -> ActionResult:
        """POST /{ig-comment-id}?hide=true|false; answers {"success": true}."""
        if not request.target_id:
            raise PermanentError("This does not say which comment to hide.")
        answer = client.post(request.target_id, {"hide": "true" if hidden else "false"})
        if answer.get("success") is False:
            raise PermanentError("Instagram did not change this comment's visibility.")
        return ActionResult(external_id=request.target_id, data={"hidden": hidden})

    def _delete_comment(self, client: GraphClient, request: ActionRequest) -> ActionResult:
        """DELETE /{ig-comment-id}: a comment on the account's media, whoever wrote it. Gone already is done."""
        if not request.target_id:
            raise PermanentError("This deletion does not say which comment to delete.")
        try:
            client.delete(request.target_id)
        except PermanentError as error:
            try:
                client.get(request.target_id, {"fields": "id"})
            except PermanentError:
                return ActionResult(external_id=request.target_id, data={"already_gone": True})
            raise PermanentError(
                f"Instagram did not delete it ({error.message}). Its API deletes comments, not posts."
            ) from error
        return ActionResult(external_id=request.target_id)

    # --- comments -------------------------------------------------------------------------------

    def _comment(self, client: GraphClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This comment does not say which post it answers.")
        if not request.text.strip():
            raise PermanentError("The comment is empty.")
        if request.media:
            raise PermanentError("Instagram comments cannot carry images.")
        if len(request.text) > MAX_CAPTION:
            raise PermanentError(f"The comment is too long for Instagram (maximum {MAX_CAPTION} characters).")
        edge = self._comment_edge(client, request)
        started = datetime.now(UTC)
        try:
            answer = client.post(edge, {"message": request.text})
        except OutcomeUnknown:
            try:
                found = self._locate(client, account, request, since=started)
            except Exception:
                logger.warning("read-back after a lost answer failed", exc_info=True)
                found = None
            if found is not None:
                return found
            raise
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise PayloadError("no id for the comment")
        return ActionResult(external_id=comment_id, data={"edge": edge})

    def _comment_edge(self, client: GraphClient, request: ActionRequest) -> str:
        """Where the comment goes: under a media (/comments), or under a top-level comment (/replies).

        A first comment answers the post it hangs from (`thread_root_id` is that post). Otherwise
        the target is asked for `parent_id`, a field only comments have: an answer to a reply goes
        under the reply's top-level comment, since Instagram threads are one level deep.
        """
        target = request.in_reply_to_id
        if request.thread_root_id and request.thread_root_id == target:
            return f"{target}/comments"
        try:
            found = client.get(target, {"fields": "id,parent_id"})
        except PermanentError:
            return f"{target}/comments"  # not a comment: a media ("nonexisting field (parent_id)")
        parent = str(found.get("parent_id") or "")
        return f"{parent or target}/replies"

    # --- read-back ------------------------------------------------------------------------------

    def _locate(
        self,
        client: GraphClient,
        account: AccountRef,
        request: ActionRequest,
        *,
        external_id: str = "",
        since: datetime | None = None,
    ) -> ActionResult | None:
        ig_id = ig_user_id(account)
        if external_id:
            fields = "id,text,timestamp" if request.kind == ActionKind.REPLY else POST_FIELDS
            try:
                found = client.get(external_id, {"fields": fields})
            except PermanentError:
                return None
            return ActionResult(external_id=str(found.get("id") or external_id), url=str(found.get("permalink") or ""))
        after = since - LOCATE_SLACK if since is not None else None
        if request.kind == ActionKind.PUBLISH:
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": 25}
            if after is not None:
                params["since"] = int(after.timestamp())
            for page in client.pages(f"{ig_id}/media", params, max_pages=LOCATE_PAGES):
                for raw in page:
                    media = InstagramMedia.from_api(raw)
                    recent = after is None or (media.timestamp is not None and media.timestamp >= after)
                    if recent and same_text(media.caption, request.text):
                        return ActionResult(external_id=media.id, url=media.permalink, data={"located": True})
            return None
        if request.kind == ActionKind.REPLY and request.in_reply_to_id:
            own = _own_username(account)
            edge = self._comment_edge(client, request)
            fields = "id,text,timestamp,username,from{id,username}"
            for page in client.pages(edge, {"fields": fields, "limit": COMMENTS_PER_PAGE}, max_pages=LOCATE_PAGES):
                for raw in page:
                    comment = InstagramComment.from_api(raw)
                    mine = comment.user_id == ig_id or (own and comment.username.lower() == own.lower())
                    recent = after is None or (comment.timestamp is not None and comment.timestamp >= after)
                    if mine and recent and same_text(comment.text, request.text):
                        return ActionResult(external_id=comment.id, data={"located": True})
            return None
        raise PermanentError(f"Parvis cannot look for a “{request.kind}” on Instagram.")


# --- helpers ------------------------------------------------------------------------------------


def client_for(account: AccountRef) -> GraphClient:
    return graph_client_for(account, service=SERVICE, what="This Instagram account")


def ig_user_id(account: AccountRef) -> str:
    ig_id = account.external_id or str(account.credentials.get("ig_user_id") or "")
    if not ig_id:
        raise PermanentError("Parvis does not know which Instagram account this is. Connect it again.")
    return ig_id


def _own_username(account: AccountRef) -> str:
    return str(account.credentials.get("username") or account.handle.lstrip("@"))


def _item_params(media: MediaFile, *, carousel: bool) -> dict[str, Any]:
    if media.mime_type in VIDEO_TYPES:
        params: dict[str, Any] = {"media_type": "VIDEO" if carousel else "REELS", "video_url": media.public_url}
    else:
        params = {"image_url": media.public_url}
        if media.alt_text:
            params["alt_text"] = media.alt_text
    if carousel:
        params["is_carousel_item"] = "true"
    return params


def _check_public_url(media: MediaFile) -> None:
    """Instagram downloads the file itself: the address must be one it can reach."""
    url = media.public_url
    if not url:
        raise PermanentError(
            "Instagram downloads every image from Parvis's public address, and this file has none. "
            "An operator must set PARVIS_BASE_URL to the address people use to reach Parvis."
        )
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = {name.lower() for name in settings.PARVIS_PRIVATE_HOSTS_ALLOWED}
    if host in allowed or "*" in allowed:
        return
    private = host == "localhost" or host.endswith(".localhost")
    try:
        address = ipaddress.ip_address(host)
        private = private or not address.is_global
    except ValueError:
        pass
    if parts.scheme not in {"http", "https"} or private:
        raise PermanentError(
            f"Instagram cannot download images from {parts.scheme}://{host}: PARVIS_BASE_URL must be "
            "the public address of this Parvis."
        )


def _container_error(status: ContainerStatus) -> str:
    detail = status.status or "no reason given"
    for subcode, meaning in CONTAINER_ERRORS.items():
        if subcode in detail:
            return f"Instagram could not prepare the media: {meaning} ({detail})."
    return f"Instagram could not prepare the media ({detail})."


def _cache_key(account: AccountRef, request: ActionRequest) -> str:
    return f"parvis:instagram:container:{account.id}:{account.external_id}:{request.idempotency_key}"


def _kept_get(account: AccountRef, request: ActionRequest) -> _Kept | None:
    value = cache.get(_cache_key(account, request))
    if not isinstance(value, dict):
        return None
    try:
        return _Kept(
            container=str(value["container"]), created=str(value["created"]), publishing=bool(value["publishing"])
        )
    except KeyError:
        return None


def _kept_save(account: AccountRef, request: ActionRequest, kept: _Kept) -> None:
    cache.set(_cache_key(account, request), asdict(kept), timeout=CONTAINER_MEMORY)


def _kept_forget(account: AccountRef, request: ActionRequest) -> None:
    cache.delete(_cache_key(account, request))


def _cursor_time(cursor: dict[str, Any], key: str) -> datetime | None:
    try:
        return parse_time(cursor.get(key))
    except PayloadError:
        return None


def _newest(comments: list[InstagramComment]) -> datetime:
    """Instagram does not promise an order for /comments: page on while any comment is recent."""
    times = [comment.timestamp for comment in _flatten(comments) if comment.timestamp is not None]
    return max(times) if times else datetime.min.replace(tzinfo=UTC)


def _flatten(comments: list[InstagramComment]) -> list[InstagramComment]:
    flat: list[InstagramComment] = []
    for comment in comments:
        flat.append(comment)
        flat.extend(comment.replies)
    return flat


def _author(username: str) -> Author | None:
    if not username:
        return None
    return Author(
        # Usernames are what people see and what is the same from every account of the organisation.
        external_id=username.lower(),
        handle=f"@{username}",
        display_name=username,
        url=f"https://www.instagram.com/{username}/",
    )


def _comment_event(comment: InstagramComment, media: InstagramMedia) -> NetworkEvent:
    return NetworkEvent(
        kind=EventKind.REPLY,
        external_id=comment.id,
        occurred_at=comment.timestamp or datetime.now(UTC),
        author=_author(comment.username),
        text=comment.text,
        url=media.permalink,
        in_reply_to_id=comment.parent_id or media.id,
        thread_key=media.id,
        raw={"media_id": media.id},
    )


__all__ = ["InstagramConnector", "client_for", "ig_user_id"]
