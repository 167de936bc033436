"""End to end through the real job queue: scheduler → database backend → db_worker → connector."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus
from parvis.networks.services import scheduler_tick
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import PostStatus
from parvis.publishing.selectors import post_get, post_status_of
from parvis.publishing.services import post_create

WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


@pytest.fixture
def database_queue(settings: pytest.FixtureRequest) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers and leaves them in place."""
    before = {number: signal.getsignal(number) for number in WORKER_SIGNALS}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def _run_worker_once() -> str:
    out = StringIO()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue", "restore_signals")
def test_a_due_post_reaches_the_network_through_the_scheduler_and_the_worker(camille: Membership) -> None:
    account = ConnectedAccountFactory(workspace=camille.workspace)
    post = post_create(
        membership=camille,
        text="Le salon des entreprises ouvre ses portes jeudi à 9 h.",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    assert DBTaskResult.objects.count() == 0  # scheduled: nothing is queued yet
    past = timezone.now() - timedelta(seconds=1)
    Action.objects.filter(delivery__post=post).update(due_at=past, next_attempt_at=past)  # its time has come

    report = scheduler_tick()
    _run_worker_once()

    assert report["actions"] == 1
    assert [request.text for request in FakeConnector.published] == [
        "Le salon des entreprises ouvre ses portes jeudi à 9 h."
    ]
    action = Action.objects.get(delivery__post=post)
    assert action.status == ActionStatus.DONE
    assert post_status_of(post_get(camille.workspace, post.pk)) == PostStatus.PUBLISHED
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0
