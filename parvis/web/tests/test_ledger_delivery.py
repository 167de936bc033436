"""The ledger's decisions: publish now, reschedule, cancel, retry safely; and the read-back's verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import TransientError
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.services import VERIFY_SCHEDULE, action_execute, action_verify
from parvis.networks.tests.factories import ActionFactory

SignedIn = Callable[[Membership], Client]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Pages answer in the browser's language; these tests read them in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _ledger(client: Client, **query: str) -> str:
    return client.get(reverse("web:ledger"), query).content.decode()


def _held_late(account: ConnectedAccount) -> Action:
    due = timezone.now() - timedelta(hours=2)
    action: Action = ActionFactory(
        account=account, due_at=due, next_attempt_at=due, late_after=due + timedelta(hours=1), summary="Salon"
    )
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    return action


def _uncertain_failure(account: ConnectedAccount) -> Action:
    action: Action = ActionFactory(account=account, max_attempts=1, summary="Salon")
    FakeConnector.lose_response_next.append(TransientError("social.example did not answer in time"))
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    return action


def test_a_post_held_late_offers_publish_now_and_reschedule(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    action = _held_late(account)

    page = _ledger(signed_in(camille))

    assert "Too late to publish on its own" in page
    assert "Publish now" in page
    assert reverse("web:action_reschedule", args=[action.pk]) in page
    assert reverse("web:action_cancel", args=[action.pk]) in page


def test_publish_now_publishes_a_post_held_late(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: object
) -> None:
    action = _held_late(account)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        signed_in(camille).post(reverse("web:action_retry", args=[action.pk]))

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_rescheduling_reads_the_time_in_the_workspaces_time_zone(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    action = _held_late(account)
    tomorrow = (
        (timezone.now() + timedelta(days=1))
        .astimezone(camille.workspace.zone)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )

    response = signed_in(camille).post(
        reverse("web:action_reschedule", args=[action.pk]), {"due_at": tomorrow.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert action.due_at == tomorrow
    assert "The action is rescheduled." in response.content.decode()


def test_a_time_that_is_not_a_time_is_refused_with_a_message(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    action = _held_late(account)

    response = signed_in(camille).post(
        reverse("web:action_reschedule", args=[action.pk]), {"due_at": "demain"}, follow=True
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD
    assert response.status_code == 200


def test_cancelling_from_the_ledger(signed_in: SignedIn, camille: Membership, account: ConnectedAccount) -> None:
    action = _held_late(account)

    signed_in(camille).post(reverse("web:action_cancel", args=[action.pk]))

    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_an_uncertain_failure_offers_retry_safely_and_explains_it(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    _uncertain_failure(account)

    page = _ledger(signed_in(camille))

    assert "Retry safely" in page
    assert "never published twice" in page


def test_retry_safely_clicked_twice_publishes_once(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: object
) -> None:
    action = _uncertain_failure(account)
    client = signed_in(camille)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(reverse("web:action_retry", args=[action.pk]))
        second = client.post(reverse("web:action_retry", args=[action.pk]), follow=True)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1  # the first try reached the network; the retry found it
    assert "This action cannot be retried" in second.content.decode()


def test_a_verified_post_says_so(signed_in: SignedIn, camille: Membership, account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    action_execute(action_id=action.pk)
    action_verify(action_id=action.pk)

    assert "Verified on the network" in _ledger(signed_in(camille))


def test_a_post_not_verified_yet_says_so(signed_in: SignedIn, camille: Membership, account: ConnectedAccount) -> None:
    action = ActionFactory(account=account)
    action_execute(action_id=action.pk)

    assert "Not verified yet" in _ledger(signed_in(camille))


def test_a_post_missing_from_the_network_is_a_visible_warning_with_publish_again(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    action = ActionFactory(account=account)
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    FakeConnector.vanish(action.external_id)
    for _try in VERIFY_SCHEDULE:
        action_verify(action_id=action.pk)

    page = _ledger(signed_in(camille))

    assert "Not found on the network" in page
    assert "Publish again" in page


def test_a_contributor_sees_no_decision_buttons(
    signed_in: SignedIn, theo: Membership, account: ConnectedAccount
) -> None:
    _held_late(account)

    page = _ledger(signed_in(theo))

    assert "Too late to publish on its own" in page
    assert "Publish now" not in page


def test_an_outsider_cannot_reschedule(signed_in: SignedIn, oscar: Membership, account: ConnectedAccount) -> None:
    action = _held_late(account)

    response = signed_in(oscar).post(reverse("web:action_reschedule", args=[action.pk]), {"due_at": "2030-01-01T09:00"})

    assert response.status_code == 404
