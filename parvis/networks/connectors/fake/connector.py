"""An in-memory network: the template for new connectors and the double for unit tests.

State lives in class attributes so tests can script what the network says
(`FakeConnector.inbox`) and how it fails (`FakeConnector.fail_next`). `lose_response_next`
makes a publish go through while its answer is lost on the way back (the network has the post,
Parvis gets an error), and `vanish()` removes a post as a moderator would: what read-back is for.

Moderation and relationships (every ActionKind is supported): HIDE / UNHIDE put a post in or
out of `hidden`; FOLLOW, BLOCK / UNBLOCK, MUTE / UNMUTE change `following`, `blocked`, `muted`
(sets of person ids: `target_id`, or `target_handle` when there is no id); SEND_DIRECT is kept in
`directs`, REPORT in `reports`. Every request is still appended to `published`, as before.

Streaming (capability `streaming`): `push(event)` adds an event to `inbox` (what a poll reads)
and delivers it to the open streams; `drop_streams()` cuts them (the runner reconnects);
`stream_fail_next` makes the next `open_stream` calls fail.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from parvis.networks.errors import AuthExpired, PermanentError, TransientError
from parvis.networks.protocol import (
    AccountRef,
    ActionKind,
    ActionRequest,
    ActionResult,
    Capabilities,
    EventKind,
    FetchResult,
    NetworkEvent,
    Profile,
)


class FakeConnector:
    network: ClassVar[str] = "fake"
    display_name: ClassVar[str] = "Fake network"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=280,
        max_media=4,
        media_types=frozenset({"image/png", "image/jpeg"}),
        max_media_bytes=5 * 1024 * 1024,
        alt_text_max=1000,
        actions=frozenset(ActionKind),
        event_kinds=frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.DIRECT_MESSAGE, EventKind.FOLLOW}),
        direct_messages=True,
        poll_interval_seconds=30,
        token_paste=True,
        search=True,
        read_back=True,
        streaming=True,
        delete_others=True,
    )

    inbox: ClassVar[list[NetworkEvent]] = []
    published: ClassVar[list[ActionRequest]] = []
    fail_next: ClassVar[list[Exception]] = []
    # Raised after the post is stored: the call went through, the answer was lost.
    lose_response_next: ClassVar[list[Exception]] = []
    posts: ClassVar[dict[str, FakePost]] = {}  # what the network holds, by external id
    _ids: ClassVar[itertools.count[int]] = itertools.count(1000)
    # Moderation and relationships, as the network keeps them.
    hidden: ClassVar[set[str]] = set()  # post ids hidden under our posts
    following: ClassVar[set[str]] = set()
    blocked: ClassVar[set[str]] = set()
    muted: ClassVar[set[str]] = set()
    directs: ClassVar[list[ActionRequest]] = []
    reports: ClassVar[list[ActionRequest]] = []
    # Streaming.
    stream_fail_next: ClassVar[list[Exception]] = []
    _streams: ClassVar[list[FakeStream]] = []
    _streams_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.inbox = []
        cls.published = []
        cls.fail_next = []
        cls.lose_response_next = []
        cls.posts = {}
        cls.hidden = set()
        cls.following = set()
        cls.blocked = set()
        cls.muted = set()
        cls.directs = []
        cls.reports = []
        cls.stream_fail_next = []
        cls.drop_streams()

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def verify(self, account: AccountRef) -> Profile:
        self._maybe_fail()
        token = account.credentials.get("access_token", "")
        if not token:
            raise AuthExpired("No access token")
        return Profile(external_id=f"id-{token}", handle=f"@{token}", display_name=token, url="")

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        self._maybe_fail()
        seen = int(cursor.get("seen", 0))
        events = self.inbox[seen:]
        return FetchResult(events=list(events), cursor={"seen": len(self.inbox)})

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        self._maybe_fail()
        if request.kind in _RELATIONSHIP_KINDS:
            return self._relationship(request)
        self.published.append(request)
        external_id = str(next(self._ids))
        self.posts[external_id] = FakePost(
            account_id=account.external_id, request=request, at=datetime.now(UTC), external_id=external_id
        )
        if self.lose_response_next:
            raise self.lose_response_next.pop(0)
        return ActionResult(external_id=external_id, url=f"https://fake.example/{external_id}")

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """The post by id, or else the account's post made from `request` (same kind and text) since `since`."""
        self._maybe_fail()
        if external_id:
            found = self.posts.get(external_id)
            return found.result() if found is not None and found.account_id == account.external_id else None
        for post in self.posts.values():
            if (
                post.account_id == account.external_id
                and (since is None or post.at >= since)
                and post.request.kind == request.kind
                and post.request.text == request.text
                and post.request.in_reply_to_id == request.in_reply_to_id
            ):
                return post.result()
        return None

    def _relationship(self, request: ActionRequest) -> ActionResult:
        """Moderation and relationship actions: they change the network's state, they publish nothing."""
        target = request.target_id or request.target_handle
        if not target:
            raise PermanentError(f"This {request.kind} does not say whom or what it is about.")
        self.published.append(request)
        kind = request.kind
        if kind == ActionKind.HIDE:
            self.hidden.add(target)
        elif kind == ActionKind.UNHIDE:
            self.hidden.discard(target)
        elif kind == ActionKind.FOLLOW:
            self.following.add(target)
        elif kind == ActionKind.BLOCK:
            self.blocked.add(target)
            self.following.discard(target)
        elif kind == ActionKind.UNBLOCK:
            self.blocked.discard(target)
        elif kind == ActionKind.MUTE:
            self.muted.add(target)
        elif kind == ActionKind.UNMUTE:
            self.muted.discard(target)
        elif kind == ActionKind.REPORT:
            self.reports.append(request)
        elif kind == ActionKind.SEND_DIRECT:
            if not request.text.strip():
                raise PermanentError("This private message is empty.")
            self.directs.append(request)
            external_id = str(next(self._ids))
            return ActionResult(external_id=external_id, url=f"https://fake.example/{external_id}")
        if self.lose_response_next:
            raise self.lose_response_next.pop(0)
        return ActionResult(external_id=target, data={"kind": kind.value})

    # --- streaming --------------------------------------------------------------------------------

    def open_stream(self, account: AccountRef) -> FakeStream:
        if self.stream_fail_next:
            raise self.stream_fail_next.pop(0)
        if not account.credentials.get("access_token", ""):
            raise AuthExpired("No access token")
        stream = FakeStream()
        with self._streams_lock:
            self._streams.append(stream)
        return stream

    @classmethod
    def push(cls, event: NetworkEvent) -> None:
        """Something happens on the network: a poll will read it, and open streams deliver it now."""
        cls.inbox.append(event)
        with cls._streams_lock:
            streams = list(cls._streams)
        for stream in streams:
            stream.deliver(event)

    @classmethod
    def drop_streams(cls) -> None:
        """The network cuts every open stream (each iteration raises TransientError)."""
        with cls._streams_lock:
            streams, cls._streams = list(cls._streams), []
        for stream in streams:
            stream.drop()

    @classmethod
    def open_streams(cls) -> int:
        with cls._streams_lock:
            return sum(1 for stream in cls._streams if not stream.closed)

    @classmethod
    def vanish(cls, external_id: str) -> None:
        """Remove a post from the network (a moderator, or someone by hand)."""
        cls.posts.pop(external_id, None)

    def count_characters(self, text: str) -> int:
        return len(text)

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        """The fake network's public posts are its `inbox`: the events holding `query` as a whole word."""
        self._maybe_fail()
        seen = int(cursor.get("search_seen", 0))
        pattern = re.compile(rf"(?<!\w){re.escape(query.strip())}(?!\w)", re.IGNORECASE)
        events = [event for event in self.inbox[seen:] if pattern.search(event.text)]
        return FetchResult(events=events, cursor={"search_seen": len(self.inbox)})


