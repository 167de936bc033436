"""The connector contract: capabilities as data, normalised events, one result type.

A connector is a class registered in `registry.py` that turns what a network
says into `NetworkEvent`s (`fetch`) and carries out `ActionRequest`s
(`execute`). Every call returns its result type or raises one of the errors
in `errors.py`. Connectors see accounts through `AccountRef`, never through
the ORM, so they stay free of Django models.
"""

from __future__ import annotations

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


class ActionKind(StrEnum):
    PUBLISH = "publish"
    REPLY = "reply"
    FAVOURITE = "favourite"
    DELETE = "delete"


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


@dataclass(frozen=True)
class AccountRef:
    """What a connector knows about one connected account."""

    id: int
    network: str
    instance_url: str
    external_id: str
    handle: str
    credentials: dict[str, Any]


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


@dataclass(frozen=True)
class ActionRequest:
    kind: ActionKind
    idempotency_key: str
    text: str = ""
    in_reply_to_id: str = ""  # REPLY: the status to answer
    in_reply_to_author: str = ""  # REPLY: handle of who wrote it (networks that need a mention to notify)
    target_id: str = ""  # FAVOURITE / DELETE: the status concerned
    visibility: str = ""
    media: tuple[MediaFile, ...] = ()


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
