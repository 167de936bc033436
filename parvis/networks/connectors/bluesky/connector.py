"""Bluesky (AT Protocol): notifications in, posts out, through the atproto SDK on Parvis's HTTP session.

Connecting: a handle (or DID, or e-mail) and an app password, on the account's service
(https://bsky.social by default, or a self-hosted PDS). Parvis keeps the session (refresh
token), not the password, and stores each refreshed session at once (`client.py`).

Capabilities and quirks:
- 300 graphemes and 3000 UTF-8 bytes a post; links count as written (there is no link
  shortener on Bluesky, but apps may show long links shortened: Parvis writes them whole).
- Mentions, links and hashtags become rich-text facets (UTF-8 byte offsets); a mentioned
  handle is resolved to its DID, and one that does not resolve stays plain text.
- Up to 4 images a post (JPEG, PNG, WebP, at most 1,000,000 bytes each, the size every PDS
  accepts; newer ones take 2 MB), each with alt text (up to 2000 graphemes, as the Bluesky app
  allows) and its aspect ratio. `link_url` without images adds a link card (title and
  description read from the page; the card is left out when the page cannot be read).
- Threads: each post answers the previous one with strong references (URI + CID) to its
  parent and to the thread's root, read from the parent record itself.
- Publish, reply, quote, repost, like, delete. Every record Parvis creates gets a record key
  derived from the action's idempotency key (`richtext.record_key`): a second attempt names
  the same record; the PDS refuses to create it again (it answers 500), Parvis then reads the
  record back and reports the first one. So publishing is idempotent, and `locate` finds the
  record of an action exactly, without comparing texts.
- External ids are at:// URIs; URLs are bsky.app pages.
- Moderation (`moderation.py`): hide / unhide a reply with the thread's threadgate
  (`hiddenReplies`), follow, block, unblock, mute, unmute a person, report a post to the
  moderation service. Private messages (chat.bsky.convo) are not supported: they go through
  Bluesky's chat service, which has no reference implementation to test against.
- Reading: app.bsky.notification.listNotifications (newest first, paged backwards) down to
  the stored cursor, then delivered oldest first. The first read of a new account backfills
  BACKFILL_DAYS days, at most BACKFILL_MAX_ITEMS notifications. Mentions, replies and quotes carry their
  text; likes, reposts and follows are events without text. Search uses
  app.bsky.feed.searchPosts (hashtags or words, newest first, paged the same way).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol, TypeVar

from parvis.networks.connectors.bluesky.client import DEFAULT_SERVICE, BlueskyClient
from parvis.networks.connectors.bluesky.moderation import MODERATION_KINDS, execute_moderation
from parvis.networks.connectors.bluesky.richtext import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    build_facets,
    count_graphemes,
    expand_links,
    record_key,
    utf8_length,
)
from parvis.networks.connectors.bluesky.schemas import (
    AtUri,
    BlueskyProfile,
    Notification,
    PayloadError,
    PostRecord,
    PostView,
    RecordView,
    StrongRef,
    objects,
    parse_datetime,
    post_web_url,
)
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, TransientError
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

POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"

CURSOR_KEY = "notifications_seen_at"
CURSOR_URIS_KEY = "notifications_seen_uris"
SEARCH_CURSOR_KEY = "search_seen_at"
SEARCH_URIS_KEY = "search_seen_uris"
# Bluesky serves up to 100 notifications or search results a page.
PAGE_SIZE = 100
# A poll reads at most this many pages back to the cursor.
MAX_PAGES = 10
# Read before anything was ever seen: everything after this is new.
BEGINNING = "1970-01-01T00:00:00.000Z"
# The first read of a new account pages back this far (whichever limit comes first).
BACKFILL_DAYS = 14
BACKFILL_MAX_ITEMS = 800

# Notification reasons routed into Parvis, and what they become.
EVENT_FOR_REASON: dict[str, EventKind] = {
    "mention": EventKind.MENTION,
    "reply": EventKind.REPLY,
    "quote": EventKind.MENTION,  # a post about one of ours: it reads like a mention
    "follow": EventKind.FOLLOW,
    "like": EventKind.FAVOURITE,
    "repost": EventKind.REBLOG,
}
# Reasons deliberately not read; anything else is new to Parvis and logged once per poll.
IGNORED_REASONS: frozenset[str] = frozenset(
    {
        "starterpack-joined",
        "verified",
        "unverified",
        "like-via-repost",
        "repost-via-repost",
        "subscribed-post",
        "contact-match",
    }
)

# The collection each kind of action writes to.
COLLECTION_FOR_KIND: dict[ActionKind, str] = {
    ActionKind.PUBLISH: POST,
    ActionKind.REPLY: POST,
    ActionKind.QUOTE: POST,
    ActionKind.FAVOURITE: LIKE,
    ActionKind.REPOST: REPOST,
}

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_IMAGE_BYTES = 1_000_000
ALT_TEXT_MAX = 2000
# Link cards: how much of the page Parvis reads for its title, description and image.
CARD_PAGE_MAX_BYTES = 1_000_000
CARD_TIMEOUT = 5.0


@dataclass(frozen=True)
class _Created:
    uri: str
    cid: str


class BlueskyConnector:
    network: ClassVar[str] = "bluesky"
    display_name: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_GRAPHEMES,
        link_length=None,
        max_media=4,
        media_types=IMAGE_TYPES,
        max_media_bytes=MAX_IMAGE_BYTES,
        alt_text_max=ALT_TEXT_MAX,
        threads=True,
        actions=frozenset(
            {
                ActionKind.PUBLISH,
                ActionKind.REPLY,
                ActionKind.FAVOURITE,
                ActionKind.REPOST,
                ActionKind.QUOTE,
                ActionKind.DELETE,
                ActionKind.HIDE,
                ActionKind.UNHIDE,
                ActionKind.FOLLOW,
                ActionKind.BLOCK,
                ActionKind.UNBLOCK,
                ActionKind.MUTE,
                ActionKind.UNMUTE,
                ActionKind.REPORT,
            }
        ),
        event_kinds=frozenset(
            {EventKind.MENTION, EventKind.REPLY, EventKind.FOLLOW, EventKind.FAVOURITE, EventKind.REBLOG}
        ),
        direct_messages=False,
        poll_interval_seconds=30,
        oauth=False,
        token_paste=True,  # a handle and an app password, typed in the onboarding form
        reply_mentions_author=False,  # a reply notifies the author of the post it answers
        counting="graphemes",
        hashtags=True,
        mention_prefix="@",
        idempotent_publish=True,
        read_back=True,
        search=True,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        with _client(account) as client, client.translate_errors():
            profile = self._profile(client, client.did)
        return Profile(
            external_id=profile.did,
            handle=f"@{profile.handle}",
            display_name=profile.display_name or profile.handle,
            url=profile.url,
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Notifications since `cursor`, oldest first.

        1. Without a cursor (a new account), backfill: read pages back BACKFILL_DAYS days, at most
           BACKFILL_MAX_ITEMS notifications.
        2. With one, read pages newest first until a notification older than the cursor, at most
           MAX_PAGES pages (beyond that, the oldest unread ones are skipped, with a warning).
        3. Map each through EVENT_FOR_REASON. The new cursor is the newest indexedAt seen and the
           URIs seen at that instant (several notifications can share it).
        """
        with _client(account) as client, client.translate_errors():
            items, new_cursor = _read_newest_first(
                lambda page_cursor: _notifications_page(client, page_cursor),
                cursor,
                key=CURSOR_KEY,
                uris_key=CURSOR_URIS_KEY,
                backfill=(BACKFILL_DAYS, BACKFILL_MAX_ITEMS),
            )
        events = [event for item in items if (event := event_for(item)) is not None]
        return FetchResult(events=events, cursor=new_cursor)

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        """Public posts matching `query` ("#tag" or words) through app.bsky.feed.searchPosts, oldest first.

        Walked like the notifications: newest first back to the cursor (the newest indexedAt seen).
        """
        words = query.strip()
        if not words:
            return FetchResult(events=[], cursor=dict(cursor))
        with _client(account) as client, client.translate_errors():
            posts, new_cursor = _read_newest_first(
                lambda page_cursor: _search_page(client, words, page_cursor, cursor.get(SEARCH_CURSOR_KEY)),
                cursor,
                key=SEARCH_CURSOR_KEY,
                uris_key=SEARCH_URIS_KEY,
            )
        return FetchResult(events=[_search_event(post) for post in posts], cursor=new_cursor)

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with _client(account) as client, client.translate_errors():
            if request.kind in {ActionKind.PUBLISH, ActionKind.REPLY, ActionKind.QUOTE}:
                return self._post(client, account, request)
            if request.kind in {ActionKind.FAVOURITE, ActionKind.REPOST}:
                return self._subject_record(client, account, request)
            if request.kind == ActionKind.DELETE:
                return self._delete(client, request)
            if request.kind in MODERATION_KINDS:
                return execute_moderation(client, request)
        raise PermanentError(f"Bluesky cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        """Bluesky's count: grapheme clusters."""
        return count_graphemes(text)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """The record as the account's PDS has it, or None.

        By `external_id` (an at:// URI); otherwise the record the action would have created: its
        key comes from the idempotency key, so no text comparison is needed and `since` is unused.
        """
        collection = COLLECTION_FOR_KIND.get(request.kind)
        with _client(account) as client, client.translate_errors():
            if external_id:
                try:
                    uri = AtUri.parse(external_id)
                except PayloadError:
                    return None
            elif collection is not None:
                uri = AtUri(client.did, collection, record_key(request.idempotency_key))
            else:
                return None  # a deletion leaves nothing to find
            found = _get_record(client, uri)
        if found is None:
            return None
        return ActionResult(external_id=found.uri, url=_record_url(found, account), data={"cid": found.cid})

    # --- writing --------------------------------------------------------------------------------

    def _post(self, client: BlueskyClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        text = request.text
        quoted: StrongRef | None = None
        if request.kind == ActionKind.QUOTE:
            if not request.target_id:
                raise PermanentError("This quote does not say which post it quotes.")
            quoted = _required_record(client, request.target_id, "The post to quote").ref
        if request.kind == ActionKind.REPLY and not request.in_reply_to_id:
            raise PermanentError("This reply does not say which post it answers.")
        if not text.strip() and not request.media and quoted is None:
            raise PermanentError("There is nothing to publish: the text is empty and there is no image.")
        _check_text(text)
        if len(request.media) > self.capabilities.max_media:
            raise PermanentError(f"Bluesky accepts at most {self.capabilities.max_media} images per post.")
        for media in request.media:
            _check_media(media)
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _now()}
        facets = build_facets(text, lambda handle: _resolve_handle(client, handle))
        if facets:
            record["facets"] = facets
        if request.in_reply_to_id:  # a reply, or the next post of a thread
            record["reply"] = _reply_refs(client, request.in_reply_to_id)
        images = _images_embed(client, request.media) if request.media else None
        if quoted is not None:
            quote = {"$type": "app.bsky.embed.record", "record": quoted.as_json()}
            record["embed"] = (
                {"$type": "app.bsky.embed.recordWithMedia", "record": quote, "media": images} if images else quote
            )
        elif images is not None:
            record["embed"] = images
        elif request.link_url:
            record["embed"] = _link_card(client, request.link_url)
        created = _create_record(client, POST, record_key(request.idempotency_key), record)
        return ActionResult(
            external_id=created.uri, url=post_web_url(created.uri, _bare(account.handle)), data={"cid": created.cid}
        )

    def _subject_record(self, client: BlueskyClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        what = "like" if request.kind == ActionKind.FAVOURITE else "repost"
        if not request.target_id:
            raise PermanentError(f"This {what} does not say which post it is for.")
        subject = _required_record(client, request.target_id, "This post").ref
        collection = LIKE if request.kind == ActionKind.FAVOURITE else REPOST
        record = {"$type": collection, "subject": subject.as_json(), "createdAt": _now()}
        created = _create_record(client, collection, record_key(request.idempotency_key), record)
        return ActionResult(external_id=created.uri, url=post_web_url(subject.uri), data={"cid": created.cid})

    def _delete(self, client: BlueskyClient, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This deletion does not say which post to delete.")
        try:
            uri = AtUri.parse(request.target_id)
        except PayloadError as error:
            raise PermanentError(f"“{request.target_id}” is not a Bluesky post.") from error
        if uri.repo != client.did:
            raise PermanentError("This post belongs to another account: Bluesky lets Parvis delete only its own.")
        client.procedure(
            "com.atproto.repo.deleteRecord", {"repo": uri.repo, "collection": uri.collection, "rkey": uri.rkey}
        )
        return ActionResult(external_id=str(uri))

    def _profile(self, client: BlueskyClient, actor: str) -> BlueskyProfile:
        # Through the account's PDS, which asks its AppView: the profile Bluesky's apps show.
        return BlueskyProfile.from_api(client.query("app.bsky.actor.getProfile", {"actor": actor}))


# --- reading ----------------------------------------------------------------------------------------


def _notifications_page(client: BlueskyClient, page_cursor: str | None) -> tuple[list[Notification], str | None]:
    answer = client.query("app.bsky.notification.listNotifications", {"limit": PAGE_SIZE, "cursor": page_cursor})
    items = [Notification.from_api(item) for item in objects(answer, "notifications", "listNotifications")]
    next_cursor = answer.get("cursor")
    return items, next_cursor if isinstance(next_cursor, str) and next_cursor else None


def _search_page(
    client: BlueskyClient, words: str, page_cursor: str | None, since: Any
) -> tuple[list[PostView], str | None]:
    params: dict[str, Any] = {"q": words, "sort": "latest", "limit": PAGE_SIZE, "cursor": page_cursor}
    if isinstance(since, str) and since and since != BEGINNING:
        params["since"] = since
    answer = client.query("app.bsky.feed.searchPosts", params)
    items = [PostView.from_api(item) for item in objects(answer, "posts", "searchPosts")]
    next_cursor = answer.get("cursor")
    return items, next_cursor if isinstance(next_cursor, str) and next_cursor else None


class _Indexed(Protocol):
    @property
    def uri(self) -> str: ...
    @property
    def indexed_at(self) -> datetime | None: ...
    @property
    def indexed_at_raw(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_Indexed)


def _read_newest_first(
    read_page: Callable[[str | None], tuple[list[ItemT], str | None]],
    cursor: dict[str, Any],
    *,
    key: str,
    uris_key: str,
    backfill: tuple[int, int] | None = None,
) -> tuple[list[ItemT], dict[str, Any]]:
    """Items newer than the cursor from pages served newest first, oldest first, and the next cursor.

    The cursor holds the newest `indexedAt` seen and the URIs seen at that very instant (several
    items can share it); `read_page(page_cursor)` returns a page and the cursor of the next one.
    Without a cursor, only the newest page is read, unless `backfill` = (days, items): then pages
    are read back that many days, keeping at most that many items (the newest).
    """
    seen_raw = cursor.get(key)
    seen_at = parse_datetime(seen_raw)
    seen_uris = set(cursor.get(uris_key) or [])
    floor: datetime | None = None
    limit = 0
    if seen_at is None and backfill is not None:
        floor = datetime.now(UTC) - timedelta(days=backfill[0])
        limit = backfill[1]
    found: dict[str, ItemT] = {}
    page_cursor: str | None = None
    reached = False
    newest_seen: ItemT | None = None
    for page_number in range(MAX_PAGES if floor is None else max(MAX_PAGES, -(-limit // PAGE_SIZE) + 1)):
        items, page_cursor = read_page(page_cursor)
        for item in items:
            when = item.indexed_at
            if newest_seen is None or (when is not None and (newest_seen.indexed_at or when) < when):
                newest_seen = item
            if seen_at is not None and when is not None:
                if when < seen_at:
                    reached = True
                    continue
                if when == seen_at and item.uri in seen_uris:
                    continue
            if floor is not None and (when is None or when < floor or len(found) >= limit):
                reached = True
                continue
            found.setdefault(item.uri, item)
        if floor is not None:
            if reached or page_cursor is None or not items:
                break
            continue
        if seen_at is None or reached or page_cursor is None or not items:
            break
        if page_number == MAX_PAGES - 1:
            logger.warning("Bluesky: more than %s pages since the last read; the oldest ones are skipped", MAX_PAGES)
    ordered = sorted(found.values(), key=lambda item: (item.indexed_at or datetime.min.replace(tzinfo=UTC), item.uri))
    if not ordered and floor is not None and newest_seen is not None:
        # Everything was older than the backfill window: start after the newest one anyway.
        return [], {**cursor, key: newest_seen.indexed_at_raw, uris_key: [newest_seen.uri]}
    if not ordered:
        return [], {**cursor, key: seen_raw or BEGINNING, uris_key: sorted(seen_uris)}
    newest = ordered[-1]
    same_instant = [item.uri for item in ordered if item.indexed_at == newest.indexed_at]
    if seen_at is not None and newest.indexed_at == seen_at:
        same_instant = sorted(seen_uris | set(same_instant))
    return ordered, {**cursor, key: newest.indexed_at_raw, uris_key: sorted(same_instant)}


def event_for(notification: Notification) -> NetworkEvent | None:
    """The event a notification becomes (None for the ignored ones)."""
    kind = EVENT_FOR_REASON.get(notification.reason)
    if kind is None:
        if notification.reason not in IGNORED_REASONS:
            logger.warning("Bluesky notification reason %r is not handled; skipped", notification.reason)
        return None
    author = _author(notification.author)
    occurred_at = notification.indexed_at or datetime.now(UTC)
    raw = {"reason": notification.reason, "uri": notification.uri}
    if kind == EventKind.FOLLOW:
        return NetworkEvent(
            kind=kind,
            external_id=f"follow:{notification.uri}",
            occurred_at=occurred_at,
            author=author,
            url=author.url,
            raw=raw,
        )
    if kind in {EventKind.FAVOURITE, EventKind.REBLOG}:
        subject = notification.reason_subject
        return NetworkEvent(
            kind=kind,
            external_id=f"{notification.reason}:{notification.uri}",
            occurred_at=occurred_at,
            author=author,
            url=post_web_url(subject),
            in_reply_to_id=subject,
            raw=raw,
        )
    try:
        post = PostRecord.from_api(notification.record)
    except PayloadError:
        logger.warning("Bluesky notification %s carries a post Parvis cannot read; skipped", notification.uri)
        return None
    return NetworkEvent(
        kind=kind,
        external_id=notification.uri,
        occurred_at=_post_time(post, notification.indexed_at),
        author=author,
        text=expand_links(post.text, post.facets),
        url=post_web_url(notification.uri, notification.author.handle),
        in_reply_to_id=post.reply_parent.uri if post.reply_parent else "",
        thread_key=post.reply_root.uri if post.reply_root else notification.uri,
        visibility="public",
        raw=raw,
    )


def _search_event(post: PostView) -> NetworkEvent:
    """A public post found by a search, as an event (it is about the subject searched: kind MENTION)."""
    record = post.record
    return NetworkEvent(
        kind=EventKind.MENTION,
        external_id=post.uri,
        occurred_at=_post_time(record, post.indexed_at),
        author=_author(post.author),
        text=expand_links(record.text, record.facets),
        url=post_web_url(post.uri, post.author.handle),
        in_reply_to_id=record.reply_parent.uri if record.reply_parent else "",
        thread_key=record.reply_root.uri if record.reply_root else post.uri,
        visibility="public",
        raw={"source": "search", "uri": post.uri},
    )


def _post_time(record: PostRecord, indexed_at: datetime | None) -> datetime:
    """When a post was written: its createdAt, unless that is later than when the AppView saw it."""
    candidates = [moment for moment in (record.created_at, indexed_at) if moment is not None]
    return min(candidates) if candidates else datetime.now(UTC)


def _author(profile: BlueskyProfile) -> Author:
    return Author(
        external_id=profile.did,  # a DID never changes, whichever of the organisation's accounts saw the person
        handle=f"@{profile.handle}",
        display_name=profile.display_name or profile.handle,
        url=profile.url,
        avatar_url=profile.avatar,
        is_bot=profile.is_bot,
    )


# --- writing helpers -----------------------------------------------------------------------------------


def _client(account: AccountRef) -> BlueskyClient:
    credentials = account.credentials
    if not credentials.get("refresh_jwt") and not (credentials.get("identifier") and credentials.get("app_password")):
        raise AuthExpired("This Bluesky account has no session: reconnect it.")
    client = BlueskyClient(
        account.instance_url or DEFAULT_SERVICE, credentials=credentials, save_credentials=account.save_credentials
    )
    if not client.has_session:
        try:
            client.login(str(credentials["identifier"]), str(credentials["app_password"]))
        except ConnectorError:
            client.close()
            raise
    return client


def _bare(handle: str) -> str:
    return handle.strip().lstrip("@")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_text(text: str) -> None:
    graphemes = count_graphemes(text)
    if graphemes > MAX_GRAPHEMES:
        raise PermanentError(f"This post is {graphemes} characters long; Bluesky accepts {MAX_GRAPHEMES}.")
    if utf8_length(text) > MAX_BYTES:
        raise PermanentError(
            f"This post is too long for Bluesky once encoded (more than {MAX_BYTES} bytes): shorten it, "
            "or use fewer emoji."
        )


def _mime_type(media: MediaFile) -> str:
    return media.mime_type or (mimetypes.guess_type(media.path)[0] or "")


def _check_media(media: MediaFile) -> None:
    mime = _mime_type(media)
    if mime not in IMAGE_TYPES:
        raise PermanentError(f"Bluesky does not accept files of type {mime or 'unknown'} from Parvis.")
    if count_graphemes(media.alt_text) > ALT_TEXT_MAX:
        raise PermanentError(f"The image description is too long for Bluesky (maximum {ALT_TEXT_MAX} characters).")


def _read_image(media: MediaFile) -> bytes:
    try:
        with open(media.path, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as error:
        raise PermanentError(f"A file to upload could not be read: {error.strerror or error}") from error
    if len(data) > MAX_IMAGE_BYTES:
        raise PermanentError(
            f"An image is larger than Bluesky accepts ({MAX_IMAGE_BYTES:,} bytes at most): make it smaller."
        )
    return data


def _aspect_ratio(path: str) -> dict[str, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return {"width": width, "height": height} if width > 0 and height > 0 else None


def _images_embed(client: BlueskyClient, media: tuple[MediaFile, ...]) -> dict[str, Any]:
    images: list[dict[str, Any]] = []
    for item in media:
        blob = client.upload(_read_image(item), _mime_type(item))
        image: dict[str, Any] = {"image": blob, "alt": item.alt_text}
        ratio = _aspect_ratio(item.path)
        if ratio is not None:
            image["aspectRatio"] = ratio
        images.append(image)
    return {"$type": "app.bsky.embed.images", "images": images}


def _resolve_handle(client: BlueskyClient, handle: str) -> str | None:
    try:
        answer = client.query("com.atproto.identity.resolveHandle", {"handle": handle})
    except PermanentError:  # the handle does not resolve: the mention stays plain text
        return None
    did = answer.get("did")
    return did if isinstance(did, str) and did.startswith("did:") else None


def _get_record(client: BlueskyClient, uri: AtUri) -> RecordView | None:
    """A record by URI (from the account's PDS, or its AppView for other repositories); None if missing."""
    found = client.get_record(uri.repo, uri.collection, uri.rkey)
    return RecordView.from_api(found) if found is not None else None


def _required_record(client: BlueskyClient, target: str, what: str) -> RecordView:
    try:
        uri = AtUri.parse(target)
    except PayloadError as error:
        raise PermanentError(f"{what} is not a Bluesky post (“{target}”).") from error
    found = _get_record(client, uri)
    if found is None:
        raise PermanentError(f"{what} no longer exists on Bluesky, or this account cannot see it.")
    return found


def _reply_refs(client: BlueskyClient, parent_uri: str) -> dict[str, Any]:
    """The reply's strong references: the parent, and the root its own record names (itself if none)."""
    parent = _required_record(client, parent_uri, "The post to answer")
    try:
        parent_post = PostRecord.from_api(parent.value)
    except PayloadError as error:
        raise PermanentError("The post to answer is not a post Parvis can answer.") from error
    root = parent_post.reply_root or parent.ref
    return {"root": root.as_json(), "parent": parent.ref.as_json()}


def _create_record(client: BlueskyClient, collection: str, rkey: str, record: dict[str, Any]) -> _Created:
    """Create the record under its key; if that fails because it is already there, the existing one.

    A PDS refuses a second record under the same key (with a 500, not a clear error): a retry
    after an answer lost on the way back ends here, and reads the record back instead.
    """
    did = client.did
    try:
        answer = client.procedure(
            "com.atproto.repo.createRecord", {"repo": did, "collection": collection, "rkey": rkey, "record": record}
        )
    except (TransientError, PermanentError) as error:
        try:
            existing = _get_record(client, AtUri(did, collection, rkey))
        except ConnectorError:
            existing = None
        if existing is not None:
            logger.info("Bluesky record %s was already there: the earlier attempt went through", existing.uri)
            return _Created(uri=existing.uri, cid=existing.cid)
        raise error
    uri, cid = answer.get("uri"), answer.get("cid")
    if not isinstance(uri, str) or not isinstance(cid, str):
        raise TransientError("Bluesky did not say which post it created; Parvis will check and try again.")
    return _Created(uri=uri, cid=cid)


def _record_url(found: RecordView, account: AccountRef) -> str:
    uri = AtUri.parse(found.uri)
    if uri.collection == POST:
        return post_web_url(found.uri, _bare(account.handle))
    subject = found.value.get("subject")
    if isinstance(subject, dict) and isinstance(subject.get("uri"), str):
        return post_web_url(subject["uri"])
    return ""


# --- link cards ------------------------------------------------------------------------------------------


def _link_card(client: BlueskyClient, url: str) -> dict[str, Any]:
    """An app.bsky.embed.external card for `url`: the page's title, description and image when it can be read.

    A page that cannot be read (refused address, error, not HTML) gives a card with the address as
    its title; a card is never a reason for a post to fail.
    """
    from parvis.networks.connectors.bluesky.cards import read_card

    card = read_card(url, max_bytes=CARD_PAGE_MAX_BYTES, timeout=CARD_TIMEOUT)
    external: dict[str, Any] = {"uri": url, "title": card.title, "description": card.description}
    if card.image is not None:
        data, mime = card.image
        try:
            external["thumb"] = client.upload(data, mime)
        except (PermanentError, TransientError) as error:
            logger.info("Bluesky link card image not uploaded: %s", error.message)
    return {"$type": "app.bsky.embed.external", "external": external}


__all__ = ["BlueskyConnector", "event_for"]
