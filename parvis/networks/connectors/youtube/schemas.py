"""The YouTube Data API resources the connector reads, as typed models.

Field names follow the reference: https://developers.google.com/youtube/v3/docs/commentThreads
and https://developers.google.com/youtube/v3/docs/comments. A comment's text comes from
`snippet.textOriginal` (the raw text) when YouTube returns it — it promises it only to the
comment's author — else from `snippet.textDisplay`, which is HTML (<br>, <a>, entities) and is
turned into plain text here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Self


class PayloadError(ValueError):
    """A YouTube answer did not have the shape Parvis expects."""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def display_to_text(value: str) -> str:
    """Plain text from YouTube's `textDisplay` HTML: tags dropped, <br> as new lines, entities decoded once."""
    if "<" not in value and "&" not in value:
        return value.strip()
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "\n".join(line.rstrip() for line in "".join(parser.parts).splitlines()).strip()


def parse_time(value: object) -> datetime | None:
    """RFC 3339 times such as "2026-03-13T08:05:00Z"."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise PayloadError(f"unreadable time {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"expected {what} to be an object")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class YouTubeComment:
    id: str
    text: str
    published_at: datetime | None
    author_channel_id: str
    author_name: str
    author_url: str = ""
    author_avatar: str = ""
    video_id: str = ""
    parent_id: str = ""
    moderation_status: str = ""

    @classmethod
    def from_api(cls, value: object, *, video_id: str = "") -> Self:
        data = _mapping(value, "a comment")
        comment_id = _text(data, "id")
        if not comment_id:
            raise PayloadError("a comment without an id")
        snippet = _mapping(data.get("snippet") or {}, "a comment's snippet")
        author = snippet.get("authorChannelId")
        original = snippet.get("textOriginal")
        text = str(original) if isinstance(original, str) else display_to_text(_text(snippet, "textDisplay"))
        return cls(
            id=comment_id,
            text=text,
            published_at=parse_time(snippet.get("publishedAt")),
            author_channel_id=_text(author, "value") if isinstance(author, Mapping) else "",
            author_name=_text(snippet, "authorDisplayName"),
            author_url=_text(snippet, "authorChannelUrl"),
            author_avatar=_text(snippet, "authorProfileImageUrl"),
            video_id=_text(snippet, "videoId") or video_id,
            parent_id=_text(snippet, "parentId"),
            moderation_status=_text(snippet, "moderationStatus"),
        )


@dataclass(frozen=True)
class YouTubeThread:
    id: str
    video_id: str
    top: YouTubeComment
    replies: tuple[YouTubeComment, ...]
    total_replies: int

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = _mapping(value, "a comment thread")
        snippet = _mapping(data.get("snippet") or {}, "a thread's snippet")
        video_id = _text(snippet, "videoId")
        top = YouTubeComment.from_api(snippet.get("topLevelComment"), video_id=video_id)
        replies_edge = data.get("replies")
        items = replies_edge.get("comments") if isinstance(replies_edge, Mapping) else None
        replies = tuple(
            YouTubeComment.from_api(item, video_id=video_id) for item in (items if isinstance(items, list) else [])
        )
        try:
            total = int(snippet.get("totalReplyCount") or 0)
        except (TypeError, ValueError):
            total = 0
        return cls(id=_text(data, "id") or top.id, video_id=video_id, top=top, replies=replies, total_replies=total)
