"""An in-memory network: the template for new connectors and the double for unit tests.

State lives in class attributes so tests can script what the network says
(`FakeConnector.inbox`) and how it fails (`FakeConnector.fail_next`). `lose_response_next`
makes a publish go through while its answer is lost on the way back (the network has the post,
Parvis gets an error), and `vanish()` removes a post as a moderator would: what read-back is for.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from parvis.networks.errors import AuthExpired
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
    )

    inbox: ClassVar[list[NetworkEvent]] = []
    published: ClassVar[list[ActionRequest]] = []
    fail_next: ClassVar[list[Exception]] = []
    # Raised after the post is stored: the call went through, the answer was lost.
    lose_response_next: ClassVar[list[Exception]] = []
    posts: ClassVar[dict[str, FakePost]] = {}  # what the network holds, by external id
    _ids: ClassVar[itertools.count[int]] = itertools.count(1000)

    @classmethod
    def reset(cls) -> None:
        cls.inbox = []
        cls.published = []
        cls.fail_next = []
        cls.lose_response_next = []
        cls.posts = {}

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


@dataclass(frozen=True)
class FakePost:
    """A post the fake network holds."""

    account_id: str
    request: ActionRequest
    at: datetime
    external_id: str

    def result(self) -> ActionResult:
        return ActionResult(external_id=self.external_id, url=f"https://fake.example/{self.external_id}")
