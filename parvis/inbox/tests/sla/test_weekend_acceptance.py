"""Acceptance (issue 4): SLA timers, breach alerts and the response-time report work across a
business-hours weekend."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from parvis.core.models import Membership, Notification
from parvis.inbox.models import Direction, Message, SlaAlert, SlaPolicy
from parvis.inbox.sla import sla_policy_update, sla_record_answer
from parvis.inbox.sla_selectors import sla_report
from parvis.inbox.tests.sla.helpers import arrive, paris
from parvis.networks import periodic
from parvis.networks.models import ConnectedAccount


def answer(conversation_id: int, at: datetime, member: Membership) -> None:
    message = Message.objects.filter(conversation_id=conversation_id).select_related("conversation").first()
    assert message is not None
    Message.objects.create(
        workspace=message.workspace,
        conversation=message.conversation,
        account=message.account,
        direction=Direction.OUT,
        kind="reply",
        text="Bonjour, voici la réponse.",
        occurred_at=at,
        sent_by=member.user,
    )
    sla_record_answer(conversation=message.conversation, at=at)


def tick_every(start: datetime, end: datetime, step: timedelta) -> None:
    """The scheduler's periodic jobs, run at each step as the scheduler tick would.

    Only the SLA job runs here (other areas' jobs have their own tests and would slow this one down).
    """
    for name in [name for name in periodic.registered() if name != "inbox.sla_alerts"]:
        del periodic._JOBS[name]
    now = start
    while now <= end:
        periodic.run_due(now)
        now += step


def test_timers_alerts_and_report_across_a_business_hours_weekend(
    account: ConnectedAccount, alice: Membership, camille: Membership, btob: SlaPolicy
) -> None:
    # BtoB hours (Monday-Friday 9-12 and 14-18, Paris), first answer within 4 business hours.
    sla_policy_update(membership=alice, policy=btob, changes={"first_response_minutes": 240, "resolution_minutes": 480})

    # Friday evening, two questions arrive just before closing time.
    first = arrive(account, paris(2026, 11, 20, 17, 30), "a")
    second = arrive(account, paris(2026, 11, 20, 17, 45), "b")
    assert first.first_response_due_at == paris(2026, 11, 23, 14, 30)  # Monday, not Saturday morning
    assert second.first_response_due_at == paris(2026, 11, 23, 14, 45)

    # The weekend passes: the scheduler runs (hourly here, to keep the test fast), nobody is alerted.
    tick_every(paris(2026, 11, 20, 18), paris(2026, 11, 23, 8), timedelta(hours=1))
    assert not Notification.objects.exists()

    # Monday: camille answers the second one at 9:30, the first one waits; the scheduler runs every
    # 3 minutes (which falls on 11:42 and 14:30: the instants are exact, not rounded to a tick).
    tick_every(paris(2026, 11, 23, 9), paris(2026, 11, 23, 9, 27), timedelta(minutes=3))
    answer(second.pk, paris(2026, 11, 23, 9, 30), camille)
    tick_every(paris(2026, 11, 23, 9, 30), paris(2026, 11, 23, 14, 57), timedelta(minutes=3))
    answer(first.pk, paris(2026, 11, 23, 15), camille)
    tick_every(paris(2026, 11, 23, 15), paris(2026, 11, 23, 16), timedelta(minutes=3))

    # Alerts: the unanswered one warned at 80 % of its time (11:42), breached at 14:30, once each.
    sent = {
        (alert.conversation_id, alert.kind, alert.level): alert.sent_at
        for alert in SlaAlert.objects.filter(sent_at__isnull=False)
    }
    assert sent == {
        (first.pk, "first_response", "warning"): paris(2026, 11, 23, 11, 42),
        (first.pk, "first_response", "breach"): paris(2026, 11, 23, 14, 30),
    }
    kinds = list(Notification.objects.filter(recipient=camille.user).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["sla.warning", "sla.breach"]

    # The report counts business time: 15 + 30 minutes for the second, 30 min + 3 h + 1 h for the first.
    report = sla_report(
        account.workspace, start=date(2026, 11, 20), end=date(2026, 11, 23), now=paris(2026, 11, 23, 16)
    )
    assert [r.waited for r in report.requests] == [timedelta(hours=4, minutes=30), timedelta(minutes=45)]
    assert report.overall.median == timedelta(minutes=157, seconds=30)
    assert report.overall.p90 == timedelta(minutes=247, seconds=30)
    assert report.overall.within_share == 0.5
    assert report.overall.breaches == 1
    assert dict(report.per_person)["camille"].answered == 2
    assert report.per_day[0] == (date(2026, 11, 20), 1, 1, 0)
