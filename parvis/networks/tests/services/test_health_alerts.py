"""Pings, signs of life and alerts: when the scheduler or the workers stop, or deliveries are overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend

from parvis.core.models import Membership, Notification, Workspace
from parvis.networks import services_health
from parvis.networks.models import ConnectedAccount, Heartbeat
from parvis.networks.selectors import WorkersState, alerts_open, health_report
from parvis.networks.services import scheduler_tick
from parvis.networks.tasks import ping_workers
from parvis.networks.tests.conftest import EnqueuedArgs
from parvis.networks.tests.factories import ActionFactory


def _english(membership: Membership) -> None:
    """Alerts are written in the workspace's language (French by default)."""
    Workspace.objects.filter(pk=membership.workspace_id).update(language="en")


def _alerts(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- pings -----------------------------------------------------------------------------------------


def test_the_scheduler_pings_the_workers_once_a_minute(db: None, queue: DummyBackend, enqueued: EnqueuedArgs) -> None:
    now = timezone.now()

    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(seconds=30))
    scheduler_tick(now=now + timedelta(seconds=61))

    assert len(enqueued(ping_workers)) == 2


def test_a_ping_goes_before_the_backlog(db: None, queue: DummyBackend) -> None:
    services_health.workers_ping(now=timezone.now())

    [result] = queue.results
    assert result.task.priority == services_health.PING_PRIORITY


def test_a_worker_that_runs_a_ping_leaves_its_sign(db: None) -> None:
    services_health.worker_sign(worker="host:123")

    report = health_report(None)
    assert [worker.name for worker in report.workers] == ["host:123"]
    assert report.workers_state == WorkersState.ALIVE


def test_a_ping_run_at_once_proves_the_workers_alive(db: None) -> None:
    scheduler_tick()  # unit tests run tasks as soon as they are enqueued

    report = health_report(None)
    assert report.workers_state == WorkersState.ALIVE
    assert report.ping_pending_since is None


def test_a_ping_unanswered_for_three_minutes_means_the_workers_stopped(db: None, queue: DummyBackend) -> None:
    now = timezone.now()
    services_health.workers_ping(now=now - timedelta(minutes=3))

    assert health_report(None, now=now).workers_state == WorkersState.STOPPED


def test_pings_slow_down_while_nobody_answers(db: None, queue: DummyBackend, enqueued: EnqueuedArgs) -> None:
    start = timezone.now()
    for minute in range(13):
        services_health.workers_ping(now=start + timedelta(minutes=minute))

    assert len(enqueued(ping_workers)) == 4  # minutes 0, 1, 2, then 10 minutes after the last one: 12


# --- alerts ----------------------------------------------------------------------------------------


def test_a_stopped_scheduler_is_reported_by_the_workers_ping(
    account: ConnectedAccount, camille: Membership, alice: Membership, nadia: Membership
) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=4))

    ping_workers.enqueue(timezone.now().isoformat())

    assert _alerts("health.scheduler") == ["alice", "camille"]
    assert "scheduler" in alerts_open()
    notification = Notification.objects.filter(kind="health.scheduler").first()
    assert notification is not None
    assert notification.level == "alert"
    assert notification.url == "/health/"


def test_the_alert_is_sent_once_per_incident(account: ConnectedAccount, camille: Membership) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=4))

    services_health.alerts_update()
    Notification.objects.update(read_at=timezone.now())  # read: a second check must not send it again
    services_health.alerts_update()

    assert _alerts("health.scheduler") == ["camille"]


def test_recovery_clears_the_alert_and_says_so_once(account: ConnectedAccount, camille: Membership) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=4))
    services_health.alerts_update()

    Heartbeat.objects.filter(name="scheduler").update(at=timezone.now())
    services_health.alerts_update()
    services_health.alerts_update()

    assert _alerts("health.scheduler_recovered") == ["camille"]
    assert not Notification.objects.filter(kind="health.scheduler", read_at__isnull=True).exists()
    assert "scheduler" not in alerts_open()


def test_alerts_are_e_mailed(
    account: ConnectedAccount, camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    type(camille.user).objects.filter(pk=camille.user.pk).update(email="camille@cci-lyon.example")
    _english(camille)
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=4))

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services_health.alerts_update()

    [message] = mail.outbox
    assert "scheduler" in message.subject
    assert message.to == ["camille@cci-lyon.example"]


def test_the_scheduler_reports_workers_that_stopped(
    account: ConnectedAccount, camille: Membership, queue: DummyBackend
) -> None:
    now = timezone.now()
    scheduler_tick(now=now)  # pings; nobody answers (the queue only records)

    scheduler_tick(now=now + timedelta(minutes=3, seconds=1))

    assert _alerts("health.workers") == ["camille"]


def test_a_worker_answering_clears_the_workers_alert(
    account: ConnectedAccount, camille: Membership, queue: DummyBackend
) -> None:
    now = timezone.now()
    scheduler_tick(now=now)
    scheduler_tick(now=now + timedelta(minutes=3, seconds=1))

    services_health.worker_sign(worker="host:1", now=now + timedelta(minutes=4))

    assert _alerts("health.workers_recovered") == ["camille"]


def test_overdue_deliveries_alert_their_workspace_only(
    account: ConnectedAccount, camille: Membership, oscar: Membership
) -> None:
    _english(camille)
    due = timezone.now() - timedelta(minutes=30)
    ActionFactory(account=account, due_at=due, next_attempt_at=due)

    services_health.alerts_update(scheduler=False, workers=False)

    assert _alerts("health.overdue") == ["camille"]
    assert Notification.objects.get(kind="health.overdue").title == "1 delivery is overdue"


def test_deliveries_due_recently_are_not_overdue(account: ConnectedAccount, camille: Membership) -> None:
    ActionFactory(account=account, due_at=timezone.now() - timedelta(minutes=2))

    services_health.alerts_update(scheduler=False, workers=False)

    assert _alerts("health.overdue") == []


def test_the_overdue_alert_clears_when_they_are_out(account: ConnectedAccount, camille: Membership) -> None:
    due = timezone.now() - timedelta(minutes=30)
    action = ActionFactory(account=account, due_at=due, next_attempt_at=due)
    services_health.alerts_update(scheduler=False, workers=False)

    type(action).objects.filter(pk=action.pk).update(status="done")
    services_health.alerts_update(scheduler=False, workers=False)

    assert _alerts("health.overdue_recovered") == ["camille"]


def test_alerts_are_written_in_the_workspaces_language(account: ConnectedAccount, camille: Membership) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=4))

    services_health.alerts_update()

    title = Notification.objects.get(kind="health.scheduler").title
    assert "planificateur" in title
