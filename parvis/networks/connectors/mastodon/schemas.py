"""The Mastodon payloads Parvis reads, as typed models.

Mastodon.py hands back dict subclasses whose values may already be converted
(datetimes, ids) or still raw (strings), depending on the server and the
library version. Everything the connector reads goes through these
constructors, so a payload of the wrong shape fails in one place, with
`PayloadError`, instead of as a KeyError deep in the mapping code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self


class PayloadError(ValueError):
    """A Mastodon answer did not have the shape of the entity it should be."""


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"expected {what} to be an object, got {type(value).__name__}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _required_id(data: Mapping[str, Any], what: str) -> str:
    value = data.get("id")
    if value is None or str(value) == "":
        raise PayloadError(f"{what} without an id")
    return str(value)


def parse_datetime(value: object) -> datetime | None:
    """An aware datetime from what Mastodon.py gives (datetime, ISO 8601 string, epoch), or None."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def id_sort_key(value: str) -> tuple[int, str]:
    """Order ids the way the server does: Mastodon's are numeric strings, other servers' are ULIDs.

    Comparing by length first, then lexically, is numeric order for numbers and
    time order for fixed-length ULIDs.
    """
    return (len(value), value)


@dataclass(frozen=True)
class MastodonAccount:
    id: str
    username: str
    acct: str  # "user" for accounts of the same instance, "user@domain" for the others
    display_name: str
    url: str
    avatar: str
    bot: bool

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = _mapping(value, "an account")
        username = _text(data, "username")
        acct = _text(data, "acct") or username
        if not acct:
            raise PayloadError("account without a username")
        return cls(
            id=_required_id(data, "account"),
            username=username or acct.split("@", 1)[0],
            acct=acct,
            display_name=_text(data, "display_name"),
            url=_text(data, "url"),
            avatar=_text(data, "avatar"),
            bot=bool(data.get("bot") or False),
        )


@dataclass(frozen=True)
class MastodonMedia:
    id: str
    url: str  # empty while the server is still processing the file
    description: str

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = _mapping(value, "a media attachment")
        return cls(id=_required_id(data, "media"), url=_text(data, "url"), description=_text(data, "description"))


@dataclass(frozen=True)
class MastodonStatus:
    id: str
    url: str
    content: str  # HTML on real servers, sometimes plain text elsewhere
    spoiler_text: str
    visibility: str
    created_at: datetime | None
    in_reply_to_id: str
    in_reply_to_account_id: str
    account: MastodonAccount
    media: tuple[MastodonMedia, ...]
    mentions: tuple[tuple[str, str], ...] = ()  # (id, acct) of each mentioned account

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = _mapping(value, "a status")
        media = data.get("media_attachments") or []
        if not isinstance(media, list | tuple):
            raise PayloadError("media_attachments is not a list")
        mentions = data.get("mentions") or []
        if not isinstance(mentions, list | tuple):
            raise PayloadError("mentions is not a list")
        return cls(
            id=_required_id(data, "status"),
            url=_text(data, "url") or _text(data, "uri"),
            content=_text(data, "content"),
            spoiler_text=_text(data, "spoiler_text"),
            visibility=_text(data, "visibility") or "public",
            created_at=parse_datetime(data.get("created_at")),
            in_reply_to_id=_text(data, "in_reply_to_id"),
            in_reply_to_account_id=_text(data, "in_reply_to_account_id"),
            account=MastodonAccount.from_api(data.get("account")),
            media=tuple(MastodonMedia.from_api(item) for item in media),
            mentions=tuple(
                (_text(mention, "id"), _text(mention, "acct"))
                for mention in mentions
                if isinstance(mention, Mapping) and mention.get("acct")
            ),
        )


@dataclass(frozen=True)
class MastodonNotification:
    id: str
    type: str
    created_at: datetime | None
    account: MastodonAccount | None
    status: MastodonStatus | None

    @classmethod
    def from_api(cls, value: object) -> Self:
        data = _mapping(value, "a notification")
        account = data.get("account")
        status = data.get("status")
        return cls(
            id=_required_id(data, "notification"),
            type=_text(data, "type"),
            created_at=parse_datetime(data.get("created_at")),
            account=MastodonAccount.from_api(account) if account is not None else None,
            status=MastodonStatus.from_api(status) if status is not None else None,
        )


def parse_list(value: object, what: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise PayloadError(f"expected a list of {what}, got {type(value).__name__}")
    return list(value)
