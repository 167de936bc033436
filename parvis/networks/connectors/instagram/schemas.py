"""The Instagram Graph API payloads the connector reads, as typed models.

Field names follow the Instagram Platform reference (Instagram API with Facebook Login):
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from parvis.networks.connectors.facebook.graph import next_cursor
from parvis.networks.connectors.facebook.schemas import mapping, parse_time, required_id, text

# IG Container `status_code` values.
FINISHED = "FINISHED"
IN_PROGRESS = "IN_PROGRESS"
PUBLISHED = "PUBLISHED"
ERROR = "ERROR"
EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class InstagramComment:
    id: str
    text: str
    timestamp: datetime | None
    username: str
    user_id: str = ""
    parent_id: str = ""
    replies: tuple[InstagramComment, ...] = ()

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a comment")
        author = data.get("from")
        who = author if isinstance(author, Mapping) else {}
        replies_edge = data.get("replies")
        replies: tuple[InstagramComment, ...] = ()
        if isinstance(replies_edge, Mapping) and isinstance(replies_edge.get("data"), list):
            replies = tuple(InstagramComment.from_api(item) for item in replies_edge["data"])
        return cls(
            id=required_id(data, "a comment"),
            text=text(data, "text"),
            timestamp=parse_time(data.get("timestamp")),
            username=text(data, "username") or text(who, "username"),
            user_id=text(who, "id"),
            parent_id=text(data, "parent_id"),
            replies=replies,
        )


@dataclass(frozen=True)
class InstagramMedia:
    id: str
    caption: str
    timestamp: datetime | None
    permalink: str = ""
    username: str = ""
    comments_count: int = 0
    comments: tuple[InstagramComment, ...] = ()
    comments_after: str = ""

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a media")
        comments: tuple[InstagramComment, ...] = ()
        after = ""
        edge = data.get("comments")
        if isinstance(edge, Mapping):
            items = edge.get("data")
            comments = tuple(InstagramComment.from_api(item) for item in items) if isinstance(items, list) else ()
            after = next_cursor(edge)
        try:
            count = int(str(data.get("comments_count") or 0))
        except ValueError:
            count = 0
        return cls(
            id=required_id(data, "a media"),
            caption=text(data, "caption"),
            timestamp=parse_time(data.get("timestamp")),
            permalink=text(data, "permalink"),
            username=text(data, "username"),
            comments_count=count,
            comments=comments,
            comments_after=after,
        )


@dataclass(frozen=True)
class ContainerStatus:
    id: str
    status_code: str
    status: str = ""

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = mapping(value, "a container")
        return cls(id=text(data, "id"), status_code=text(data, "status_code").upper(), status=text(data, "status"))
