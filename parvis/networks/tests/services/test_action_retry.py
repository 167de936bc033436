from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import TransientError
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount
from parvis.networks.services import action_execute, action_retry
from parvis.networks.tests.factories import ActionFactory


def _failed(account: ConnectedAccount, **fields: object) -> object:
    return ActionFactory(
        account=account,
        status=ActionStatus.FAILED,
        attempts=8,
        last_error="Timeout",
        finished_at=timezone.now(),
        **fields,
    )


def test_retrying_a_failed_action_puts_it_back_in_the_queue(camille: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)

    retried = action_retry(membership=camille, action=action)

    assert retried.status == ActionStatus.PENDING
    assert retried.next_attempt_at <= timezone.now()
    assert retried.finished_at is None


def test_a_retried_action_is_sent_once_the_retry_commits(
    camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    action = _failed(account)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1


def test_a_retried_action_gets_a_fresh_set_of_attempts(camille: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)
    action_retry(membership=camille, action=action)
    FakeConnector.fail_next.append(TransientError("Timeout"))

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


def test_retrying_is_written_to_the_audit_log(camille: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)

    action_retry(membership=camille, action=action)

    assert AuditEntry.objects.filter(verb="action.retry", target_id=str(action.pk)).count() == 1


def test_retrying_a_done_action_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, status=ActionStatus.DONE)

    with pytest.raises(ValueError, match="failed or held"):
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_retrying_an_action_that_finished_meanwhile_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)
    type(action).objects.filter(pk=action.pk).update(status=ActionStatus.DONE)

    with pytest.raises(ValueError):
        action_retry(membership=camille, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_retrying_another_workspaces_action_is_refused(oscar: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)

    with pytest.raises(PermissionError):
        action_retry(membership=oscar, action=action)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED


def test_retrying_needs_the_publish_permission(theo: Membership, account: ConnectedAccount) -> None:
    action = _failed(account)

    with pytest.raises(PermissionDenied):
        action_retry(membership=theo, action=action)


def test_a_held_action_cannot_be_retried_before_the_account_is_reconnected(
    camille: Membership, account: ConnectedAccount
) -> None:
    account.status = AccountStatus.NEEDS_REAUTH
    account.save(update_fields=["status"])
    action = ActionFactory(account=account, status=ActionStatus.HELD)

    with pytest.raises(ValueError, match="Reconnect"):
        action_retry(membership=camille, action=action)
