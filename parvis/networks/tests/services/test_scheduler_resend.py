"""The scheduler sends a lost task again, but not one that only waits behind a backlog (database queue)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parvis.networks.models import Action, ConnectedAccount
from parvis.networks.services import scheduler_tick
from parvis.networks.tasks import execute_action
from parvis.networks.tests.factories import ActionFactory


@pytest.fixture(autouse=True)
def _database_queue(settings: pytest.FixtureRequest) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # type: ignore[attr-defined]


def _queued_for(action_id: int) -> int:
    return sum(
        1
        for row in DBTaskResult.objects.filter(task_path=execute_action.module_path)
        if row.args_kwargs["args"] == [action_id]
    )


def test_an_action_still_waiting_in_a_backlog_is_not_sent_again(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    scheduler_tick()
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    Action.objects.filter(pk=action.pk).update(enqueued_at=two_minutes_ago)
    DBTaskResult.objects.filter(task_path=execute_action.module_path).update(enqueued_at=two_minutes_ago)

    scheduler_tick()

    assert _queued_for(action.pk) == 1


def test_an_action_whose_task_left_the_queue_is_sent_again_after_a_minute(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    scheduler_tick()
    Action.objects.filter(pk=action.pk).update(enqueued_at=timezone.now() - timedelta(minutes=2))
    DBTaskResult.objects.filter(task_path=execute_action.module_path).delete()  # lost

    scheduler_tick()

    assert _queued_for(action.pk) == 1


def test_a_tick_enqueues_a_burst_in_batches(workspace: object) -> None:
    account = ConnectedAccount.objects.get(pk=ActionFactory(account__workspace=workspace).account_id)
    ActionFactory.create_batch(1200, account=account)

    report = scheduler_tick()

    assert report["actions"] == 1201
    assert DBTaskResult.objects.filter(task_path=execute_action.module_path).count() == 1201
