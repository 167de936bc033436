from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from parvis.core.models import Workspace
from parvis.inbox import hooks
from parvis.inbox.models import Conversation, Message
from parvis.moderation.crisis import crisis_register
from parvis.networks import periodic
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _crisis_registered() -> Iterator[None]:
    """What parvis.moderation.registration does at start-up, for these tests only."""
    before_hooks, before_jobs = dict(hooks._HOOKS), dict(periodic._JOBS)
    crisis_register()
    yield
    hooks._HOOKS.clear()
    hooks._HOOKS.update(before_hooks)
    periodic._JOBS.clear()
    periodic._JOBS.update(before_jobs)


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace)
    return created


Messages = Callable[..., list[Message]]


@pytest.fixture
def messages() -> Messages:
    """Store `count` incoming messages on `account`, spread evenly over [start, start + span)."""
    counter = iter(range(1, 10**9))

    def make(
        account: ConnectedAccount,
        start: datetime,
        count: int,
        *,
        span: timedelta = timedelta(minutes=50),
        sentiment: str = "negative",
        category: str = "criticism",
        conversation: Conversation | None = None,
    ) -> list[Message]:
        created = []
        for index in range(count):
            n = next(counter)
            at = start + span * index / max(count, 1)
            thread = conversation or Conversation.objects.create(
                workspace=account.workspace, account=account, thread_key=f"c{n}", kind="mention", last_message_at=at
            )
            created.append(
                Message(
                    workspace=account.workspace,
                    conversation=thread,
                    account=account,
                    kind="mention",
                    external_id=f"neg{n}",
                    text="C'est inadmissible",
                    sentiment=sentiment,
                    category=category,
                    occurred_at=at,
                )
            )
        Message.objects.bulk_create(created)
        return list(
            Message.objects.filter(external_id__in=[m.external_id for m in created], account=account).order_by("pk")
        )

    return make
