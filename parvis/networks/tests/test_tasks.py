"""The tasks only load by id and call one service; what they return is for the job queue's records."""

from __future__ import annotations

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.tasks import execute_action, poll_account
from parvis.networks.tests.factories import ActionFactory, NetworkEventFactory


def test_the_execute_task_returns_the_status_the_action_reached(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)

    result = execute_action.enqueue(action.pk)

    assert result.return_value == ActionStatus.DONE


def test_the_execute_task_says_when_it_had_nothing_to_do(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, status=ActionStatus.DONE)

    result = execute_action.enqueue(action.pk)

    assert result.return_value == "skipped"


def test_the_poll_task_returns_how_many_events_were_stored(account: ConnectedAccount) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))

    result = poll_account.enqueue(account.pk)

    assert result.return_value == 2
