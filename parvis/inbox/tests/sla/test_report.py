"""The response-time report on constructed data: median, p90, share within the SLA, breaches, per person."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import ConversationStatus, SlaPolicy
from parvis.inbox.sla import sla_policy_update, sla_record_status
from parvis.inbox.sla_selectors import sla_report, sla_report_csv
from parvis.inbox.tests.sla.helpers import paris, request
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory

MONDAY = date(2026, 11, 23)
NOW = paris(2026, 11, 23, 17)


@pytest.fixture
def one_hour(alice: Membership, btob: SlaPolicy) -> SlaPolicy:
    return sla_policy_update(
        membership=alice, policy=btob, changes={"first_response_minutes": 60, "resolution_minutes": 240}
    )


@pytest.fixture
def data(account: ConnectedAccount, one_hour: SlaPolicy, alice: Membership, camille: Membership) -> None:
    """Ten requests on Monday morning answered after 10, 20, ... 100 minutes (alice the even ones)."""
    for n in range(1, 11):
        received = paris(2026, 11, 23, 9, n)
        by = alice.user if n % 2 == 0 else camille.user
        request(account, received, received + timedelta(minutes=10 * n), by)


def test_median_p90_and_share_within(workspace, data: None) -> None:
    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    overall = report.overall
    assert overall.requests == 10
    assert overall.answered == 10
    assert overall.median == timedelta(minutes=55)
    assert overall.p90 == timedelta(minutes=91)
    assert overall.within == 6  # 10 to 60 minutes
    assert overall.breaches == 4
    assert overall.within_share == 0.6


def test_time_is_business_time_and_unanswered_overdue_requests_are_breaches(
    workspace, account: ConnectedAccount, data: None, camille: Membership
) -> None:
    # Received at 11:50, answered at 14:20: 10 minutes before lunch and 20 after = 30 business minutes.
    request(account, paris(2026, 11, 23, 11, 50), paris(2026, 11, 23, 14, 20), camille.user)
    request(account, paris(2026, 11, 23, 15))  # due 16:00, still unanswered at 17:00: a breach
    request(account, paris(2026, 11, 23, 16, 30))  # due 17:30: pending

    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    lunch = next(r for r in report.requests if r.started_at == paris(2026, 11, 23, 11, 50))
    assert lunch.waited == timedelta(minutes=30)
    assert report.overall.requests == 13
    assert report.overall.within == 7
    assert report.overall.breaches == 5
    assert report.overall.pending == 1
    assert report.overall.within_share == pytest.approx(7 / 12)
    assert report.per_day == [(MONDAY, 7, 5, 1)]


def test_a_conversation_closed_without_an_answer_is_neither_within_nor_breached(
    workspace, account: ConnectedAccount, one_hour: SlaPolicy
) -> None:
    conversation = request(account, paris(2026, 11, 23, 9))
    sla_record_status(conversation=conversation, status=ConversationStatus.DONE, at=paris(2026, 11, 23, 9, 5))

    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    assert report.overall.requests == 1
    assert report.overall.breaches == 0
    assert report.overall.within_share is None


def test_per_person_counts_who_sent_the_first_answer(workspace, data: None) -> None:
    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    people = dict(report.per_person)
    assert set(people) == {"alice", "camille"}
    # alice: 20, 40, 60, 80, 100 minutes; camille: 10, 30, 50, 70, 90.
    assert people["alice"].median == timedelta(minutes=60)
    assert people["alice"].within == 3
    assert people["camille"].median == timedelta(minutes=50)
    assert people["camille"].p90 == timedelta(minutes=82)
    assert people["camille"].within == 3


def test_a_second_message_after_an_answer_is_a_new_request_answered_by_someone_else(
    workspace, account: ConnectedAccount, one_hour: SlaPolicy, alice: Membership, camille: Membership
) -> None:
    conversation = request(account, paris(2026, 11, 23, 9), paris(2026, 11, 23, 9, 10), alice.user)
    request(account, paris(2026, 11, 23, 10), paris(2026, 11, 23, 10, 5), camille.user, conversation=conversation)

    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    assert [r.waited for r in report.requests] == [timedelta(minutes=10), timedelta(minutes=5)]
    assert {name: figures.answered for name, figures in report.per_person} == {"alice": 1, "camille": 1}


def test_per_account_and_per_network(
    workspace, account: ConnectedAccount, one_hour: SlaPolicy, camille: Membership
) -> None:
    other = ConnectedAccountFactory(workspace=workspace, network="mastodon", handle="@cci@mastodon.example")
    request(account, paris(2026, 11, 23, 9), paris(2026, 11, 23, 9, 30), camille.user)
    request(other, paris(2026, 11, 23, 9), paris(2026, 11, 23, 11), camille.user)

    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW, network_name=str.title)

    accounts = dict(report.per_account)
    assert accounts[account.handle].within == 1
    assert accounts["@cci@mastodon.example"].breaches == 1
    networks = dict(report.per_network)
    assert networks["Mastodon"].median == timedelta(hours=2)
    assert networks[account.network.title()].median == timedelta(minutes=30)


def test_the_date_range_is_in_the_workspaces_days(workspace, account: ConnectedAccount, one_hour: SlaPolicy) -> None:
    request(account, paris(2026, 11, 22, 23, 30))  # Sunday night, Paris time
    request(account, paris(2026, 11, 23, 0, 30))

    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    assert [r.started_at for r in report.requests] == [paris(2026, 11, 23, 0, 30)]


def test_the_csv_has_one_line_per_request(workspace, data: None) -> None:
    report = sla_report(workspace, start=MONDAY, end=MONDAY, now=NOW)

    rows = list(csv.DictReader(io.StringIO(sla_report_csv(report, now=NOW))))

    assert len(rows) == 10
    assert rows[0]["business_minutes"] == "10.0"
    assert rows[0]["target_minutes"] == "60.0"
    assert rows[0]["answered_by"] == "camille"
    assert [row["outcome"] for row in rows].count("breached") == 4
