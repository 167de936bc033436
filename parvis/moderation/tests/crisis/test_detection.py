"""Spike detection: the last hour's negative messages against a rolling 7-day baseline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parvis.core.models import Membership, Notification, Workspace
from parvis.inbox.models import Conversation
from parvis.moderation.crisis import crisis_measure, crisis_settings_get, crisis_settings_update, crisis_watch
from parvis.moderation.models import Crisis, CrisisLogEntry
from parvis.networks import periodic
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def baseline(messages, account: ConnectedAccount, per_hour: list[int], *, hours: int = 168) -> None:
    """`per_hour` counts repeated over the baseline hours (the hour before the last one backwards)."""
    thread = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        thread_key=f"base-{account.pk}",
        kind="mention",
        last_message_at=NOW,
    )
    for index in range(hours):
        count = per_hour[index % len(per_hour)]
        if count:
            messages(account, NOW - HOUR * (index + 2), count, conversation=thread)


def test_the_watch_runs_every_five_minutes() -> None:
    assert periodic._JOBS["moderation.crisis_watch"].every == timedelta(minutes=5)


def test_a_spike_opens_crisis_mode_and_alerts_the_team(
    workspace: Workspace, account: ConnectedAccount, messages, camille: Membership, alice: Membership
) -> None:
    baseline(messages, account, [1, 0, 2])  # about one an hour
    messages(account, NOW - HOUR, 15)

    opened = crisis_watch(NOW)

    [crisis] = opened
    assert crisis.scope == "overall"
    assert crisis.opened_by == "rule"
    assert crisis.trigger["count"] == 15
    assert crisis.trigger["mean"] == 1.0
    assert crisis.trigger["threshold"] == 10  # mean + 3 std is 3.45: the minimum count wins
    assert {n.recipient for n in Notification.objects.filter(kind="crisis.opened")} == {camille.user, alice.user}
    assert CrisisLogEntry.objects.filter(crisis=crisis, verb="opened").exists()


def test_the_measure_is_exact(workspace: Workspace, account: ConnectedAccount, messages) -> None:
    baseline(messages, account, [0, 4])  # mean 2, standard deviation 2
    messages(account, NOW - HOUR, 9)
    settings = crisis_settings_get(workspace)
    settings.min_count = 5

    overall = crisis_measure(workspace, settings, NOW)[0]

    assert (overall.count, overall.mean, overall.std, overall.threshold) == (9, 2.0, 2.0, 8.0)
    assert overall.spike


def test_a_busy_but_usual_hour_is_no_spike(workspace: Workspace, account: ConnectedAccount, messages) -> None:
    baseline(messages, account, [20, 30])  # mean 25, std 5: alert from 40
    messages(account, NOW - HOUR, 35)

    assert crisis_watch(NOW) == []
    assert not Crisis.objects.exists()


def test_a_few_messages_are_no_spike_even_on_a_quiet_account(account: ConnectedAccount, messages) -> None:
    messages(account, NOW - HOUR, 9)

    assert crisis_watch(NOW) == []


def test_positive_messages_do_not_count(account: ConnectedAccount, messages) -> None:
    messages(account, NOW - HOUR, 30, sentiment="positive", category="praise")

    assert crisis_watch(NOW) == []


def test_a_spike_on_one_account_opens_a_crisis_on_that_account_only(
    workspace: Workspace, account: ConnectedAccount, messages
) -> None:
    busy = ConnectedAccountFactory(workspace=workspace)
    baseline(messages, busy, [0, 20])  # overall: mean 10, std 10, alert from 40
    messages(account, NOW - HOUR, 12)  # usually silent: alert from 10

    [crisis] = crisis_watch(NOW)

    assert crisis.scope == "account"
    assert crisis.account == account


def test_an_open_crisis_is_not_opened_again(account: ConnectedAccount, messages) -> None:
    messages(account, NOW - HOUR, 15)
    crisis_watch(NOW)

    assert crisis_watch(NOW + timedelta(minutes=5)) == []
    assert Crisis.objects.count() == 1


def test_without_automatic_opening_the_team_is_asked(
    workspace: Workspace, account: ConnectedAccount, messages, alice: Membership
) -> None:
    crisis_settings_update(membership=alice, changes={"auto_open": False})
    messages(account, NOW - HOUR, 15)

    assert crisis_watch(NOW) == []
    notification = Notification.objects.get()
    assert notification.kind == "crisis.spike"
    assert "ouvrir le mode crise ?" in notification.title
    # Asked once while the alert is unread, not every five minutes.
    crisis_watch(NOW + timedelta(minutes=5))
    assert Notification.objects.count() == 1


def test_a_workspace_that_does_not_watch_is_left_alone(account: ConnectedAccount, messages, alice: Membership) -> None:
    crisis_settings_update(membership=alice, changes={"watch": False})
    messages(account, NOW - HOUR, 50)

    assert crisis_watch(NOW) == []


def test_settings_need_the_moderation_permission(theo: Membership) -> None:
    from parvis.core.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        crisis_settings_update(membership=theo, changes={"min_count": 1})
