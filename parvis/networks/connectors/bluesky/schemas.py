"""The parts of Bluesky's XRPC answers Parvis reads, as typed values.

Answers are read as plain JSON (the lexicons `app.bsky.*` and `com.atproto.*`), so a field the
lexicon adds later is ignored and a field missing where one is required raises `PayloadError`,
which the client maps to a TransientError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

BSKY_WEB = "https://bsky.app"


class PayloadError(ValueError):
    """The answer is not shaped as the lexicon says."""


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PayloadError(f"{what} is not an object")
    return data


def _text(data: dict[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{what} has no {key}")
    return value


def _optional_text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def objects(data: Any, key: str, what: str) -> list[dict[str, Any]]:
    """The list of objects under `key` (missing: empty); items that are not objects are an error."""
    items = _object(data, what).get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise PayloadError(f"{what}.{key} is not a list")
    return [_object(item, f"{what}.{key}[]") for item in items]


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an atproto datetime string (RFC 3339, "Z" or an offset); None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AtUri:
    """at://<repo>/<collection>/<rkey>"""

    repo: str
    collection: str
    rkey: str

    @classmethod
    def parse(cls, value: str) -> Self:
        if not value.startswith("at://"):
            raise PayloadError(f"{value!r} is not an at:// URI")
        parts = value[len("at://") :].split("/")
        if len(parts) != 3 or not all(parts):
            raise PayloadError(f"{value!r} does not name one record")
        return cls(repo=parts[0], collection=parts[1], rkey=parts[2])

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def post_web_url(uri: str, handle: str = "") -> str:
    """The bsky.app page of a post (by handle when known, else by DID)."""
    try:
        parsed = AtUri.parse(uri)
    except PayloadError:
        return ""
    return f"{BSKY_WEB}/profile/{handle or parsed.repo}/post/{parsed.rkey}"


def profile_web_url(actor: str) -> str:
    return f"{BSKY_WEB}/profile/{actor}"


@dataclass(frozen=True)
class StrongRef:
    """com.atproto.repo.strongRef: a record and the exact version of it."""

    uri: str
    cid: str

    @classmethod
    def from_api(cls, data: Any) -> Self:
        ref = _object(data, "strongRef")
        return cls(uri=_text(ref, "uri", "strongRef"), cid=_text(ref, "cid", "strongRef"))

    def as_json(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


@dataclass(frozen=True)
class BlueskyProfile:
    """app.bsky.actor.defs#profileView (Basic, Detailed): who someone is."""

    did: str
    handle: str
    display_name: str = ""
    avatar: str = ""
    is_bot: bool = False

    @classmethod
    def from_api(cls, data: Any) -> Self:
        profile = _object(data, "profile")
        labels = profile.get("labels")
        values = (
            {label.get("val") for label in labels if isinstance(label, dict)} if isinstance(labels, list) else set()
        )
        return cls(
            did=_text(profile, "did", "profile"),
            handle=_optional_text(profile, "handle") or _text(profile, "did", "profile"),
            display_name=_optional_text(profile, "displayName").strip(),
            avatar=_optional_text(profile, "avatar"),
            is_bot="bot" in values,
        )

    @property
    def url(self) -> str:
        return profile_web_url(self.handle or self.did)


@dataclass(frozen=True)
class PostRecord:
    """app.bsky.feed.post, the parts Parvis reads."""

    text: str
    created_at: datetime | None
    facets: list[dict[str, Any]] = field(default_factory=list)
    reply_root: StrongRef | None = None
    reply_parent: StrongRef | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        record = _object(data, "post record")
        reply = record.get("reply")
        root = parent = None
        if isinstance(reply, dict):
            root = StrongRef.from_api(reply.get("root"))
            parent = StrongRef.from_api(reply.get("parent"))
        facets = record.get("facets")
        return cls(
            text=_optional_text(record, "text"),
            created_at=parse_datetime(record.get("createdAt")),
            facets=[item for item in facets if isinstance(item, dict)] if isinstance(facets, list) else [],
            reply_root=root,
            reply_parent=parent,
        )


@dataclass(frozen=True)
class RecordView:
    """com.atproto.repo.getRecord: a record as its repository holds it."""

    uri: str
    cid: str
    value: dict[str, Any]

    @classmethod
    def from_api(cls, data: Any) -> Self:
        record = _object(data, "record")
        return cls(
            uri=_text(record, "uri", "record"),
            cid=_text(record, "cid", "record"),
            value=_object(record.get("value"), "record.value"),
        )

    @property
    def ref(self) -> StrongRef:
        return StrongRef(uri=self.uri, cid=self.cid)


@dataclass(frozen=True)
class PostView:
    """app.bsky.feed.defs#postView: a post as the AppView shows it (search results)."""

    uri: str
    cid: str
    author: BlueskyProfile
    record: PostRecord
    indexed_at: datetime | None
    indexed_at_raw: str

    @classmethod
    def from_api(cls, data: Any) -> Self:
        post = _object(data, "post")
        return cls(
            uri=_text(post, "uri", "post"),
            cid=_text(post, "cid", "post"),
            author=BlueskyProfile.from_api(post.get("author")),
            record=PostRecord.from_api(post.get("record")),
            indexed_at=parse_datetime(post.get("indexedAt")),
            indexed_at_raw=_optional_text(post, "indexedAt"),
        )


@dataclass(frozen=True)
class Notification:
    """app.bsky.notification.listNotifications#notification."""

    uri: str
    cid: str
    reason: str
    author: BlueskyProfile
    record: dict[str, Any]
    indexed_at: datetime | None
    indexed_at_raw: str
    reason_subject: str = ""

    @classmethod
    def from_api(cls, data: Any) -> Self:
        item = _object(data, "notification")
        record = item.get("record")
        return cls(
            uri=_text(item, "uri", "notification"),
            cid=_optional_text(item, "cid"),
            reason=_text(item, "reason", "notification"),
            author=BlueskyProfile.from_api(item.get("author")),
            record=record if isinstance(record, dict) else {},
            indexed_at=parse_datetime(item.get("indexedAt")),
            indexed_at_raw=_optional_text(item, "indexedAt"),
            reason_subject=_optional_text(item, "reasonSubject"),
        )
