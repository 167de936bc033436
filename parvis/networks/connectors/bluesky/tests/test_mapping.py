"""Notifications and search results recorded from Bluesky's reference AppView, as Parvis events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from parvis.networks.connectors.bluesky.connector import (
    BEGINNING,
    CURSOR_KEY,
    CURSOR_URIS_KEY,
    _read_newest_first,
    _search_event,
    event_for,
)
from parvis.networks.connectors.bluesky.schemas import Notification, PostView
from parvis.networks.protocol import EventKind

FIXTURES = Path(__file__).parent / "fixtures"


def _recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def _notifications() -> dict[str, Notification]:
    items = [Notification.from_api(item) for item in _recorded("list_notifications.json")["notifications"]]
    return {item.reason: item for item in items}


def test_a_mention_keeps_its_text_with_the_full_link_and_who_wrote_it() -> None:
    mention = _notifications()["mention"]

    event = event_for(mention)

    assert event is not None
    assert event.kind == EventKind.MENTION
    assert event.text == "Vous venez @cci-1.test ? https://parvis.example/programme-complet"
    assert event.external_id == mention.uri
    assert event.thread_key == mention.uri
    assert event.author is not None
    assert event.author.external_id == "did:plc:5kh635bkfxwiftlziyamtwwa"
    assert event.author.handle == "@bob-2.test"
    assert event.url == "https://bsky.app/profile/bob-2.test/post/3n2skee66dk2o"
    assert event.occurred_at.tzinfo is not None


def test_a_reply_answers_its_parent_inside_the_thread_of_its_root() -> None:
    event = event_for(_notifications()["reply"])

    post = "at://did:plc:gtrb5fdooaqewkqnaipllg2m/app.bsky.feed.post/3n2skedstzs2o"
    assert event is not None and event.kind == EventKind.REPLY
    assert event.text == "Super, à demain !"
    assert event.in_reply_to_id == post
    assert event.thread_key == post


def test_a_quote_reads_like_a_mention() -> None:
    event = event_for(_notifications()["quote"])

    assert event is not None and event.kind == EventKind.MENTION
    assert event.text == "À partager"
    assert event.raw["reason"] == "quote"


def test_likes_reposts_and_follows_are_events_without_text() -> None:
    notifications = _notifications()
    post = "at://did:plc:gtrb5fdooaqewkqnaipllg2m/app.bsky.feed.post/3n2skedstzs2o"

    like = event_for(notifications["like"])
    repost = event_for(notifications["repost"])
    follow = event_for(notifications["follow"])

    assert like is not None and like.kind == EventKind.FAVOURITE and like.in_reply_to_id == post
    assert like.external_id == f"like:{notifications['like'].uri}"
    assert repost is not None and repost.kind == EventKind.REBLOG and repost.in_reply_to_id == post
    assert follow is not None and follow.kind == EventKind.FOLLOW and follow.text == ""
    assert follow.url == "https://bsky.app/profile/bob-2.test"


def test_unknown_and_ignored_reasons_are_skipped() -> None:
    raw = dict(_recorded("list_notifications.json")["notifications"][0])

    assert event_for(Notification.from_api({**raw, "reason": "starterpack-joined"})) is None
    assert event_for(Notification.from_api({**raw, "reason": "something-new"})) is None


def test_a_search_result_is_a_mention_kind_event() -> None:
    post = PostView.from_api(_recorded("search_posts.json")["posts"][0])

    event = _search_event(post)

    assert event.kind == EventKind.MENTION
    assert event.text == "Le salon ouvre demain https://parvis.example/salon #Salon"
    assert event.raw["source"] == "search"


# --- walking pages newest first back to the cursor ------------------------------------------------


@dataclass(frozen=True)
class Item:
    uri: str
    indexed_at: datetime
    indexed_at_raw: str


T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _item(n: int, *, same_as: int | None = None) -> Item:
    when = T0 + timedelta(seconds=same_as if same_as is not None else n)
    return Item(uri=f"at://x/p/{n}", indexed_at=when, indexed_at_raw=when.isoformat().replace("+00:00", "Z"))


class Pages:
    """A server holding `items`, serving them newest first, `size` a page."""

    def __init__(self, items: list[Item], size: int = 3) -> None:
        self.items = sorted(items, key=lambda item: item.indexed_at, reverse=True)
        self.size = size
        self.calls = 0

    def __call__(self, cursor: str | None) -> tuple[list[Item], str | None]:
        self.calls += 1
        start = int(cursor or 0)
        page = self.items[start : start + self.size]
        end = start + self.size
        return page, str(end) if end < len(self.items) else None


def _walk(pages: Pages, cursor: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    items, new_cursor = _read_newest_first(pages, cursor, key=CURSOR_KEY, uris_key=CURSOR_URIS_KEY)
    return [item.uri for item in items], new_cursor


def test_a_first_read_takes_the_newest_page_only_oldest_first() -> None:
    pages = Pages([_item(n) for n in range(1, 8)])

    uris, cursor = _walk(pages, {})

    assert uris == ["at://x/p/5", "at://x/p/6", "at://x/p/7"]
    assert pages.calls == 1
    assert cursor[CURSOR_KEY] == _item(7).indexed_at_raw


def test_a_first_read_of_nothing_starts_from_the_beginning() -> None:
    uris, cursor = _walk(Pages([]), {})

    assert uris == []
    assert cursor[CURSOR_KEY] == BEGINNING


def test_later_reads_page_back_to_the_cursor_and_deliver_oldest_first() -> None:
    pages = Pages([_item(n) for n in range(1, 10)])
    cursor = {CURSOR_KEY: _item(2).indexed_at_raw, CURSOR_URIS_KEY: ["at://x/p/2"]}

    uris, new_cursor = _walk(pages, cursor)

    assert uris == [f"at://x/p/{n}" for n in range(3, 10)]
    assert pages.calls == 3
    assert new_cursor[CURSOR_KEY] == _item(9).indexed_at_raw
    assert new_cursor[CURSOR_URIS_KEY] == ["at://x/p/9"]


def test_items_sharing_the_cursor_s_instant_are_delivered_once() -> None:
    a, b = _item(1), _item(2, same_as=1)
    first_uris, cursor = _walk(Pages([a]), {CURSOR_KEY: BEGINNING})
    second_uris, cursor = _walk(Pages([a, b]), cursor)
    third_uris, cursor = _walk(Pages([a, b]), cursor)

    assert first_uris == ["at://x/p/1"]
    assert second_uris == ["at://x/p/2"]
    assert third_uris == []
    assert cursor[CURSOR_URIS_KEY] == ["at://x/p/1", "at://x/p/2"]


# --- the backfill of a new account ------------------------------------------------------------------


def _recent(n: int, *, days_ago: float) -> Item:
    when = datetime.now(UTC) - timedelta(days=days_ago) + timedelta(seconds=n)
    return Item(uri=f"at://x/p/{n}", indexed_at=when, indexed_at_raw=when.isoformat().replace("+00:00", "Z"))


def _backfill(pages: Pages, days: int = 14, limit: int = 800) -> tuple[list[str], dict[str, Any]]:
    items, cursor = _read_newest_first(pages, {}, key=CURSOR_KEY, uris_key=CURSOR_URIS_KEY, backfill=(days, limit))
    return [item.uri for item in items], cursor


def test_a_backfill_reads_every_page_of_the_window_oldest_first() -> None:
    pages = Pages([_recent(n, days_ago=1) for n in range(1, 8)])

    uris, cursor = _backfill(pages)

    assert uris == [f"at://x/p/{n}" for n in range(1, 8)]
    assert pages.calls == 3
    assert cursor[CURSOR_URIS_KEY] == ["at://x/p/7"]


def test_a_backfill_stops_at_the_window_and_at_the_item_limit() -> None:
    old = [_recent(n, days_ago=30) for n in range(1, 4)]
    recent = [_recent(n, days_ago=1) for n in range(4, 10)]

    in_window, _ = _backfill(Pages(old + recent))
    limited, _ = _backfill(Pages(old + recent), limit=4)

    assert in_window == [f"at://x/p/{n}" for n in range(4, 10)]
    assert limited == [f"at://x/p/{n}" for n in range(6, 10)]  # the newest ones


def test_a_backfill_with_only_old_items_starts_after_the_newest() -> None:
    pages = Pages([_recent(n, days_ago=30) for n in range(1, 4)])

    uris, cursor = _backfill(pages)

    assert uris == []
    assert cursor[CURSOR_KEY] == pages.items[0].indexed_at_raw
    assert _walk(Pages(pages.items), cursor)[0] == []
