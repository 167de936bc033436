"""What the failure drills share: a burst of posts on a mastodon-mock account, and draining it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, scheduler_tick
from parvis.testing.mastodon import MastodonMockServer, MockAccount

BURST = 30

Burst = Callable[..., list[Action]]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def burst(camille: Membership) -> Burst:
    """`burst(account, n=30)`: n posts due now, each with its own text, created the way publishing does."""

    def make(account: ConnectedAccount, n: int = BURST, prefix: str = "Burst") -> list[Action]:
        return [
            action_create(
                workspace=account.workspace,
                account=account,
                kind=ActionKind.PUBLISH,
                payload={"text": f"{prefix} post {number:02d}: le salon ouvre à 9 h."},
                created_by=camille.user,
                source="publishing.delivery",
                summary=f"{prefix} post {number:02d}",
            )
            for number in range(BURST if n is None else n)
        ]

    return make


def drain(actions: list[Action], *, timeout: float = 20.0, make_due: bool = False) -> None:
    """Run the scheduler (tasks run at once in tests) until every action is done or `timeout` passes.

    `make_due`: skip backoff delays (time passing), for failures retried after 30 s or more.
    """
    ids = [action.pk for action in actions]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if make_due:
            Action.objects.filter(pk__in=ids, status=ActionStatus.PENDING).update(next_attempt_at=timezone.now())
        scheduler_tick()
        if not Action.objects.filter(pk__in=ids).exclude(status=ActionStatus.DONE).exists():
            return
        time.sleep(0.2)


def statuses_by_text(server: MastodonMockServer, account: MockAccount) -> Counter[str]:
    """How many statuses of each text the account has on the mock (every page)."""
    client = server.client(account)
    counts: Counter[str] = Counter()
    page = client.account_statuses(account.id, limit=40)
    while page:
        for status in page:
            counts[_plain(status["content"])] += 1
        page = client.fetch_next(page)
    return counts


def _plain(html: str) -> str:
    from parvis.networks.text import html_to_text

    return html_to_text(html)
