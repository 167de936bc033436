from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.models import AccountStatus, ActionStatus, AttemptOutcome, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import BACKOFF_CAP_SECONDS, action_execute, backoff_delay
from parvis.networks.tasks import execute_action
from parvis.networks.tests.factories import ActionFactory

# --- success ---------------------------------------------------------------------------------


def test_it_publishes_the_text_through_the_connector(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, payload={"text": "Salon des entreprises : inscriptions ouvertes."})

    action_execute(action_id=action.pk)

    assert [request.text for request in FakeConnector.published] == ["Salon des entreprises : inscriptions ouvertes."]


def test_it_records_the_external_id_and_url_of_what_it_published(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.external_id
    assert action.external_url == f"https://fake.example/{action.external_id}"
    assert action.finished_at is not None


def test_it_records_a_successful_attempt_in_the_ledger(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    [attempt] = action.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.OK
    assert attempt.finished_at is not None
    assert attempt.error == ""


def test_the_idempotency_key_reaches_the_connector(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    assert FakeConnector.published[0].idempotency_key == action.idempotency_key


def test_a_reply_reaches_the_connector_with_what_it_answers(account: ConnectedAccount) -> None:
    action = ActionFactory(
        account=account,
        kind=ActionKind.REPLY.value,
        payload={
            "text": "Le salon ouvre à 9 h.",
            "in_reply_to_id": "status-42",
            "in_reply_to_author": "@marie@social.example",
            "visibility": "unlisted",
        },
    )

    action_execute(action_id=action.pk)

    [request] = FakeConnector.published
    assert request.kind == ActionKind.REPLY
    assert (request.in_reply_to_id, request.in_reply_to_author, request.visibility) == (
        "status-42",
        "@marie@social.example",
        "unlisted",
    )


def test_a_done_action_is_never_executed_again_even_when_its_task_is_enqueued_twice(
    account: ConnectedAccount,
) -> None:
    action = ActionFactory(account=account)

    execute_action.enqueue(action.pk)
    execute_action.enqueue(action.pk)

    assert len(FakeConnector.published) == 1
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.attempts == 1


def test_executing_a_missing_action_does_nothing(db: None) -> None:
    assert action_execute(action_id=123456) is None
    assert FakeConnector.published == []


# --- transient errors ------------------------------------------------------------------------


def test_a_transient_error_puts_the_action_back_to_pending_for_later(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(TransientError("The server did not answer."))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert action.next_attempt_at > timezone.now()
    assert action.last_error == "The server did not answer."
    assert action.attempt_log.get().outcome == AttemptOutcome.TRANSIENT


def test_the_wait_after_a_transient_error_grows_with_the_attempts(account: ConnectedAccount) -> None:
    waits = []
    for previous_attempts in (0, 1, 2):
        FakeConnector.fail_next.append(TransientError("Timeout"))
        action = ActionFactory(account=account, attempts=previous_attempts)
        before = timezone.now()
        action_execute(action_id=action.pk)
        action.refresh_from_db()
        waits.append((action.next_attempt_at - before).total_seconds())

    assert waits[0] < waits[1] < waits[2]


def test_the_wait_after_a_transient_error_is_capped(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(TransientError("Timeout"))
    action = ActionFactory(account=account, attempts=30, max_attempts=100)
    before = timezone.now()

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert action.next_attempt_at <= before + timedelta(seconds=BACKOFF_CAP_SECONDS + 1)


def test_a_transient_error_fails_the_action_after_max_attempts(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(TransientError("Timeout"))
    action = ActionFactory(account=account, attempts=7, max_attempts=8)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert action.finished_at is not None
    assert action.last_error == "Timeout"


def test_an_action_retried_after_a_transient_error_succeeds_once_due(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(TransientError("Timeout"))
    action = ActionFactory(account=account)
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    action.next_attempt_at = timezone.now() - timedelta(seconds=1)
    action.save(update_fields=["next_attempt_at"])

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.last_error == ""
    assert [a.outcome for a in action.attempt_log.all()] == [AttemptOutcome.TRANSIENT, AttemptOutcome.OK]
    assert len(FakeConnector.published) == 1


# --- rate limits -----------------------------------------------------------------------------


def test_a_rate_limit_waits_at_least_as_long_as_the_network_asks(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(RateLimited("Too many requests.", retry_after=120))
    action = ActionFactory(account=account)
    before = timezone.now()

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert action.next_attempt_at >= before + timedelta(seconds=120)
    assert action.attempt_log.get().outcome == AttemptOutcome.RATE_LIMITED


# --- expired authorisation ---------------------------------------------------------------------


def test_it_holds_the_action_when_the_token_is_revoked(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(AuthExpired("The access token was revoked."))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert action.finished_at is None
    assert action.attempt_log.get().outcome == AttemptOutcome.AUTH_EXPIRED


def test_a_revoked_token_flags_the_account_for_reconnection(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(AuthExpired("The access token was revoked."))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_REAUTH
    assert account.last_error == "The access token was revoked."


def test_a_revoked_token_stops_the_polling_of_the_account(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(AuthExpired("The access token was revoked."))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    account.refresh_from_db()
    assert account.next_poll_at is None


def test_it_holds_the_action_without_calling_the_network_when_the_account_needs_reconnection(
    account: ConnectedAccount,
) -> None:
    account.status = AccountStatus.NEEDS_REAUTH
    account.save(update_fields=["status"])
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert FakeConnector.published == []


# --- permanent and unexpected errors -------------------------------------------------------------


def test_a_permanent_error_fails_the_action_with_the_networks_message(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(PermanentError("Validation failed: text is too long."))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert action.last_error == "Validation failed: text is too long."
    assert action.finished_at is not None
    assert action.attempt_log.get().outcome == AttemptOutcome.PERMANENT


def test_an_unexpected_exception_in_the_connector_fails_the_action_as_an_internal_error(
    account: ConnectedAccount,
) -> None:
    FakeConnector.fail_next.append(KeyError("id"))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert action.last_error.startswith("Internal error")
    assert action.attempt_log.get().outcome == AttemptOutcome.CRASHED


def test_an_unexpected_exception_never_leaves_the_action_processing(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(ZeroDivisionError("division by zero"))
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status != ActionStatus.PROCESSING
    assert action.attempt_log.get().finished_at is not None


def test_an_action_of_an_unknown_network_fails_as_an_internal_error(account: ConnectedAccount) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(network="gopher")
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert action.last_error.startswith("Internal error")


def test_an_action_of_a_disconnected_account_fails_without_calling_the_network(account: ConnectedAccount) -> None:
    account.status = AccountStatus.DISABLED
    account.save(update_fields=["status"])
    action = ActionFactory(account=account)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert FakeConnector.published == []


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.FAILED, ActionStatus.CANCELLED])
def test_a_finished_action_is_left_alone(account: ConnectedAccount, status: ActionStatus) -> None:
    action = ActionFactory(account=account, status=status)

    assert action_execute(action_id=action.pk) is None
    assert FakeConnector.published == []


def test_the_backoff_never_exceeds_its_cap_even_with_jitter() -> None:
    delays = [backoff_delay(attempts) for attempts in range(1, 40) for _ in range(20)]

    assert max(delays) <= BACKOFF_CAP_SECONDS
