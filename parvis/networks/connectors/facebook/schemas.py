"""The Graph API payloads the Facebook connector reads, as typed models.

Everything read from a Graph answer goes through these constructors, so an answer of the
wrong shape fails in one place with `PayloadError` (turned into a TransientError by the
connector) rather than as a KeyError deep in the mapping code. Field names follow the
Graph API reference:
https://developers.facebook.com/docs/graph-api/reference/page/,
https://developers.facebook.com/docs/graph-api/reference/post/,
https://developers.facebook.com/docs/graph-api/reference/comment/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from parvis.networks.connectors.facebook.graph import PayloadError, next_cursor


def mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"expected {what} to be an object, got {type(value).__name__}")
    return value


def text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def required_id(data: Mapping[str, Any], what: str) -> str:
    value = data.get("id")
    if value is None or str(value) == "":
        raise PayloadError(f"{what} without an id")
    return str(value)


def parse_time(value: object) -> datetime | None:
    """Graph times: "2026-03-14T09:30:00+0000" (ISO 8601 with a numeric offset), or a Unix time."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    raw = str(value)
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(raw, pattern).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise PayloadError(f"unreadable time {raw!r}") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class FacebookPage:
    id: str
    name: str
    username: str = ""
    link: str = ""
    access_token: str = ""
    tasks: tuple[str, ...] = ()
    instagram_id: str = ""
    instagram_username: str = ""
    instagram_name: str = ""

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a page")
        instagram = data.get("instagram_business_account")
        ig = instagram if isinstance(instagram, Mapping) else {}
        tasks = data.get("tasks")
        return cls(
            id=required_id(data, "a page"),
            name=text(data, "name"),
            username=text(data, "username"),
            link=text(data, "link"),
            access_token=text(data, "access_token"),
            tasks=tuple(str(task) for task in tasks) if isinstance(tasks, list) else (),
            instagram_id=text(ig, "id"),
            instagram_username=text(ig, "username"),
            instagram_name=text(ig, "name"),
        )

    @property
    def can_publish(self) -> bool:
        """The person may create content on the Page (tasks are absent for some page roles: assume yes)."""
        return not self.tasks or "CREATE_CONTENT" in self.tasks or "MANAGE" in self.tasks


@dataclass(frozen=True)
class FacebookFrom:
    id: str
    name: str

    @classmethod
    def from_api(cls, value: object) -> Self | None:
        if not isinstance(value, Mapping):
            return None  # Graph leaves `from` out when the person's privacy hides it
        return cls(id=text(value, "id"), name=text(value, "name"))


@dataclass(frozen=True)
class FacebookComment:
    id: str
    message: str
    created_time: datetime | None
    author: FacebookFrom | None
    parent_id: str = ""
    permalink_url: str = ""

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a comment")
        parent = data.get("parent")
        return cls(
            id=required_id(data, "a comment"),
            message=text(data, "message"),
            created_time=parse_time(data.get("created_time")),
            author=FacebookFrom.from_api(data.get("from")),
            parent_id=text(parent, "id") if isinstance(parent, Mapping) else "",
            permalink_url=text(data, "permalink_url"),
        )


@dataclass(frozen=True)
class FacebookPost:
    id: str
    message: str
    created_time: datetime | None
    updated_time: datetime | None = None
    permalink_url: str = ""
    author: FacebookFrom | None = None
    comments: tuple[FacebookComment, ...] = ()
    comments_after: str = ""  # the cursor of the next page of comments, when there is one

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a post")
        comments: tuple[FacebookComment, ...] = ()
        after = ""
        edge = data.get("comments")
        if isinstance(edge, Mapping):
            items = edge.get("data")
            comments = tuple(FacebookComment.from_api(item) for item in items) if isinstance(items, list) else ()
            after = next_cursor(edge)
        return cls(
            id=required_id(data, "a post"),
            message=text(data, "message"),
            created_time=parse_time(data.get("created_time")),
            updated_time=parse_time(data.get("updated_time")),
            permalink_url=text(data, "permalink_url"),
            author=FacebookFrom.from_api(data.get("from")),
            comments=comments,
            comments_after=after,
        )


@dataclass(frozen=True)
class FacebookMessage:
    """One Messenger message (https://developers.facebook.com/docs/graph-api/reference/message/).

    `from` is {"id": <page-scoped id (PSID)>, "name", "email"}; `message` is the plain text (empty
    for a sticker or an attachment alone); `created_time` an ISO time.
    """

    id: str
    text: str
    created_time: datetime | None
    author: FacebookFrom | None
    attachments: int = 0

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a message")
        attachments = data.get("attachments")
        count = 0
        if isinstance(attachments, Mapping) and isinstance(attachments.get("data"), list):
            count = len(attachments["data"])
        return cls(
            id=required_id(data, "a message"),
            text=text(data, "message"),
            created_time=parse_time(data.get("created_time")),
            author=FacebookFrom.from_api(data.get("from")),
            attachments=count,
        )


@dataclass(frozen=True)
class FacebookConversation:
    """A Messenger conversation between a person and the Page, with its latest messages (newest first).

    https://developers.facebook.com/docs/graph-api/reference/conversation/
    """

    id: str
    updated_time: datetime | None
    link: str = ""
    messages: tuple[FacebookMessage, ...] = ()
    messages_after: str = ""

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a conversation")
        messages: tuple[FacebookMessage, ...] = ()
        after = ""
        edge = data.get("messages")
        if isinstance(edge, Mapping):
            items = edge.get("data")
            messages = tuple(FacebookMessage.from_api(item) for item in items) if isinstance(items, list) else ()
            after = next_cursor(edge)
        return cls(
            id=required_id(data, "a conversation"),
            updated_time=parse_time(data.get("updated_time")),
            link=text(data, "link"),
            messages=messages,
            messages_after=after,
        )
