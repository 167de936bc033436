"""An in-memory network: the template for new connectors and the double for unit tests.

State lives in class attributes so tests can script what the network says
(`FakeConnector.inbox`) and how it fails (`FakeConnector.fail_next`).
"""

from __future__ import annotations

import itertools
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
    )

    inbox: ClassVar[list[NetworkEvent]] = []
    published: ClassVar[list[ActionRequest]] = []
    fail_next: ClassVar[list[Exception]] = []
    _ids: ClassVar[itertools.count[int]] = itertools.count(1000)

    @classmethod
    def reset(cls) -> None:
        cls.inbox = []
        cls.published = []
        cls.fail_next = []

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
        return ActionResult(external_id=external_id, url=f"https://fake.example/{external_id}")

    def count_characters(self, text: str) -> int:
        return len(text)
