"""Mastodon: notifications in, statuses out, through Mastodon.py on Parvis's HTTP session.

Reading: the account's notifications are the inbox. A poll walks them forward
from the stored cursor with `min_id`, page after page, so nothing is missed when
more than a page arrived since the last poll. The first poll of a new account (no
cursor) backfills: it pages back through the notifications for BACKFILL_DAYS days,
at most BACKFILL_MAX_ITEMS of them. The user stream (`streaming.py`) delivers the same
notifications as they happen; the poll stays the safety net.

Private messages (visibility "direct") are DIRECT_MESSAGE events whose thread is the set of
people in the conversation ("direct:" + their accounts), so every private message between the
same people lands in one inbox conversation.

Writing: publish (with images and their alt text), reply, favourite, delete; follow, block,
unblock, mute, unmute a person; send a private message (SEND_DIRECT); report a post to the
instance's moderators (REPORT). Mastodon has no way to hide someone's reply under one of our
posts: HIDE is not offered (see docs/networks/mastodon.md). Errors are mapped once, in `client.py`.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from parvis.networks.connectors.mastodon.client import MastodonClient, instance_host
from parvis.networks.connectors.mastodon.schemas import (
    MastodonAccount,
    MastodonMedia,
    MastodonNotification,
    MastodonStatus,
    id_sort_key,
    parse_list,
)
from parvis.networks.connectors.mastodon.streaming import MastodonStream
from parvis.networks.errors import AuthExpired, PermanentError, TransientError
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
from parvis.networks.text import html_to_text

logger = logging.getLogger(__name__)

CURSOR_KEY = "notifications_min_id"
# Mastodon serves up to 80 notifications a page, mastodon-mock 40: 40 works everywhere.
PAGE_SIZE = 40
# A poll reads at most this many pages; the cursor keeps the place and the next poll goes on.
MAX_PAGES = 10
# The first poll of a new account pages back this far (whichever limit comes first).
BACKFILL_DAYS = 14
BACKFILL_MAX_ITEMS = 800
# Prefix of the thread key of private conversations (followed by the participants' accounts).
DIRECT_THREAD_PREFIX = "direct:"
# Images are processed asynchronously by Mastodon; wait at most this long before posting.
MEDIA_PROCESSING_TIMEOUT = 30.0
MEDIA_PROCESSING_POLL = 0.5

# Notification types routed into Parvis, and what they become.
EVENT_FOR_TYPE: dict[str, EventKind] = {
    "mention": EventKind.MENTION,  # refined into REPLY or DIRECT_MESSAGE from the status
    "follow": EventKind.FOLLOW,
    "favourite": EventKind.FAVOURITE,
    "reblog": EventKind.REBLOG,
}
# Notification types deliberately not read (yet). Anything neither routed nor listed here
# is new to Parvis: it is skipped too, with a warning in the log so someone adds it to one list.
IGNORED_TYPES: frozenset[str] = frozenset(
    {
        "follow_request",  # locked accounts: accepting followers is not a Parvis feature yet
        "poll",  # a poll we voted in or created ended
        "status",  # someone we subscribed to posted
        "update",  # a status we boosted was edited
        "quote",  # someone quoted one of our posts
        "quoted_update",  # a post we quoted was edited
        "admin.sign_up",
        "admin.report",
        "severed_relationships",
        "moderation_warning",
        "annual_report",
        "pleroma:emoji_reaction",
        "emoji_reaction",
    }
)

_URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\")]}"
# Mastodon's mention syntax: @user or @user@domain, not preceded by a word character or a slash.
_MENTION_RE = re.compile(r"(?<![\w/])@(\w+(?:[\w.-]*\w)?)(@[\w.-]*\w)?", re.UNICODE)
LINK_LENGTH = 23
# A read-back without an id looks through at most this many pages of the account's own statuses.
LOCATE_MAX_PAGES = 5
# Searches keep their own cursor (the caller stores one per query and account).
SEARCH_CURSOR_KEY = "min_id"
# A query that is one hashtag reads the hashtag timeline; anything else is a full-text search.
_HASHTAG_QUERY_RE = re.compile(r"^#\w+$", re.UNICODE)


class MastodonConnector:
    network: ClassVar[str] = "mastodon"
    display_name: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=500,
        link_length=LINK_LENGTH,
        max_media=4,
        media_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        max_media_bytes=16 * 1024 * 1024,
        alt_text_max=1500,
        threads=True,
        # No HIDE / UNHIDE: Mastodon cannot hide someone's reply under our post. DELETE is our own posts only.
        actions=frozenset(
            {
                ActionKind.PUBLISH,
                ActionKind.REPLY,
                ActionKind.FAVOURITE,
                ActionKind.DELETE,
                ActionKind.FOLLOW,
                ActionKind.BLOCK,
                ActionKind.UNBLOCK,
                ActionKind.MUTE,
                ActionKind.UNMUTE,
                ActionKind.SEND_DIRECT,
                ActionKind.REPORT,
            }
        ),
        event_kinds=frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.DIRECT_MESSAGE, EventKind.FOLLOW}),
        direct_messages=True,
        poll_interval_seconds=20,
        oauth=True,
        token_paste=True,
        reply_mentions_author=True,
        search=True,
        idempotent_publish=True,  # Idempotency-Key: the server keeps the first status for a key
        read_back=True,
        streaming=True,  # the user stream: see streaming.py and parvis.networks.streaming
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        with _client(account) as client:
            me = client.call(lambda: MastodonAccount.from_api(client.api.account_verify_credentials()))
        host = client.host
        return Profile(
            external_id=me.id,
            handle=f"@{me.username}@{host}",
            display_name=me.display_name or me.username,
            url=me.url,
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Notifications since `cursor`, oldest first.

        1. Without a cursor (a new account), backfill: page back with `max_id` from the newest
           notification until BACKFILL_DAYS days back or BACKFILL_MAX_ITEMS notifications.
        2. With one, walk forward with `min_id` (each page is the one just above the cursor)
           until an empty page, at most MAX_PAGES pages; the next poll continues from there.
        3. Map each notification through EVENT_FOR_TYPE; skip IGNORED_TYPES and unknown types.
        The new cursor is the newest notification id seen; it moves past ignored ones too.
        """
        since = str(cursor.get(CURSOR_KEY) or "")
        with _client(account) as client:
            own_id = (
                account.external_id
                or client.call(lambda: MastodonAccount.from_api(client.api.account_verify_credentials())).id
            )
            notifications, newest_seen = self._read_notifications(client, since)
        events: list[NetworkEvent] = []
        for notification in notifications:
            event = event_for(notification, own_id=own_id, host=client.host)
            if event is not None:
                events.append(event)
        # With nothing at all yet, read everything above id 0 from now on, not only the newest page.
        newest = newest_seen or (notifications[-1].id if notifications else since or "0")
        return FetchResult(events=events, cursor={**cursor, CURSOR_KEY: newest})

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with _client(account) as client:
            if request.kind == ActionKind.PUBLISH:
                return self._publish(client, request)
            if request.kind == ActionKind.REPLY:
                return self._reply(client, account, request)
            if request.kind == ActionKind.FAVOURITE:
                return self._favourite(client, request)
            if request.kind == ActionKind.DELETE:
                return self._delete(client, request)
            if request.kind in _RELATIONSHIP_CALLS:
                return self._relationship(client, request)
            if request.kind == ActionKind.SEND_DIRECT:
                return self._send_direct(client, account, request)
            if request.kind == ActionKind.REPORT:
                return self._report(client, request)
        if request.kind in {ActionKind.HIDE, ActionKind.UNHIDE}:
            raise PermanentError(
                "Mastodon cannot hide a reply under a post: block or mute its author, report it, or leave it visible."
            )
        raise PermanentError(f"Mastodon cannot do “{request.kind}” from Parvis.")

    def open_stream(self, account: AccountRef) -> MastodonStream:
        """The account's user stream, open (see `streaming.py`); raises a ConnectorError when refused."""
        own_id = account.external_id
        if not own_id:
            with _client(account) as client:
                own_id = client.call(lambda: MastodonAccount.from_api(client.api.account_verify_credentials())).id
        return MastodonStream(account, own_id=own_id).open()

    def count_characters(self, text: str) -> int:
        """Mastodon's count: every link is 23 characters, @user@domain counts as @user, graphemes not code points."""
        links = _URL_RE.sub(_link_placeholder, text)
        mentions = _MENTION_RE.sub(lambda match: "@" + match.group(1), links)
        return _grapheme_count(mentions)

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        """Public posts matching `query`, oldest first, newer than `cursor` (the live wall).

        A hashtag ("#Rencontres26") reads the instance's hashtag timeline
        (GET /api/v1/timelines/tag/:hashtag): the public posts with that tag the instance
        knows, from its own users and those federated to it. Other words go to
        GET /api/v2/search (statuses), which on Mastodon finds only what its full-text search
        allows. 1. Without a cursor, read the newest page only. 2. With one, walk forward with
        `min_id` until an empty page, at most MAX_PAGES pages. The cursor is the newest id seen.
        """
        since = str(cursor.get(SEARCH_CURSOR_KEY) or "")
        words = query.strip()
        with _client(account) as client:
            if _HASHTAG_QUERY_RE.match(words):
                statuses = self._read_tag(client, words.lstrip("#"), since)
            else:
                statuses = self._search_words(client, words, since)
        events = [_search_event(status, client.host) for status in statuses]
        newest = statuses[-1].id if statuses else since or "0"
        return FetchResult(events=events, cursor={**cursor, SEARCH_CURSOR_KEY: newest})

    def _read_tag(self, client: MastodonClient, tag: str, since: str) -> list[MastodonStatus]:
        # Quoted here: the tag ends up in the URL path, and may hold letters outside ASCII.
        path_tag = quote(tag, safe="")

        def page(**params: Any) -> list[MastodonStatus]:
            raw = parse_list(client.api.timeline_hashtag(path_tag, **params), "statuses")
            return [MastodonStatus.from_api(item) for item in raw]

        found: dict[str, MastodonStatus] = {}
        if not since:
            found.update((status.id, status) for status in client.call(page, limit=PAGE_SIZE))
        else:
            current = since
            for _ in range(MAX_PAGES):
                fresh = [
                    status
                    for status in client.call(page, min_id=current, limit=PAGE_SIZE)
                    if id_sort_key(status.id) > id_sort_key(current)
                ]
                if not fresh:
                    break
                found.update((status.id, status) for status in fresh)
                current = max((status.id for status in fresh), key=id_sort_key)
        return sorted(found.values(), key=lambda status: id_sort_key(status.id))

    def _search_words(self, client: MastodonClient, words: str, since: str) -> list[MastodonStatus]:
        if not words:
            return []

        def read() -> list[MastodonStatus]:
            # exclude_unreviewed=False spares Mastodon.py a version probe; it only concerns hashtags.
            result = client.api.search_v2(
                words, resolve=False, result_type="statuses", exclude_unreviewed=False, limit=PAGE_SIZE
            )
            raw = parse_list(result.get("statuses") if isinstance(result, dict) else None, "statuses")
            return [MastodonStatus.from_api(item) for item in raw]

        statuses = [
            status
            for status in client.call(read)
            if status.visibility in {"public", "unlisted"}
            and (not since or id_sort_key(status.id) > id_sort_key(since))
        ]
        return sorted(statuses, key=lambda status: id_sort_key(status.id))

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """Read a post back (verification, safe retry); None when the server does not have it.

        By id: GET /api/v1/statuses/:id (a 404, or the 403 mastodon-mock answers, means it is not
        there). Without an id: the account's own statuses, newest first, page after page until they
        are older than `since` (at most LOCATE_MAX_PAGES), for one with the text the request
        publishes (compared without whitespace differences and mention domains; a reply may start
        with the mention Parvis adds) answering the same post.
        """
        with _client(account) as client:
            if external_id:
                return self._locate_id(client, external_id)
            own_id = (
                account.external_id
                or client.call(lambda: MastodonAccount.from_api(client.api.account_verify_credentials())).id
            )
            return self._locate_own(client, own_id, request, since)

    def _locate_id(self, client: MastodonClient, external_id: str) -> ActionResult | None:
        try:
            status = client.call(lambda: MastodonStatus.from_api(client.api.status(external_id)), about_status=True)
        except PermanentError:  # not found, or not visible to this account any more
            return None
        return ActionResult(external_id=status.id, url=status.url, data={"visibility": status.visibility})

    def _locate_own(
        self, client: MastodonClient, own_id: str, request: ActionRequest, since: datetime | None
    ) -> ActionResult | None:
        wanted = _comparable(request.text)
        max_id: str | None = None
        for _ in range(LOCATE_MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE_SIZE, "exclude_reblogs": True}
            if max_id:
                params["max_id"] = max_id

            def page(params: dict[str, Any] = params) -> list[MastodonStatus]:
                raw = parse_list(client.api.account_statuses(own_id, **params), "statuses")
                return [MastodonStatus.from_api(item) for item in raw]

            statuses = client.call(page)
            for status in statuses:
                if since is not None and status.created_at is not None and status.created_at < since:
                    return None  # newest first: everything below is older still
                if request.in_reply_to_id and status.in_reply_to_id != request.in_reply_to_id:
                    continue
                if _same_text(_status_text(status), wanted) and (wanted or len(status.media) == len(request.media)):
                    return ActionResult(external_id=status.id, url=status.url, data={"visibility": status.visibility})
            if len(statuses) < PAGE_SIZE:
                return None
            max_id = statuses[-1].id
        return None

    # --- reading --------------------------------------------------------------------------------

    def _read_notifications(self, client: MastodonClient, since: str) -> tuple[list[MastodonNotification], str]:
        """The notifications to read, oldest first, and the newest id seen (even one too old to read)."""
        found: dict[str, MastodonNotification] = {}
        newest_seen = ""
        if not since:
            backfilled, newest_seen = self._backfill(client)
            found.update((item.id, item) for item in backfilled)
        else:
            current = since
            for _ in range(MAX_PAGES):
                page = self._page(client, min_id=current, limit=PAGE_SIZE)
                fresh = [item for item in page if id_sort_key(item.id) > id_sort_key(current)]
                if not fresh:
                    break
                found.update((item.id, item) for item in fresh)
                current = max((item.id for item in fresh), key=id_sort_key)
        return sorted(found.values(), key=lambda item: id_sort_key(item.id)), newest_seen

    def _backfill(self, client: MastodonClient) -> tuple[list[MastodonNotification], str]:
        """A new account's history back BACKFILL_DAYS days, at most BACKFILL_MAX_ITEMS, and the newest id.

        The newest id is the cursor even when every notification is older than the window: the
        next poll starts after it, and never reads the skipped history forward.
        """
        oldest_wanted = datetime.now(UTC) - timedelta(days=BACKFILL_DAYS)
        found: list[MastodonNotification] = []
        newest_seen = ""
        max_id: str | None = None
        while len(found) < BACKFILL_MAX_ITEMS:
            params: dict[str, Any] = {"limit": min(PAGE_SIZE, BACKFILL_MAX_ITEMS - len(found))}
            if max_id is not None:
                params["max_id"] = max_id
            page = [item for item in self._page(client, **params) if max_id is None or _older(item.id, max_id)]
            if not page:
                break
            if not newest_seen:
                newest_seen = max((item.id for item in page), key=id_sort_key)
            recent = [item for item in page if item.created_at is None or item.created_at >= oldest_wanted]
            found.extend(recent)
            if len(recent) < len(page):
                break  # reached the notifications older than the backfill window
            max_id = min((item.id for item in page), key=id_sort_key)
        return found[:BACKFILL_MAX_ITEMS], newest_seen

    def _page(self, client: MastodonClient, **params: Any) -> list[MastodonNotification]:
        def read() -> list[MastodonNotification]:
            raw = parse_list(client.api.notifications(**params), "notifications")
            return [MastodonNotification.from_api(item) for item in raw]

        return client.call(read)

    # --- writing --------------------------------------------------------------------------------

    def _publish(self, client: MastodonClient, request: ActionRequest) -> ActionResult:
        if not request.text.strip() and not request.media:
            raise PermanentError("There is nothing to publish: the text is empty and there is no image.")
        if len(request.media) > self.capabilities.max_media:
            raise PermanentError(f"Mastodon accepts at most {self.capabilities.max_media} images per post.")
        media_ids = [self._upload(client, media).id for media in request.media]
        return self._post(
            client,
            text=request.text,
            idempotency_key=request.idempotency_key,
            in_reply_to_id=request.in_reply_to_id or None,  # the next post of a thread
            visibility=request.visibility or None,
            media_ids=media_ids or None,
        )

    def _reply(self, client: MastodonClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This reply does not say which post it answers.")
        author = request.in_reply_to_author
        visibility = request.visibility
        if not author or not visibility:
            # Without them, ask the network: a reply to a private message must stay private.
            original = client.call(
                lambda: MastodonStatus.from_api(client.api.status(request.in_reply_to_id)), about_status=True
            )
            author = author or "@" + original.account.acct
            visibility = visibility or original.visibility
        text = with_mention(request.text, author, own_handle=account.handle, host=client.host)
        return self._post(
            client,
            text=text,
            idempotency_key=request.idempotency_key,
            in_reply_to_id=request.in_reply_to_id,
            visibility=visibility or None,
            media_ids=[self._upload(client, media).id for media in request.media] or None,
        )

    def _post(
        self,
        client: MastodonClient,
        *,
        text: str,
        idempotency_key: str,
        in_reply_to_id: str | None,
        visibility: str | None,
        media_ids: list[str] | None,
    ) -> ActionResult:
        def post() -> MastodonStatus:
            return MastodonStatus.from_api(
                client.api.status_post(
                    text,
                    in_reply_to_id=in_reply_to_id,
                    media_ids=media_ids,
                    visibility=visibility,
                    # The server keeps the first status for a key: a retry after a lost answer
                    # does not publish twice.
                    idempotency_key=idempotency_key,
                )
            )

        status = client.call(post, about_status=in_reply_to_id is not None)
        return ActionResult(external_id=status.id, url=status.url, data={"visibility": status.visibility})

    def _upload(self, client: MastodonClient, media: MediaFile) -> MastodonMedia:
        if media.mime_type and media.mime_type not in self.capabilities.media_types:
            raise PermanentError(f"Mastodon does not accept files of type {media.mime_type} from Parvis.")
        if len(media.alt_text) > self.capabilities.alt_text_max:
            raise PermanentError(
                f"The image description is too long for Mastodon (maximum {self.capabilities.alt_text_max})."
            )
        uploaded = client.call(
            lambda: MastodonMedia.from_api(
                client.api.media_post(media.path, mime_type=media.mime_type or None, description=media.alt_text or None)
            )
        )
        media_id = uploaded.id
        deadline = time.monotonic() + MEDIA_PROCESSING_TIMEOUT
        while not uploaded.url:
            if time.monotonic() > deadline:
                raise TransientError("Mastodon is still processing an image; Parvis will try again later.")
            time.sleep(MEDIA_PROCESSING_POLL)
            uploaded = client.call(lambda: MastodonMedia.from_api(client.api.media(media_id)))
        return uploaded

    def _favourite(self, client: MastodonClient, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This like does not say which post it is for.")
        status = client.call(
            lambda: MastodonStatus.from_api(client.api.status_favourite(request.target_id)), about_status=True
        )
        return ActionResult(external_id=status.id, url=status.url)

    def _delete(self, client: MastodonClient, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This deletion does not say which post to delete.")
        client.call(lambda: client.api.status_delete(request.target_id), about_status=True)
        return ActionResult(external_id=request.target_id)

    def _relationship(self, client: MastodonClient, request: ActionRequest) -> ActionResult:
        """FOLLOW, BLOCK, UNBLOCK, MUTE, UNMUTE a person: the answer is the relationship as it is now."""
        person = self._person(client, request)
        method = getattr(client.api, _RELATIONSHIP_CALLS[request.kind])
        relationship = client.call(lambda: method(person.id))
        state = {
            key: bool(relationship.get(key))
            for key in ("following", "requested", "blocking", "muting")
            if isinstance(relationship, dict) and key in relationship
        }
        return ActionResult(
            external_id=person.id,
            url=person.url,
            data={"acct": qualified_acct(person.acct, client.host), **state},
        )

    def _person(self, client: MastodonClient, request: ActionRequest) -> MastodonAccount:
        """The account a relationship action is about.

        `target_id` is the person's id as Parvis knows them: for Mastodon the qualified account
        ("user@domain", `Author.external_id`), or the instance's numeric account id;
        `target_handle` ("@user@domain") is used when there is no id. A numeric id is read
        directly; an account is looked up (GET /api/v1/accounts/lookup), then searched with
        remote resolution for one the instance does not know yet.
        """
        target = (request.target_id or request.target_handle).strip()
        if not target:
            raise PermanentError(f"This {request.kind} does not say whom it is about.")
        if target.isdigit():
            return client.call(lambda: MastodonAccount.from_api(client.api.account(target)), about_status=True)
        acct = mention_for(target, client.host).lstrip("@")
        try:
            return client.call(lambda: MastodonAccount.from_api(client.api.account_lookup(acct)))
        except PermanentError:
            pass
        wanted = qualified_acct(acct, client.host).lower()

        def search() -> list[MastodonAccount]:
            raw = parse_list(client.api.account_search(acct, resolve=True, limit=5), "accounts")
            return [MastodonAccount.from_api(item) for item in raw]

        for found in client.call(search):
            if qualified_acct(found.acct, client.host).lower() == wanted:
                return found
        raise PermanentError(f"{client.host} does not know the account {qualified_acct(acct, client.host)}.")

    def _send_direct(self, client: MastodonClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        """A private message: a status of visibility "direct" that mentions the person (which is what delivers it)."""
        handle = request.target_handle or (request.target_id if not request.target_id.isdigit() else "")
        if not handle and request.target_id:
            person = self._person(client, request)
            handle = "@" + qualified_acct(person.acct, client.host)
        if not handle.strip().lstrip("@"):
            raise PermanentError("This private message does not say whom it is for.")
        if not request.text.strip():
            raise PermanentError("This private message is empty.")
        handle = "@" + handle.strip().lstrip("@")
        text = with_mention(request.text, handle, own_handle=account.handle, host=client.host)
        return self._post(
            client,
            text=text,
            idempotency_key=request.idempotency_key,
            in_reply_to_id=None,
            visibility="direct",
            media_ids=[self._upload(client, media).id for media in request.media] or None,
        )

    def _report(self, client: MastodonClient, request: ActionRequest) -> ActionResult:
        """Report a post (`target_id`) to the instance's moderators, with `text` as the comment.

        Mastodon reports an account, with some of its statuses: the author is read from the
        status itself. A report about someone on another instance is forwarded to that
        instance's moderators too (`forward`).
        """
        if not request.target_id:
            raise PermanentError("This report does not say which post it is about.")
        status = client.call(lambda: MastodonStatus.from_api(client.api.status(request.target_id)), about_status=True)
        author = status.account
        remote = "@" in author.acct
        report = client.call(
            lambda: client.api.report(
                author.id,
                status_ids=[status.id],
                comment=request.text[:1000] or None,
                forward=remote,
                category="other",
            ),
            about_status=True,
        )
        report_id = str(report.get("id") or "") if isinstance(report, dict) else ""
        return ActionResult(
            external_id=report_id,
            url=status.url,
            data={"status_id": status.id, "account": qualified_acct(author.acct, client.host), "forwarded": remote},
        )


# --- helpers ------------------------------------------------------------------------------------


def event_for(notification: MastodonNotification, *, own_id: str, host: str) -> NetworkEvent | None:
    """The event a notification becomes (None for the ignored ones), for the account `own_id` on `host`."""
    kind = EVENT_FOR_TYPE.get(notification.type)
    if kind is None:
        if notification.type not in IGNORED_TYPES:
            logger.warning("Mastodon notification type %r is not handled; skipped", notification.type)
        return None
    actor = notification.account or (notification.status.account if notification.status else None)
    author = _author(actor, host) if actor is not None else None
    occurred_at = notification.created_at or datetime.now(UTC)
    raw = {"notification_id": notification.id, "type": notification.type}
    if kind == EventKind.FOLLOW:
        return NetworkEvent(
            kind=kind,
            external_id=f"follow:{notification.id}",
            occurred_at=occurred_at,
            author=author,
            url=actor.url if actor is not None else "",
            raw=raw,
        )
    status = notification.status
    if status is None:  # the status was deleted before we read the notification
        return None
    if kind in {EventKind.FAVOURITE, EventKind.REBLOG}:
        return NetworkEvent(
            kind=kind,
            external_id=f"{notification.type}:{notification.id}",
            occurred_at=occurred_at,
            author=author,
            url=status.url,
            in_reply_to_id=status.id,
            raw=raw,
        )
    thread_key = status.in_reply_to_id or status.id
    if status.visibility == "direct":
        kind = EventKind.DIRECT_MESSAGE
        thread_key = direct_thread_key(status, own_id=own_id, host=host)
    elif status.in_reply_to_id and status.in_reply_to_account_id == own_id:
        kind = EventKind.REPLY
    return NetworkEvent(
        kind=kind,
        external_id=status.id,
        occurred_at=status.created_at or occurred_at,
        author=_author(status.account, host),
        text=_status_text(status),
        url=status.url,
        in_reply_to_id=status.in_reply_to_id,
        thread_key=thread_key,
        visibility=status.visibility,
        raw=raw,
    )


def direct_thread_key(status: MastodonStatus, *, own_id: str, host: str) -> str:
    """The conversation of a private message: everyone in it but us (author and mentioned accounts).

    Mastodon's REST statuses carry no conversation id; the people in a private conversation
    are what defines it, as in the Mastodon apps' conversation list.
    """
    people = {(status.account.id, status.account.acct), *status.mentions}
    others = {qualified_acct(acct, host).lower() for person_id, acct in people if person_id != own_id}
    return DIRECT_THREAD_PREFIX + ",".join(sorted(others))


def _older(candidate: str, than: str) -> bool:
    return id_sort_key(candidate) < id_sort_key(than)


def _search_event(status: MastodonStatus, host: str) -> NetworkEvent:
    """A public post found by a search, as an event (it is about the subject searched: kind MENTION)."""
    return NetworkEvent(
        kind=EventKind.MENTION,
        external_id=status.id,
        occurred_at=status.created_at or datetime.now(UTC),
        author=_author(status.account, host),
        text=_status_text(status),
        url=status.url,
        in_reply_to_id=status.in_reply_to_id,
        thread_key=status.in_reply_to_id or status.id,
        visibility=status.visibility,
        raw={"source": "search"},
    )


def _client(account: AccountRef) -> MastodonClient:
    token = str(account.credentials.get("access_token") or "")
    if not token:
        raise AuthExpired("This Mastodon account has no access token: reconnect it.")
    return MastodonClient(account.instance_url, access_token=token)


def qualified_acct(acct: str, host: str) -> str:
    """`user@domain` for every account: those of the instance itself get the instance host."""
    acct = acct.lstrip("@")
    return acct if "@" in acct else f"{acct}@{host}"


def _author(account: MastodonAccount, host: str) -> Author:
    acct = qualified_acct(account.acct, host)
    return Author(
        # Stable whichever of the organisation's accounts (on whichever instance) saw this person.
        external_id=acct.lower(),
        handle=f"@{acct}",
        display_name=account.display_name or account.username,
        url=account.url,
        avatar_url=account.avatar,
        is_bot=account.bot,
    )


def _status_text(status: MastodonStatus) -> str:
    text = html_to_text(status.content)
    if status.spoiler_text:
        text = f"{status.spoiler_text.strip()}\n\n{text}".strip()
    return text


def mention_for(handle: str, host: str) -> str:
    """How to mention `handle` in a post on `host`: "@user" for its own users, "@user@domain" for others."""
    user, _, domain = handle.strip().lstrip("@").partition("@")
    if not domain or domain.lower() == host.lower():
        return f"@{user}"
    return f"@{user}@{domain}"


def with_mention(text: str, handle: str, *, own_handle: str, host: str) -> str:
    """Prefix `text` with a mention of `handle` unless it already has one: Mastodon notifies mentioned people only."""
    if not handle.strip().lstrip("@"):
        return text
    mention = mention_for(handle, host)
    if mention.lower() == mention_for(own_handle, host).lower():
        return text  # answering ourselves (a thread): no need to notify anyone
    target = qualified_acct(mention, host).lower()
    for match in _MENTION_RE.finditer(text):
        if qualified_acct(match.group(0), host).lower() == target:
            return text
    return f"{mention} {text}"


def _comparable(text: str) -> str:
    """Text as compared by a read-back: mentions without their domain, whitespace collapsed."""
    return " ".join(_MENTION_RE.sub(lambda match: "@" + match.group(1).lower(), text).split())


def _same_text(found: str, wanted: str) -> bool:
    """Whether a status's text is the one sent: equal, or the same after mentions Parvis put in front."""
    text = _comparable(found)
    if text == wanted:
        return True
    if not wanted or not text.endswith(" " + wanted):
        return False
    return all(word.startswith("@") for word in text[: -len(wanted)].split())


def _link_placeholder(match: re.Match[str]) -> str:
    url = match.group(0)
    trimmed = url.rstrip(_URL_TRAILING)
    return "x" * LINK_LENGTH + url[len(trimmed) :]


def _grapheme_count(text: str) -> int:
    """Approximate user-perceived characters (Mastodon counts grapheme clusters).

    Combining marks, variation selectors, skin-tone modifiers and characters joined by a
    zero-width joiner do not start a new character; two regional indicators make one flag.
    """
    count = 0
    joined = False
    regional_pending = False
    for char in text:
        code = ord(char)
        if joined:
            joined = False
            continue
        if char == "\u200d":
            joined = True
            continue
        if unicodedata.category(char) in {"Mn", "Me"} or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            if regional_pending:
                regional_pending = False
                continue
            regional_pending = True
        else:
            regional_pending = False
        count += 1
    return count


# Relationship actions and the Mastodon.py call each one makes (POST /api/v1/accounts/:id/<verb>).
_RELATIONSHIP_CALLS: dict[ActionKind, str] = {
    ActionKind.FOLLOW: "account_follow",
    ActionKind.BLOCK: "account_block",
    ActionKind.UNBLOCK: "account_unblock",
    ActionKind.MUTE: "account_mute",
    ActionKind.UNMUTE: "account_unmute",
}


__all__ = ["MastodonConnector", "event_for", "instance_host", "mention_for", "qualified_acct", "with_mention"]