_RELATIONSHIP_KINDS = frozenset(
    {
        ActionKind.HIDE,
        ActionKind.UNHIDE,
        ActionKind.FOLLOW,
        ActionKind.BLOCK,
        ActionKind.UNBLOCK,
        ActionKind.MUTE,
        ActionKind.UNMUTE,
        ActionKind.SEND_DIRECT,
        ActionKind.REPORT,
    }
)

_DROP = object()
_CLOSE = object()


class FakeStream:
    """An open stream of the fake network: events pushed while it is open, a keep-alive every `keep_alive` s."""

    keep_alive: ClassVar[float] = 0.05

    def __init__(self) -> None:
        self._queue: queue.Queue[object] = queue.Queue()
        self.closed = False

    def deliver(self, event: NetworkEvent) -> None:
        if not self.closed:
            self._queue.put(event)

    def drop(self) -> None:
        self._queue.put(_DROP)

    def close(self) -> None:
        self.closed = True
        self._queue.put(_CLOSE)

    def __iter__(self) -> Iterator[NetworkEvent | None]:
        while not self.closed:
            try:
                item = self._queue.get(timeout=self.keep_alive)
            except queue.Empty:
                yield None
                continue
            if item is _CLOSE:
                return
            if item is _DROP:
                self.closed = True
                raise TransientError("The fake network dropped the stream.")
            if isinstance(item, NetworkEvent):
                yield item


@dataclass(frozen=True)
class FakePost:
    """A post the fake network holds."""

    account_id: str
    request: ActionRequest
    at: datetime
    external_id: str

    def result(self) -> ActionResult:
        return ActionResult(external_id=self.external_id, url=f"https://fake.example/{self.external_id}")
