"""`manage.py parvis_healthcheck`: an operator's cron job that tells and alerts when delivery stops."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from parvis.core.models import Membership, Notification
from parvis.networks.models import ConnectedAccount, Heartbeat
from parvis.networks.services import scheduler_tick


def test_it_says_everything_works_and_exits_0(account: ConnectedAccount) -> None:
    scheduler_tick()  # a tick, and a ping answered at once (tasks run immediately in unit tests)
    out = StringIO()

    call_command("parvis_healthcheck", stdout=out)

    assert "scheduler: ok" in out.getvalue()
    assert "workers: ok" in out.getvalue()


def test_quiet_prints_nothing_when_everything_works(account: ConnectedAccount) -> None:
    scheduler_tick()
    out = StringIO()

    call_command("parvis_healthcheck", "--quiet", stdout=out)

    assert out.getvalue() == ""


def test_a_stopped_scheduler_exits_1_says_what_to_do_and_alerts(account: ConnectedAccount, camille: Membership) -> None:
    Heartbeat.objects.create(name="scheduler", at=timezone.now() - timedelta(minutes=10))
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("parvis_healthcheck", stdout=out)

    assert raised.value.returncode == 1
    assert "scheduler: STOPPED" in out.getvalue()
    assert "parvis_scheduler" in out.getvalue()
    assert Notification.objects.filter(kind="health.scheduler", recipient=camille.user).exists()


def test_a_scheduler_that_never_ran_is_reported(account: ConnectedAccount) -> None:
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("parvis_healthcheck", "--no-ping", stdout=out)

    assert "scheduler: NEVER RAN" in out.getvalue()


def test_it_pings_the_workers_so_the_next_run_can_tell(account: ConnectedAccount) -> None:
    scheduler_tick()
    Heartbeat.objects.filter(name="workers").update(at=timezone.now() - timedelta(hours=1))

    call_command("parvis_healthcheck", stdout=StringIO())

    workers = Heartbeat.objects.get(name="workers")
    assert timezone.now() - workers.at < timedelta(minutes=1)  # the ping ran at once here


def test_the_scheduler_refuses_to_start_with_contradictory_timeouts(db: None, settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 300  # type: ignore[attr-defined]
    settings.PARVIS_ACTION_REDELIVERY_AFTER = 200  # type: ignore[attr-defined]

    with pytest.raises(CommandError, match=r"networks\.E001"):
        call_command("parvis_scheduler", "--once", stdout=StringIO())
