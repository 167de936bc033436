"""SLA pages (Django test client) and the inbox timer partial."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from parvis.core.models import Membership
from parvis.inbox.models import Conversation, SlaAssignment, SlaPolicy
from parvis.inbox.sla import sla_policy_update
from parvis.inbox.tests.sla.helpers import arrive, paris, request
from parvis.networks.models import ConnectedAccount


@pytest.fixture(autouse=True)
def _english(client: Client, settings: pytest.FixtureRequest) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def test_the_settings_page_creates_a_policy_from_a_preset_in_one_click(client: Client, alice: Membership) -> None:
    client.force_login(alice.user)

    response = client.post("/sla/", {"preset": "btoc"})

    policy = SlaPolicy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sla/policies/{policy.pk}/"
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.is_default) == (60, 240, True)
    page = client.get("/sla/").content.decode()
    assert "BtoC" in page
    assert "default" in page


def test_the_policy_form_saves_hours_holidays_and_closed_dates(
    client: Client, alice: Membership, btob: SlaPolicy
) -> None:
    client.force_login(alice.user)
    data = {
        "name": "Service client",
        "first_response_minutes": "120",
        "resolution_minutes": "480",
        "timezone": "Europe/Paris",
        "holidays": "FR-67",
        "closed_dates": "2026-12-24\n2026-12-31",
        "warning_percent": "75",
        "is_default": "on",
        "day_0": "09:00-12:30, 14:00-18:00",
        "day_1": "9-18",
        "day_2": "",
        "day_3": "08:00-20:00",
        "day_4": "08:00-20:00",
        "day_5": "",
        "day_6": "",
    }

    response = client.post(f"/sla/policies/{btob.pk}/", data)

    assert response.status_code == 302
    btob.refresh_from_db()
    assert btob.weekly_hours[0] == [["09:00", "12:30"], ["14:00", "18:00"]]
    assert btob.weekly_hours[1] == [["09:00", "18:00"]]
    assert btob.weekly_hours[2] == []
    assert (btob.holiday_country, btob.holiday_subdivision) == ("FR", "67")
    assert btob.closed_dates == ["2026-12-24", "2026-12-31"]
    assert btob.preset == "custom"


def test_a_bad_interval_is_refused_with_a_message(client: Client, alice: Membership, btob: SlaPolicy) -> None:
    client.force_login(alice.user)
    data = {
        "name": "x",
        "first_response_minutes": "60",
        "resolution_minutes": "120",
        "timezone": "Europe/Paris",
        "warning_percent": "80",
        "day_0": "nine to five",
    }

    response = client.post(f"/sla/policies/{btob.pk}/", data)

    assert response.status_code == 400
    assert "09:00-12:00" in response.content.decode()


def test_accounts_get_their_own_policy(
    client: Client, alice: Membership, account: ConnectedAccount, btob: SlaPolicy
) -> None:
    client.force_login(alice.user)

    client.post("/sla/accounts/", {f"account_{account.pk}": str(btob.pk)})

    assert SlaAssignment.objects.get().account == account


def test_a_community_manager_sees_the_policies_but_cannot_change_them(
    client: Client, camille: Membership, btob: SlaPolicy
) -> None:
    client.force_login(camille.user)

    assert client.get("/sla/").status_code == 200
    assert client.get(f"/sla/policies/{btob.pk}/").status_code == 403
    client.post("/sla/", {"preset": "btoc"})
    assert SlaPolicy.objects.count() == 1


def test_the_report_page_renders_the_figures_and_the_chart(
    client: Client, alice: Membership, camille: Membership, account: ConnectedAccount, btob: SlaPolicy
) -> None:
    sla_policy_update(membership=alice, policy=btob, changes={"first_response_minutes": 60})
    for n in range(1, 11):
        received = paris(2026, 11, 23, 9, n)
        request(account, received, received + timedelta(minutes=10 * n), camille.user)
    client.force_login(alice.user)

    response = client.get("/sla/report/", {"start": "2026-11-23", "end": "2026-11-23"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="median">55 min<' in page
    assert 'data-figure="p90">1 h 31 min<' in page
    assert 'data-figure="share">60 %<' in page
    assert 'id="sla-chart-data"' in page
    assert "chart.umd.min.js" in page
    assert "camille" in page


def test_the_csv_export(
    client: Client, alice: Membership, camille: Membership, account: ConnectedAccount, btob: SlaPolicy
) -> None:
    request(account, paris(2026, 11, 23, 9), paris(2026, 11, 23, 9, 30), camille.user)
    client.force_login(alice.user)

    response = client.get("/sla/report.csv", {"start": "2026-11-23", "end": "2026-11-23"})

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("conversation,account,network")
    assert len(lines) == 2
    assert ",camille,30.0,1440.0,within" in lines[1]


def test_the_inbox_partial_shows_time_left_and_its_state_without_a_query_per_row(
    account: ConnectedAccount, btob: SlaPolicy, alice: Membership
) -> None:
    sla_policy_update(membership=alice, policy=btob, changes={"first_response_minutes": 240})
    calm = arrive(account, paris(2026, 11, 23, 9), "a")
    close = arrive(account, paris(2026, 11, 20, 16, 30), "b")  # due Monday 11:30
    late = arrive(account, paris(2026, 11, 19, 9), "c")
    http_request = RequestFactory().get("/")
    now = paris(2026, 11, 23, 11)
    rows = list(Conversation.objects.filter(pk__in=[calm.pk, close.pk, late.pk]).order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        html = [
            render_to_string("web/inbox/_sla.html", {"conversation": row, "now": now}, request=http_request)
            for row in rows
        ]

    assert len(queries) == 1  # the workspace's policies, once for the page
    assert "sla-ok" in html[0] and "2 h 00 min left" in html[0]
    assert "sla-warning" in html[1] and "30 min left" in html[1]
    assert "sla-breached" in html[2] and "overdue" in html[2]


def test_the_partial_is_empty_without_a_timer(account: ConnectedAccount) -> None:
    conversation = arrive(account, paris(2026, 11, 23, 9))

    assert render_to_string("web/inbox/_sla.html", {"conversation": conversation}).strip() == ""
