"""The connector contract: capabilities as data, normalised events, one result type.

A connector is a class registered in `registry.py` that turns what a network
says into `NetworkEvent`s (`fetch`) and carries out `ActionRequest`s
(`execute`). Every call returns its result type or raises one of the errors
in `errors.py`. Connectors see accounts through `AccountRef`, never through
the ORM, so they stay free of Django models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol


class EventKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    FOLLOW = "follow"
    FAVOURITE = "favourite"
    REBLOG = "reblog"
    FEED_ENTRY = "feed_entry"
    REVIEW = "review"  # a rating with a text (Facebook Page recommendations, Google reviews...)


class ActionKind(StrEnum):
    PUBLISH = "publish"
    REPLY = "reply"
    FAVOURITE = "favourite"
    DELETE = "delete"
    REPOST = "repost"  # boost / repost / retweet someone else's post (target_id)
    QUOTE = "quote"  # publish `text` quoting someone else's post (target_id)
    # Moderation and relationship actions: target_id is a post (HIDE, UNHIDE) or a person
    # (FOLLOW, BLOCK, MUTE, UNBLOCK, UNMUTE, SEND_DIRECT: target_id the person's id, target_handle theirs).
    HIDE = "hide"  # hide a reply/comment under our own post (it stays on the network, out of sight)
    UNHIDE = "unhide"
    FOLLOW = "follow"
    BLOCK = "block"
    UNBLOCK = "unblock"
    MUTE = "mute"
    UNMUTE = "unmute"
    SEND_DIRECT = "send_direct"  # a new private message to a person (welcome thanks, appeal answers)
    REPORT = "report"  # report a post (target_id) to the network's own moderators, `text` the reason


@dataclass(frozen=True)
class Capabilities:
    """What a network allows, as data the composer, the UI and the worker read."""

    max_characters: int = 0
    link_length: int | None = None  # every link counts as this many characters
    max_media: int = 0
    media_types: frozenset[str] = frozenset()
    max_media_bytes: int = 0
    alt_text_max: int = 0
    threads: bool = False
    actions: frozenset[ActionKind] = frozenset()
    event_kinds: frozenset[EventKind] = frozenset()
    direct_messages: bool = False
    poll_interval_seconds: int = 60
    oauth: bool = False
    token_paste: bool = False
    reply_mentions_author: bool = False  # the connector prefixes replies with "@author " when absent
    # How `count_characters` counts: "characters" (code points), "graphemes" (Bluesky), "weighted" (X).
    counting: str = "characters"
    media_required: bool = False  # Instagram: no post without an image or a video
    video_types: frozenset[str] = frozenset()
    max_video_bytes: int = 0
    max_video_seconds: int = 0
    max_thread_posts: int = 0  # 0: no limit beyond `threads`
    first_comment: bool = False  # the network has comments under a post (Facebook, Instagram, LinkedIn)
    hashtags: bool = True
    mention_prefix: str = "@"  # how a handle is written in a post
    idempotent_publish: bool = False  # the network itself drops a second copy sent with the same key
    read_back: bool = False  # `locate` can find a published post again (verification, safe retry)
    search: bool = False  # `search` can find public posts by hashtag or words (live wall, listening)
    daily_publish_limit: int = 0  # Instagram: 100 API-published posts per 24 h; 0: none known
    # The network pushes events (a stream or webhooks) as well as answering polls: see networks.streaming.
    streaming: bool = False
    # Deleting someone else's comment under our own post (Facebook, YouTube, Instagram): DELETE with
    # target_id a comment. Without it, DELETE only removes our own posts.
    delete_others: bool = False


@dataclass(frozen=True)
class AccountRef:
    """What a connector knows about one connected account."""

    id: int
    network: str
    instance_url: str
    external_id: str
    handle: str
    credentials: dict[str, Any]
    # A connector that refreshed its tokens (OAuth 2 refresh, rotated refresh tokens) calls this
    # with the complete new credentials so they are stored at once, before anything else can fail.
    save_credentials: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Profile:
    """Who the credentials belong to, as the network says."""

    external_id: str
    handle: str
    display_name: str
    url: str


@dataclass(frozen=True)
class Author:
    external_id: str
    handle: str
    display_name: str = ""
    url: str = ""
    avatar_url: str = ""
    is_bot: bool = False


@dataclass(frozen=True)
class NetworkEvent:
    """Something a network told us, normalised. `text` is plain text, never HTML."""

    kind: EventKind
    external_id: str
    occurred_at: datetime
    author: Author | None = None
    text: str = ""
    url: str = ""
    title: str = ""
    in_reply_to_id: str = ""
    thread_key: str = ""  # the id of the status/message the thread hangs from
    visibility: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchResult:
    events: list[NetworkEvent]
    cursor: dict[str, Any]


@dataclass(frozen=True)
class MediaFile:
    path: str  # absolute path on the Parvis host
    mime_type: str
    alt_text: str = ""
    # A signed, expiring address where the network can download the file itself (Instagram
    # fetches media by URL): see networks/media_urls.py. Empty when Parvis has no public address.
    public_url: str = ""


@dataclass(frozen=True)
class ActionRequest:
    kind: ActionKind
    idempotency_key: str
    text: str = ""
    in_reply_to_id: str = ""  # REPLY: the status to answer
    in_reply_to_author: str = ""  # REPLY: handle of who wrote it (networks that need a mention to notify)
    target_id: str = ""  # FAVOURITE / DELETE / REPOST / QUOTE: the status concerned
    visibility: str = ""
    media: tuple[MediaFile, ...] = ()
    thread_root_id: str = ""  # REPLY inside a thread: the first post of the thread (Bluesky needs it)
    link_url: str = ""  # the link the post is about (networks that build a card for it)
    target_handle: str = ""  # FOLLOW / BLOCK / MUTE / SEND_DIRECT: the person's handle


@dataclass(frozen=True)
class ActionResult:
    external_id: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class Connector(Protocol):
    """One network. Implementations live in `connectors/<name>/connector.py`."""

    network: ClassVar[str]
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def verify(self, account: AccountRef) -> Profile:
        """Check the credentials and say whose they are."""
        ...

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Everything new since `cursor`, oldest first, and the cursor to store once it is ingested."""
        ...

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        """Carry out one action on the network."""
        ...

    def count_characters(self, text: str) -> int:
        """Length of `text` the way the network counts it."""
        ...

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """Read back (capability `read_back`): the post as the network has it, or None when it is not there.

        With `external_id`, look that post up. Without it, look among the account's own posts
        published after `since` for one made from `request` (same text): this is how a retry
        after an uncertain attempt (a worker killed mid-call) avoids posting twice on networks
        that take no idempotency key. Connectors without read-back raise PermanentError.
        """
        ...

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        """Public posts matching `query` (a hashtag such as "#rencontres2026", or words), oldest first,
        newer than `cursor` (capability `search`). Connectors without search raise PermanentError."""
        ...
