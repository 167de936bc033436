from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend

from parvis.core.models import Membership
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, scheduler_tick


def _create(account: ConnectedAccount, **extra: object) -> object:
    return action_create(
        workspace=account.workspace,
        account=account,
        kind=ActionKind.PUBLISH,
        payload={"text": "Bonjour"},
        **extra,  # type: ignore[arg-type]
    )


def test_an_action_due_now_is_sent_once_the_transaction_commits(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action = _create(account)

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.DONE  # type: ignore[attr-defined]
    assert len(FakeConnector.published) == 1


def test_an_action_is_not_sent_when_the_transaction_does_not_commit(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        _create(account)

    assert len(callbacks) == 1
    assert FakeConnector.published == []


def test_an_action_due_later_waits_for_the_scheduler(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        _create(account, due_at=timezone.now() + timedelta(hours=1))

    assert callbacks == []
    assert FakeConnector.published == []


def test_each_action_gets_its_own_idempotency_key(account: ConnectedAccount) -> None:
    first, second = _create(account), _create(account)

    assert first.idempotency_key != second.idempotency_key  # type: ignore[attr-defined]


def test_it_remembers_who_asked_for_it(account: ConnectedAccount, camille: Membership) -> None:
    action = _create(account, created_by=camille.user)

    assert action.created_by == camille.user  # type: ignore[attr-defined]


def test_an_account_of_another_workspace_is_refused(account: ConnectedAccount) -> None:
    with pytest.raises(ValueError, match="workspace"):
        action_create(
            workspace=WorkspaceFactory(), account=account, kind=ActionKind.PUBLISH, payload={"text": "Bonjour"}
        )


def test_a_queue_that_is_down_does_not_fail_the_decision_and_the_scheduler_sends_it_later(
    account: ConnectedAccount,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def queue_down(*args: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(ImmediateBackend, "enqueue", queue_down)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action = _create(account)
    monkeypatch.undo()

    scheduler_tick(now=timezone.now() + timedelta(seconds=61))

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.DONE  # type: ignore[attr-defined]
