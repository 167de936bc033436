"""Drill: the scheduler stops. The health page and /health.json show it, publishers are alerted, and
the posts due meanwhile go out once it runs again (and the alert says it is over)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.core.models import Membership, Notification
from parvis.networks.models import Action, ActionStatus, Heartbeat
from parvis.networks.services import scheduler_tick
from parvis.networks.tasks import ping_workers
from parvis.networks.tests.drills.conftest import Burst, drain, statuses_by_text
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.network


def test_a_stopped_scheduler_is_shown_alerted_and_caught_up(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    camille: Membership,
    burst: Burst,
    client: Client,
) -> None:
    account, org = mastodon_connect(camille)
    scheduler_tick()
    client.force_login(camille.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(reverse("web:health_json")).status_code == 200

    # The scheduler stops; ten posts become due during the outage (nobody enqueues them).
    stopped_at = timezone.now() - timedelta(minutes=20)
    Heartbeat.objects.filter(name="scheduler").update(at=stopped_at)
    actions = burst(account, 10)
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        due_at=stopped_at + timedelta(minutes=1), next_attempt_at=stopped_at + timedelta(minutes=1)
    )
    ping_workers.enqueue(timezone.now().isoformat())  # a worker's minutely ping notices it

    page = client.get(reverse("web:health")).content.decode()
    assert "Stopped" in page
    assert "python manage.py parvis_scheduler" in page
    assert "10" in page  # overdue
    health = client.get(reverse("web:health_json"))
    assert health.status_code == 503
    assert health.json()["scheduler"]["ok"] is False
    assert health.json()["overdue"]["count"] == 10
    alert = Notification.objects.get(kind="health.scheduler", recipient=camille.user)
    assert alert.level == "alert"
    assert statuses_by_text(mastodon_server, org) == {}

    # It runs again: the posts go out once, the alert is over and says so.
    drain(actions)
    ping_workers.enqueue(timezone.now().isoformat())

    assert not Action.objects.filter(pk__in=[a.pk for a in actions]).exclude(status=ActionStatus.DONE).exists()
    assert set(statuses_by_text(mastodon_server, org).values()) == {1}
    assert len(statuses_by_text(mastodon_server, org)) == 10
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert Notification.objects.filter(kind="health.scheduler_recovered", recipient=camille.user).count() == 1
    assert client.get(reverse("web:health_json")).status_code == 200
