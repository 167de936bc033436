"""The delivery health page and /health.json."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount, Heartbeat
from parvis.networks.services import scheduler_tick
from parvis.networks.tests.factories import ActionFactory, ConnectedAccountFactory

SignedIn = Callable[[Membership], Client]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Pages answer in the browser's language; these tests read them in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _page(client: Client) -> str:
    return client.get(reverse("web:health")).content.decode()


def test_a_working_installation_says_so(signed_in: SignedIn, camille: Membership, account: ConnectedAccount) -> None:
    scheduler_tick()  # a tick, and a ping answered at once (tasks run immediately in tests)

    page = _page(signed_in(camille))

    assert "Delivery works." in page
    assert "Running" in page
    assert "Working" in page


def test_a_stopped_scheduler_is_shown_with_the_command_that_starts_it(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=10))

    page = _page(signed_in(camille))

    assert "Delivery needs attention." in page
    assert "Stopped" in page
    assert "python manage.py parvis_scheduler" in page


def test_stopped_workers_are_shown_with_the_command_that_starts_one(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    now = timezone.now()
    Heartbeat.objects.create(name="scheduler", at=now)
    Heartbeat.objects.create(name="ping:pending", at=now - timedelta(minutes=4))
    Heartbeat.objects.create(name="worker:web-1:4242", at=now - timedelta(minutes=30))

    page = _page(signed_in(camille))

    assert "python manage.py db_worker" in page
    assert "web-1:4242" in page


def test_the_queue_and_overdue_deliveries_are_listed(
    signed_in: SignedIn, camille: Membership, account: ConnectedAccount
) -> None:
    due = timezone.now() - timedelta(minutes=45)
    ActionFactory(account=account, due_at=due, next_attempt_at=due, summary="Salon des entreprises")
    ActionFactory(account=account, status=ActionStatus.HELD)

    page = _page(signed_in(camille))

    assert "Overdue deliveries" in page
    assert "Salon des entreprises" in page
    assert "?status=held" in page


def test_accounts_to_reconnect_link_to_the_accounts_page(
    signed_in: SignedIn, camille: Membership, workspace: object
) -> None:
    broken = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon", status=AccountStatus.NEEDS_REAUTH)
    ActionFactory(account=broken, status=ActionStatus.HELD)

    page = _page(signed_in(camille))

    assert "@cci_lyon" in page
    assert f"{reverse('web:accounts')}#account-{broken.pk}" in page
    assert "1 post waits for it." in page


def test_another_workspace_sees_neither_the_accounts_nor_the_posts(
    signed_in: SignedIn, oscar: Membership, account: ConnectedAccount
) -> None:
    due = timezone.now() - timedelta(minutes=45)
    ActionFactory(account=account, due_at=due, next_attempt_at=due, summary="Salon des entreprises")

    page = _page(signed_in(oscar))

    assert "Salon des entreprises" not in page
    assert "1 delivery of other workspaces on this installation is overdue too." in page


def test_the_page_needs_a_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("web:health"))

    assert response.status_code == 302


def test_htmx_refreshes_only_the_body(signed_in: SignedIn, camille: Membership) -> None:
    response = signed_in(camille).get(reverse("web:health"), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert 'id="health-body"' in content
    assert "<html" not in content


# --- /health.json ----------------------------------------------------------------------------------


def test_the_json_answers_200_when_delivery_works(client: Client, account: ConnectedAccount) -> None:
    scheduler_tick()

    response = client.get(reverse("web:health_json"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["scheduler"]["ok"] is True
    assert body["workers"]["state"] == "alive"


def test_the_json_answers_503_when_the_scheduler_stopped(client: Client, account: ConnectedAccount) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=10))

    response = client.get(reverse("web:health_json"))

    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert response.json()["scheduler"]["age_seconds"] >= 600


def test_the_json_answers_503_when_deliveries_are_overdue(client: Client, account: ConnectedAccount) -> None:
    scheduler_tick()
    due = timezone.now() - timedelta(minutes=45)
    ActionFactory(account=account, due_at=due, next_attempt_at=due, status=ActionStatus.PROCESSING)

    response = client.get(reverse("web:health_json"))

    assert response.status_code == 503
    assert response.json()["overdue"]["count"] == 1


def test_the_json_tells_nothing_of_a_workspaces_content(client: Client, account: ConnectedAccount) -> None:
    due = timezone.now() - timedelta(minutes=45)
    ActionFactory(account=account, due_at=due, next_attempt_at=due, summary="Salon des entreprises")

    content = client.get(reverse("web:health_json")).content.decode()

    assert "Salon" not in content
    assert account.handle not in content
