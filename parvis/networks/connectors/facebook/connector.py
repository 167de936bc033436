"""Facebook Pages: comments and mentions in, Page posts out, through the Graph API.

An account is one Facebook Page, acting with its long-lived Page access token (Facebook Login,
then /me/accounts: see onboarding.py). Capabilities and quirks:

- Publishing: a text or link post (POST /{page-id}/feed with `message` and `link`, which makes
  Facebook build the link card), one photo (POST /{page-id}/photos with the file, `message` and
  `alt_text_custom`), several photos (each uploaded with `published=false`, then one feed post
  with `attached_media`). https://developers.facebook.com/docs/pages-api/posts
- Replies are comments (POST /{object-id}/comments): the first comment of a post is a child
  action answering its parent. Likes are POST /{object-id}/likes, deletion DELETE /{id}.
- No idempotency key exists on the Graph API. When the answer to a write is lost, the
  connector reads back (`locate`: the Page's posts since the attempt, or the comments under the
  object) before saying anything, and `locate` lets the worker check before a retry.
- Reading (polling, oldest first, one cursor per source; the cursor only moves once every page of
  a poll has been read, so a failure half-way loses nothing and the next poll reads it again):
  - comments on the Page's posts: GET /{page-id}/feed with the comments expanded
    (https://developers.facebook.com/docs/graph-api/reference/page/feed/), paged with
    `after` through up to FEED_PAGES pages of 25 posts, stopping at posts created POST_HORIZON
    before the cursor; posts whose `updated_time` is older than the cursor are skipped (a
    comment moves it). A post's comments are paged (/{post-id}/comments, `after`) down to the
    cursor. Comments on posts older than that horizon reach applications through webhooks only.
  - posts that tag the Page (/{page-id}/tagged), as mentions;
  - Messenger: GET /{page-id}/conversations?platform=messenger with each conversation's
    messages expanded (https://developers.facebook.com/docs/graph-api/reference/page/conversations/),
    newest conversation first, down to the cursor; the person's messages are DIRECT_MESSAGE
    events in the thread "messenger:<conversation id>". The conversations edge has no time
    filter (no `since`): paging stops at the first conversation older than the cursor. Pages
    connected before Parvis asked for `pages_messaging` are read without Messenger (a warning
    is logged) until they are reconnected.
  - A first poll reads back FIRST_POLL_WINDOW (a bounded backfill).
  - Ratings and recommendations (/{page-id}/ratings) cannot be read: Meta removed the
    Recommendation object from Graph API v22.0 ("error code 12",
    https://developers.facebook.com/docs/graph-api/reference/recommendation/), so Facebook
    produces no REVIEW events.
- Moderation (https://developers.facebook.com/docs/graph-api/reference/comment/):
  HIDE / UNHIDE   POST /{comment-id} is_hidden=true|false (pages_manage_engagement)
  DELETE          DELETE /{comment-id}: the Page removes anyone's comment under its posts
  REPLY           a comment answering the comment (POST /{comment-id}/comments); answering a
                  Messenger message goes through the Send API (below)
  BLOCK / UNBLOCK POST / DELETE /{page-id}/blocked user=<id>
                  (https://developers.facebook.com/docs/graph-api/reference/page/blocked/)
  SEND_DIRECT     POST /{page-id}/messages recipient={"id": PSID}, messaging_type=RESPONSE,
                  message={"text"} (https://developers.facebook.com/docs/messenger-platform/reference/send-api/)
  Messenger's standard messaging window: a Page may answer only within 24 hours of the
  person's last message (https://developers.facebook.com/docs/messenger-platform/policy/policy-overview/).
  Parvis refuses, before sending, an answer to a message older than that, and Meta's own
  refusal (code 10, subcode 2018278) becomes the same clear PermanentError.
- Limits: 63,206 characters a post; photos JPEG/PNG/GIF/BMP/TIFF up to 4 MB
  (https://developers.facebook.com/docs/graph-api/reference/page/photos/); Parvis sends at most
  10 photos a post. Page tokens are rate limited per Page (Business Use Case limits, see graph.py).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from parvis.networks.connectors.facebook.graph import (
    CURSOR_SEEN,
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
from parvis.networks.connectors.facebook.schemas import (
    FacebookComment,
    FacebookConversation,
    FacebookFrom,
    FacebookMessage,
    FacebookPost,
    parse_time,
)
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

NETWORK = "facebook"
SERVICE = "Facebook"
MAX_CHARACTERS = 63206
MAX_PHOTOS = 10
# https://developers.facebook.com/docs/messenger-platform/reference/send-api/ (message.text)
MAX_MESSAGE_CHARACTERS = 2000
MAX_PHOTO_BYTES = 4 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"})
ALT_TEXT_MAX = 1000

# Reading: the posts whose comments are read each poll, and how far one post's comments are paged.
RECENT_POSTS = 25
COMMENTS_PER_PAGE = 50
MAX_COMMENT_PAGES = 4
# A first poll reads what happened in the last day; later polls overlap the cursor a little,
# since Graph indexes comments with a delay (the inbox stores each one once).
FIRST_POLL_WINDOW = timedelta(days=1)
OVERLAP = timedelta(minutes=2)
# Read-back: how many of the Page's posts (or an object's comments) are looked through.
LOCATE_PAGES = 4
LOCATE_SLACK = timedelta(minutes=2)

# Feed paging: at most this many pages of RECENT_POSTS posts a poll, and no further back than
# posts created POST_HORIZON before the cursor.
FEED_PAGES = 8
POST_HORIZON = timedelta(days=30)
# Messenger: conversations a page, messages expanded per conversation, and pages read per poll.
CONVERSATIONS_PER_PAGE = 25
MESSAGES_PER_PAGE = 25
MAX_CONVERSATION_PAGES = 4
MAX_MESSAGE_PAGES = 4
MESSAGING_WINDOW = timedelta(hours=24)

COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"
FEED_FIELDS = (
    "id,message,created_time,updated_time,permalink_url,"
    f"comments.filter(stream).order(reverse_chronological).limit({COMMENTS_PER_PAGE}){{{COMMENT_FIELDS}}}"
)
TAGGED_FIELDS = "id,message,created_time,from{id,name},permalink_url"
POST_FIELDS = "id,message,created_time,permalink_url"
MESSAGE_FIELDS = "id,message,created_time,from,attachments{id}"
CONVERSATION_FIELDS = f"id,updated_time,link,messages.limit({MESSAGES_PER_PAGE}){{{MESSAGE_FIELDS}}}"

CURSOR_COMMENTS = "comments_since"
CURSOR_TAGGED = "tagged_since"
CURSOR_MESSAGES = "messages_since"
MESSENGER_THREAD = "messenger:"


class FacebookConnector:
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "Facebook"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_CHARACTERS,
        max_media=MAX_PHOTOS,
        media_types=PHOTO_TYPES,
        max_media_bytes=MAX_PHOTO_BYTES,
        alt_text_max=ALT_TEXT_MAX,
        threads=False,
        actions=frozenset(
            {
                ActionKind.PUBLISH,
                ActionKind.REPLY,
                ActionKind.DELETE,
                ActionKind.FAVOURITE,
                ActionKind.HIDE,
                ActionKind.UNHIDE,
                ActionKind.BLOCK,
                ActionKind.UNBLOCK,
                ActionKind.SEND_DIRECT,
            }
        ),
        event_kinds=frozenset({EventKind.REPLY, EventKind.MENTION, EventKind.DIRECT_MESSAGE}),
        direct_messages=True,
        poll_interval_seconds=300,
        oauth=True,
        token_paste=False,
        first_comment=True,
        hashtags=True,
        read_back=True,
        delete_others=True,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        """With a Page token, /me is the Page itself."""
        with client_for(account) as client:
            me = client.get("me", {"fields": "id,name,username,link"})
        page_id = str(me.get("id") or "")
        if not page_id:
            raise TransientError("Facebook sent an answer Parvis could not read; try again.")
        expected = str(account.credentials.get("page_id") or account.external_id or "")
        if expected and expected != page_id:
            raise PermanentError("This access token belongs to another Facebook Page. Connect the Page again.")
        name = str(me.get("name") or page_id)
        username = str(me.get("username") or "")
        return Profile(
            external_id=page_id,
            handle=f"@{username}" if username else name,
            display_name=name,
            url=str(me.get("link") or f"https://www.facebook.com/{page_id}"),
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Comments on the Page's posts, posts tagging the Page and Messenger messages since the cursor, oldest first.

        Everything is read before anything is returned: an error on any page raises, the cursor
        stays where it was, and the next poll reads the same window again (see the module docstring).
        """
        page_id = page_id_of(account)
        now = datetime.now(UTC)
        comments_since = _cursor_time(cursor, CURSOR_COMMENTS) or now - FIRST_POLL_WINDOW
        tagged_since = _cursor_time(cursor, CURSOR_TAGGED) or now - FIRST_POLL_WINDOW
        messages_since = _cursor_time(cursor, CURSOR_MESSAGES) or now - FIRST_POLL_WINDOW
        events: list[NetworkEvent] = []
        with client_for(account) as client:
            try:
                newest_comment = self._read_comments(client, page_id, comments_since, events)
                newest_tag = self._read_tagged(client, page_id, tagged_since, events)
                newest_message = self._read_messenger(client, page_id, messages_since, events)
            except PayloadError as error:
                raise TransientError(f"Facebook sent an answer Parvis could not read ({error}).") from error
        comments_cursor = max(newest_comment, comments_since)
        tagged_cursor = max(newest_tag, tagged_since)
        messages_cursor = max(newest_message, messages_since)
        unique = list({event.external_id: event for event in events}.values())  # a feed can shift while paged
        fresh, seen = without_seen(
            unique,
            cursor,
            window_start={
                EventKind.REPLY: comments_cursor - OVERLAP,
                EventKind.MENTION: tagged_cursor - OVERLAP,
                EventKind.DIRECT_MESSAGE: messages_cursor - OVERLAP,
            },
        )
        return FetchResult(
            events=fresh,
            cursor={
                **cursor,
                CURSOR_COMMENTS: comments_cursor.isoformat(),
                CURSOR_TAGGED: tagged_cursor.isoformat(),
                CURSOR_MESSAGES: messages_cursor.isoformat(),
                CURSOR_SEEN: seen,
            },
        )

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        started = datetime.now(UTC)
        with client_for(account) as client:
            try:
                if request.kind == ActionKind.PUBLISH:
                    return self._publish(client, account, request, started)
                if request.kind == ActionKind.REPLY:
                    return self._comment(client, account, request, started)
                if request.kind == ActionKind.FAVOURITE:
                    return self._like(client, request)
                if request.kind == ActionKind.DELETE:
                    return self._delete(client, request)
                if request.kind in {ActionKind.HIDE, ActionKind.UNHIDE}:
                    return self._hide(client, request, hidden=request.kind == ActionKind.HIDE)
                if request.kind in {ActionKind.BLOCK, ActionKind.UNBLOCK}:
                    return self._block(client, account, request, block=request.kind == ActionKind.BLOCK)
                if request.kind == ActionKind.SEND_DIRECT:
                    return self._send_direct(client, account, request)
            except PayloadError as error:
                raise TransientError(f"Facebook sent an answer Parvis could not read ({error}).") from error
        raise PermanentError(f"Facebook cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        return len(text)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        with client_for(account) as client:
            try:
                return self._locate(client, account, request, external_id=external_id, since=since)
            except PayloadError as error:
                raise TransientError(f"Facebook sent an answer Parvis could not read ({error}).") from error

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("Facebook does not let applications search public posts.")

    # --- reading --------------------------------------------------------------------------------

    def _read_comments(
        self, client: GraphClient, page_id: str, since: datetime, events: list[NetworkEvent]
    ) -> datetime:
        threshold = since - OVERLAP
        horizon = threshold - POST_HORIZON
        newest = since
        params: dict[str, Any] = {"fields": FEED_FIELDS, "limit": RECENT_POSTS}
        for _page in range(FEED_PAGES):
            body = client.get(f"{page_id}/feed", params)
            raw_posts = body.get("data", [])
            posts = [FacebookPost.from_api(raw) for raw in (raw_posts if isinstance(raw_posts, list) else [])]
            for post in posts:
                newest = max(newest, self._read_post_comments(client, page_id, post, threshold, events))
            after = next_cursor(body)
            created = [post.created_time for post in posts if post.created_time is not None]
            if not after or not created or min(created) < horizon:
                break  # the feed is newest first: older posts are beyond the horizon
            params = {**params, "after": after}
        else:
            logger.warning("Facebook Page %s: more than %d pages of posts inside the horizon", page_id, FEED_PAGES)
        return newest

    def _read_post_comments(
        self, client: GraphClient, page_id: str, post: FacebookPost, threshold: datetime, events: list[NetworkEvent]
    ) -> datetime:
        newest = threshold
        if post.updated_time is not None and post.updated_time < threshold:
            return newest  # no comment since the cursor: a comment moves `updated_time`
        comments = list(post.comments)
        after = post.comments_after
        pages = 0
        while after and pages < MAX_COMMENT_PAGES and _oldest(comments) >= threshold:
            pages += 1
            more = client.get(
                f"{post.id}/comments",
                {
                    "filter": "stream",
                    "order": "reverse_chronological",
                    "fields": COMMENT_FIELDS,
                    "limit": COMMENTS_PER_PAGE,
                    "after": after,
                },
            )
            items = more.get("data", [])
            comments.extend(FacebookComment.from_api(item) for item in (items if isinstance(items, list) else []))
            after = next_cursor(more)
        if after and _oldest(comments) >= threshold:
            logger.warning("Facebook post %s: more than %d pages of new comments", post.id, MAX_COMMENT_PAGES)
        for comment in comments:
            if comment.created_time is None or comment.created_time < threshold:
                continue
            newest = max(newest, comment.created_time)
            if comment.author is not None and comment.author.id == page_id:
                continue  # the Page's own comments (first comments, replies sent from Parvis)
            events.append(_comment_event(comment, post))
        return newest

    def _read_messenger(
        self, client: GraphClient, page_id: str, since: datetime, events: list[NetworkEvent]
    ) -> datetime:
        """The person's Messenger messages newer than the cursor, from the conversations updated since."""
        threshold = since - OVERLAP
        newest = since
        params: dict[str, Any] = {
            "platform": "messenger",
            "fields": CONVERSATION_FIELDS,
            "limit": CONVERSATIONS_PER_PAGE,
        }
        try:
            for _page in range(MAX_CONVERSATION_PAGES):
                body = client.get(f"{page_id}/conversations", params)
                raw = body.get("data", [])
                conversations = [FacebookConversation.from_api(item) for item in (raw if isinstance(raw, list) else [])]
                older = False
                for conversation in conversations:
                    if conversation.updated_time is not None and conversation.updated_time < threshold:
                        older = True  # newest first: every conversation after this one is older too
                        break
                    newest = max(newest, self._read_conversation(client, page_id, conversation, threshold, events))
                after = next_cursor(body)
                if older or not after:
                    break
                params = {**params, "after": after}
        except PermanentError as error:
            if events and any(event.kind == EventKind.DIRECT_MESSAGE for event in events):
                raise
            # A Page connected before Parvis asked for pages_messaging: read the rest, say why here.
            logger.warning("Facebook Page %s: Messenger not read (%s)", page_id, error.message)
            return since
        return newest

    def _read_conversation(
        self,
        client: GraphClient,
        page_id: str,
        conversation: FacebookConversation,
        threshold: datetime,
        events: list[NetworkEvent],
    ) -> datetime:
        newest = threshold
        messages = list(conversation.messages)
        after = conversation.messages_after
        pages = 0
        while after and pages < MAX_MESSAGE_PAGES and _oldest_message(messages) >= threshold:
            pages += 1
            more = client.get(
                f"{conversation.id}/messages", {"fields": MESSAGE_FIELDS, "limit": MESSAGES_PER_PAGE, "after": after}
            )
            items = more.get("data", [])
            messages.extend(FacebookMessage.from_api(item) for item in (items if isinstance(items, list) else []))
            after = next_cursor(more)
        for message in messages:
            if message.created_time is None or message.created_time < threshold:
                continue
            newest = max(newest, message.created_time)
            if message.author is None or message.author.id == page_id:
                continue  # the Page's own answers
            events.append(_message_event(message, conversation))
        return newest

    def _read_tagged(self, client: GraphClient, page_id: str, since: datetime, events: list[NetworkEvent]) -> datetime:
        threshold = since - OVERLAP
        newest = since
        body = client.get(f"{page_id}/tagged", {"fields": TAGGED_FIELDS, "limit": RECENT_POSTS})
        raw_posts = body.get("data", [])
        for raw in raw_posts if isinstance(raw_posts, list) else []:
            post = FacebookPost.from_api(raw)
            if post.created_time is None or post.created_time < threshold:
                continue
            newest = max(newest, post.created_time)
            if post.author is not None and post.author.id == page_id:
                continue
            events.append(
                NetworkEvent(
                    kind=EventKind.MENTION,
                    external_id=post.id,
                    occurred_at=post.created_time,
                    author=_author(post.author),
                    text=post.message,
                    url=post.permalink_url,
                    thread_key=post.id,
                    raw={"type": "tagged"},
                )
            )
        return newest

    # --- writing --------------------------------------------------------------------------------

    def _publish(
        self, client: GraphClient, account: AccountRef, request: ActionRequest, started: datetime
    ) -> ActionResult:
        page_id = page_id_of(account)
        if not request.text.strip() and not request.media:
            raise PermanentError("There is nothing to publish: the text is empty and there is no photo.")
        if len(request.text) > MAX_CHARACTERS:
            raise PermanentError(f"The text is too long for Facebook (maximum {MAX_CHARACTERS} characters).")
        if len(request.media) > MAX_PHOTOS:
            raise PermanentError(f"Parvis publishes at most {MAX_PHOTOS} photos in one Facebook post.")
        photos = [_photo(media) for media in request.media]
        try:
            if not photos:
                data: dict[str, Any] = {"message": request.text}
                if request.link_url:
                    data["link"] = request.link_url
                answer = client.post(f"{page_id}/feed", data)
                post_id = _id(answer, "post")
            elif len(photos) == 1:
                name, content, mime, alt = photos[0]
                data = {"message": request.text}
                if alt:
                    data["alt_text_custom"] = alt
                answer = client.post(f"{page_id}/photos", data, files={"source": (name, content, mime)})
                post_id = str(answer.get("post_id") or "") or _id(answer, "photo")
            else:
                attached: dict[str, Any] = {"message": request.text}
                for index, (name, content, mime, alt) in enumerate(photos):
                    upload: dict[str, Any] = {"published": "false"}
                    if alt:
                        upload["alt_text_custom"] = alt
                    try:
                        uploaded = client.post(f"{page_id}/photos", upload, files={"source": (name, content, mime)})
                    except OutcomeUnknown as error:
                        # An unpublished photo left behind is invisible; nothing was posted yet.
                        raise TransientError(error.message) from error
                    attached[f"attached_media[{index}]"] = json.dumps({"media_fbid": _id(uploaded, "photo")})
                answer = client.post(f"{page_id}/feed", attached)
                post_id = _id(answer, "post")
        except OutcomeUnknown:
            found = self._settle(client, account, request, started)
            if found is not None:
                return found
            raise
        return ActionResult(external_id=post_id, url=post_url(post_id), data={"page_id": page_id})

    def _comment(
        self, client: GraphClient, account: AccountRef, request: ActionRequest, started: datetime
    ) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This comment does not say which post it answers.")
        if is_messenger(request):
            return self._answer_message(client, account, request)
        if not request.text.strip() and not request.media:
            raise PermanentError("The comment is empty.")
        if len(request.media) > 1:
            raise PermanentError("A Facebook comment carries at most one photo.")
        data: dict[str, Any] = {"message": request.text}
        files = None
        if request.media:
            name, content, mime, _alt = _photo(request.media[0])
            files = {"source": (name, content, mime)}
        try:
            answer = client.post(f"{request.in_reply_to_id}/comments", data, files=files)
        except OutcomeUnknown:
            found = self._settle(client, account, request, started)
            if found is not None:
                return found
            raise
        comment_id = _id(answer, "comment")
        return ActionResult(external_id=comment_id, url=self._permalink(client, comment_id))

    def _hide(self, client: GraphClient, request: ActionRequest, *, hidden: bool) -> ActionResult:
        """POST /{comment-id} is_hidden=true|false: the comment stays visible to its author and friends only."""
        if not request.target_id:
            raise PermanentError("This does not say which comment to hide.")
        answer = client.post(request.target_id, {"is_hidden": "true" if hidden else "false"})
        if answer.get("success") is False:
            raise PermanentError("Facebook did not change this comment's visibility.")
        return ActionResult(external_id=request.target_id, data={"hidden": hidden})

    def _block(self, client: GraphClient, account: AccountRef, request: ActionRequest, *, block: bool) -> ActionResult:
        """POST /{page-id}/blocked user=<id> (answers {"<id>": true}); DELETE the same to unblock."""
        if not request.target_id:
            raise PermanentError("This does not say whom to block.")
        page_id = page_id_of(account)
        if block:
            answer = client.post(f"{page_id}/blocked", {"user": request.target_id})
            if answer.get(request.target_id) is False:
                raise PermanentError("Facebook did not block this person.")
        else:
            client.delete(f"{page_id}/blocked", {"user": request.target_id})
        return ActionResult(external_id=request.target_id, data={"blocked": block})

    def _send_direct(self, client: GraphClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        """A Messenger message to a person (their page-scoped id), inside the 24-hour window."""
        if not request.target_id:
            raise PermanentError("This message does not say whom it is for.")
        return self._send_message(client, account, request.target_id, request.text)

    def _answer_message(self, client: GraphClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        """Answer a Messenger message: read who sent it and when, then the Send API."""
        found = client.get(request.in_reply_to_id, {"fields": "id,created_time,from"})
        message = FacebookMessage.from_api(found)
        page_id = page_id_of(account)
        if message.author is None or not message.author.id or message.author.id == page_id:
            raise PermanentError("Parvis cannot tell who sent this Messenger message, so it cannot answer it.")
        if message.created_time is not None and datetime.now(UTC) - message.created_time > MESSAGING_WINDOW:
            raise PermanentError(
                "Facebook only lets a Page answer a private message within 24 hours of the person's last "
                "message, and this one is older. Answer their latest message, or answer in the Facebook app."
            )
        return self._send_message(client, account, message.author.id, request.text)

    def _send_message(self, client: GraphClient, account: AccountRef, recipient: str, text: str) -> ActionResult:
        if not text.strip():
            raise PermanentError("The message is empty.")
        if len(text) > MAX_MESSAGE_CHARACTERS:
            raise PermanentError(f"Messenger messages hold at most {MAX_MESSAGE_CHARACTERS} characters.")
        page_id = page_id_of(account)
        answer = client.post(
            f"{page_id}/messages",
            {
                "recipient": json.dumps({"id": recipient}),
                "messaging_type": "RESPONSE",
                "message": json.dumps({"text": text}),
            },
        )
        message_id = str(answer.get("message_id") or "")
        if not message_id:
            raise PayloadError("no message_id for the message sent")
        return ActionResult(external_id=message_id, data={"recipient_id": str(answer.get("recipient_id") or "")})

    def _like(self, client: GraphClient, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This like does not say which post it is for.")
        client.post(f"{request.target_id}/likes")
        return ActionResult(external_id=request.target_id)

    def _delete(self, client: GraphClient, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This deletion does not say which post to delete.")
        try:
            client.delete(request.target_id)
        except PermanentError:
            # Deleting is done when the object is gone: a retry after a lost answer finds nothing.
            if self._exists(client, request.target_id):
                raise
            return ActionResult(external_id=request.target_id, data={"already_gone": True})
        return ActionResult(external_id=request.target_id)

    def _exists(self, client: GraphClient, object_id: str) -> bool:
        try:
            client.get(object_id, {"fields": "id"})
        except PermanentError:
            return False
        return True

    def _permalink(self, client: GraphClient, object_id: str) -> str:
        """Best effort: the write succeeded, so a failure here must not fail the action."""
        try:
            answer = client.get(object_id, {"fields": "permalink_url"})
        except Exception:
            logger.warning("reading the permalink of %s failed", object_id, exc_info=True)
            return ""
        return str(answer.get("permalink_url") or "")

    def _settle(
        self, client: GraphClient, account: AccountRef, request: ActionRequest, started: datetime
    ) -> ActionResult | None:
        """After a write whose answer was lost: is it on Facebook? Read back before anyone retries."""
        try:
            return self._locate(client, account, request, since=started)
        except Exception:
            logger.warning("read-back after a lost answer failed for %s", request.idempotency_key, exc_info=True)
            return None

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
        page_id = page_id_of(account)
        if request.kind in {ActionKind.REPLY, ActionKind.SEND_DIRECT} and (
            request.kind == ActionKind.SEND_DIRECT or is_messenger(request)
        ):
            raise PermanentError("Parvis cannot read back Messenger messages it sent.")
        if external_id:
            try:
                found = client.get(external_id, {"fields": POST_FIELDS})
            except PermanentError:
                return None
            return ActionResult(
                external_id=str(found.get("id") or external_id),
                url=str(found.get("permalink_url") or post_url(external_id)),
                data={"message": str(found.get("message") or "")},
            )
        after = since - LOCATE_SLACK if since is not None else None
        if request.kind == ActionKind.PUBLISH:
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": 25}
            if after is not None:
                params["since"] = int(after.timestamp())
            for page in client.pages(f"{page_id}/posts", params, max_pages=LOCATE_PAGES):
                for raw in page:
                    post = FacebookPost.from_api(raw)
                    if _recent(post.created_time, after) and same_text(post.message, request.text):
                        return ActionResult(
                            external_id=post.id, url=post.permalink_url or post_url(post.id), data={"located": True}
                        )
            return None
        if request.kind == ActionKind.REPLY and request.in_reply_to_id:
            params = {
                "filter": "stream",
                "order": "reverse_chronological",
                "fields": COMMENT_FIELDS,
                "limit": COMMENTS_PER_PAGE,
            }
            for page in client.pages(f"{request.in_reply_to_id}/comments", params, max_pages=LOCATE_PAGES):
                for raw in page:
                    comment = FacebookComment.from_api(raw)
                    mine = comment.author is not None and comment.author.id == page_id
                    if mine and _recent(comment.created_time, after) and same_text(comment.message, request.text):
                        return ActionResult(external_id=comment.id, url=comment.permalink_url, data={"located": True})
            return None
        raise PermanentError(f"Parvis cannot look for a “{request.kind}” on Facebook.")


# --- helpers ------------------------------------------------------------------------------------


def client_for(account: AccountRef) -> GraphClient:
    return graph_client_for(account, service=SERVICE, what="This Facebook Page")


def page_id_of(account: AccountRef) -> str:
    page_id = account.external_id or str(account.credentials.get("page_id") or "")
    if not page_id:
        raise PermanentError("Parvis does not know which Facebook Page this account is. Connect it again.")
    return page_id


def post_url(post_id: str) -> str:
    """Facebook opens a post from its id ("<page id>_<post id>")."""
    return f"https://www.facebook.com/{post_id}"


def _recent(created: datetime | None, after: datetime | None) -> bool:
    return after is None or (created is not None and created >= after)


def _id(answer: dict[str, Any], what: str) -> str:
    value = str(answer.get("id") or "")
    if not value:
        raise PayloadError(f"no id for the {what}")
    return value


def _photo(media: MediaFile) -> tuple[str, bytes, str, str]:
    """(file name, content, type, alt text) of a photo to upload, checked against Facebook's limits."""
    if media.mime_type and media.mime_type not in PHOTO_TYPES:
        raise PermanentError(f"Facebook does not accept files of type {media.mime_type} as photos.")
    if len(media.alt_text) > ALT_TEXT_MAX:
        raise PermanentError(f"The image description is too long for Facebook (maximum {ALT_TEXT_MAX}).")
    path = Path(media.path)
    try:
        size = path.stat().st_size
        if size > MAX_PHOTO_BYTES:
            raise PermanentError(f"This photo is too large for Facebook ({size // 1024} KB, maximum 4 MB).")
        content = path.read_bytes()
    except OSError as error:
        raise PermanentError(f"A file to upload could not be read: {path.name}") from error
    return path.name, content, media.mime_type or "application/octet-stream", media.alt_text


def _cursor_time(cursor: dict[str, Any], key: str) -> datetime | None:
    try:
        return parse_time(cursor.get(key))
    except PayloadError:
        return None


def _oldest(comments: list[FacebookComment]) -> datetime:
    times = [comment.created_time for comment in comments if comment.created_time is not None]
    return min(times) if times else datetime.min.replace(tzinfo=UTC)


def is_messenger(request: ActionRequest) -> bool:
    """A REPLY answering a Messenger message (ids "m_..."; the inbox also says "direct")."""
    return request.visibility == "direct" or request.in_reply_to_id.startswith("m_")


def _oldest_message(messages: list[FacebookMessage]) -> datetime:
    times = [message.created_time for message in messages if message.created_time is not None]
    return min(times) if times else datetime.min.replace(tzinfo=UTC)


def _message_event(message: FacebookMessage, conversation: FacebookConversation) -> NetworkEvent:
    return NetworkEvent(
        kind=EventKind.DIRECT_MESSAGE,
        external_id=message.id,
        occurred_at=message.created_time or datetime.now(UTC),
        author=_author(message.author),
        text=message.text,
        url=f"https://www.facebook.com{conversation.link}" if conversation.link.startswith("/") else conversation.link,
        thread_key=f"{MESSENGER_THREAD}{conversation.id}",
        visibility="direct",
        raw={"conversation_id": conversation.id, "attachments": message.attachments},
    )


def _author(person: FacebookFrom | None) -> Author | None:
    if person is None or not person.id:
        return None
    return Author(external_id=person.id, handle=person.name or person.id, display_name=person.name)


def _comment_event(comment: FacebookComment, post: FacebookPost) -> NetworkEvent:
    return NetworkEvent(
        kind=EventKind.REPLY,
        external_id=comment.id,
        occurred_at=comment.created_time or datetime.now(UTC),
        author=_author(comment.author),
        text=comment.message,
        url=comment.permalink_url,
        in_reply_to_id=comment.parent_id or post.id,
        thread_key=post.id,
        raw={"post_id": post.id},
    )


__all__ = ["FacebookConnector", "client_for", "page_id_of", "post_url"]
