"""Breach alerts: planned when a timer starts, sent once, at the right instant, to the right people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from parvis.core.models import Membership, Notification
from parvis.inbox.models import Conversation, ConversationStatus, SlaAlert, SlaPolicy
from parvis.inbox.sla import sla_policy_update, sla_record_answer, sla_record_status
from parvis.inbox.sla_hooks import sla_alerts_send
from parvis.inbox.tests.sla.helpers import arrive, paris
from parvis.networks import periodic
from parvis.networks.models import ConnectedAccount

FRIDAY_EVENING = paris(2026, 11, 20, 17, 30)
WARNING = paris(2026, 11, 23, 11, 42)  # 80 % of 4 business hours: Friday 30 min + Monday 9:00-11:42
BREACH = paris(2026, 11, 23, 14, 30)


@pytest.fixture
def four_hours(alice: Membership, btob: SlaPolicy) -> SlaPolicy:
    return sla_policy_update(
        membership=alice, policy=btob, changes={"first_response_minutes": 240, "resolution_minutes": 480}
    )


@pytest.fixture
def conversation(account: ConnectedAccount, four_hours: SlaPolicy, camille: Membership) -> Conversation:
    return arrive(account, FRIDAY_EVENING)


def test_the_job_is_registered_every_minute() -> None:
    assert "inbox.sla_alerts" in periodic.registered()
    assert periodic._JOBS["inbox.sla_alerts"].every == timedelta(minutes=1)


def test_four_alerts_are_planned_when_a_timer_starts(conversation: Conversation) -> None:
    planned = {(a.kind, a.level): a.fire_at for a in SlaAlert.objects.filter(conversation=conversation)}

    assert planned == {
        ("first_response", "warning"): WARNING,
        ("first_response", "breach"): BREACH,
        ("resolution", "warning"): paris(2026, 11, 23, 16, 54),
        ("resolution", "breach"): paris(2026, 11, 24, 9, 30),
    }


def test_nothing_is_sent_over_the_weekend_nor_a_second_before_the_warning(conversation: Conversation) -> None:
    assert sla_alerts_send(paris(2026, 11, 21, 12)) == 0
    assert sla_alerts_send(paris(2026, 11, 22, 23)) == 0
    assert sla_alerts_send(WARNING - timedelta(seconds=1)) == 0
    assert not Notification.objects.exists()


def test_the_warning_goes_to_the_community_managers_once(conversation: Conversation, camille: Membership) -> None:
    assert sla_alerts_send(WARNING) == 1
    assert sla_alerts_send(WARNING + timedelta(minutes=1)) == 0
    assert sla_alerts_send(WARNING + timedelta(minutes=2)) == 0

    notification = Notification.objects.get()
    assert notification.recipient == camille.user
    assert notification.kind == "sla.warning"
    assert "bientôt due" in notification.title
    assert "0 h 48 min ouvrées restantes" in notification.body
    assert notification.url == f"/conversations/{conversation.pk}/"


def test_the_breach_is_sent_once_to_the_assignee_and_e_mailed(
    conversation: Conversation, camille: Membership, alice: Membership, django_capture_on_commit_callbacks
) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(assignee=alice.user)
    sla_alerts_send(WARNING)

    with django_capture_on_commit_callbacks(execute=True):
        assert sla_alerts_send(BREACH) == 1
    assert sla_alerts_send(BREACH + timedelta(hours=1)) == 0

    breach = Notification.objects.get(kind="sla.breach")
    assert breach.recipient == alice.user
    assert breach.level == "alert"
    assert len(mail.outbox) == 1


def test_a_late_run_sends_the_breach_without_the_warning_of_the_same_deadline(conversation: Conversation) -> None:
    assert sla_alerts_send(BREACH + timedelta(minutes=5)) == 1

    assert list(Notification.objects.values_list("kind", flat=True)) == ["sla.breach"]


def test_an_answer_before_the_deadline_cancels_the_first_answer_alerts(conversation: Conversation) -> None:
    sla_record_answer(conversation=conversation, at=paris(2026, 11, 23, 9, 15))

    assert sla_alerts_send(BREACH) == 0
    assert not Notification.objects.exists()


def test_an_answer_written_without_calling_the_sla_still_stops_alerts(conversation: Conversation) -> None:
    # Defensive: if the timer was cleared by other means, the planned alert is dropped at fire time.
    Conversation.objects.filter(pk=conversation.pk).update(awaiting_since=None)

    assert sla_alerts_send(BREACH) == 0
    assert not SlaAlert.objects.filter(kind="first_response").exists()


def test_done_cancels_every_alert(conversation: Conversation) -> None:
    sla_record_status(conversation=conversation, status=ConversationStatus.DONE, at=paris(2026, 11, 23, 9))

    assert sla_alerts_send(paris(2026, 11, 30)) == 0


def test_the_resolution_breach_comes_on_tuesday(conversation: Conversation) -> None:
    sla_record_answer(conversation=conversation, at=paris(2026, 11, 23, 9, 15))
    sla_alerts_send(paris(2026, 11, 23, 17))

    assert sla_alerts_send(paris(2026, 11, 24, 9, 29)) == 0
    assert sla_alerts_send(paris(2026, 11, 24, 9, 30)) == 1
    assert set(Notification.objects.values_list("kind", flat=True)) == {"sla.warning", "sla.breach"}


def test_the_scheduler_tick_runs_the_job(conversation: Conversation) -> None:
    from parvis.networks.services import scheduler_tick

    scheduler_tick(now=BREACH)

    assert Notification.objects.filter(kind="sla.breach").count() == 1
