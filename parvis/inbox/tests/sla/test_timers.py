"""SLA timers: deadlines set on arrival, in business time, stopped by an answer or "done"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parvis.core.models import Membership
from parvis.inbox import hooks
from parvis.inbox.models import Conversation, ConversationStatus, Message, SlaAlert, SlaAssignment, SlaPolicy, SlaPreset
from parvis.inbox.sla import (
    sla_account_assign,
    sla_policy_create,
    sla_policy_update,
    sla_record_answer,
    sla_record_status,
    sla_start_timers,
)
from parvis.inbox.tests.sla.helpers import arrive, paris
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


def receive(account: ConnectedAccount, at: datetime, external_id: str = "m1", **kwargs: object) -> Conversation:
    kind = kwargs.pop("kind", "mention")
    return arrive(account, at, external_id, kind=str(kind), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def four_hours(alice: Membership, btob: SlaPolicy) -> SlaPolicy:
    """BtoB hours (9-12, 14-18), first answer within 4 business hours, resolved within 8."""
    return sla_policy_update(
        membership=alice, policy=btob, changes={"first_response_minutes": 240, "resolution_minutes": 480}
    )


def test_the_btob_preset_counts_24_business_hours_from_friday_evening(
    account: ConnectedAccount, btob: SlaPolicy
) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30))

    assert conversation.sla_policy == btob
    assert conversation.awaiting_since == paris(2026, 11, 20, 17, 30)
    # Friday 0.5 h, Monday to Wednesday 7 h each, Thursday 9:00-11:30.
    assert conversation.first_response_due_at == paris(2026, 11, 26, 11, 30)
    # 48 h: Friday 0.5 h, six days of 7 h, then Tuesday 1 December 9-12 and 14:00-16:30.
    assert conversation.resolution_due_at == paris(2026, 12, 1, 16, 30)


def test_a_message_on_friday_at_1730_is_due_on_monday_after_the_weekend(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30))

    # Friday 17:30-18:00, Monday 9:00-12:00, then 14:00-14:30.
    assert conversation.first_response_due_at == paris(2026, 11, 23, 14, 30)
    # 8 h: 0.5 + Monday's 7 h, then Tuesday 9:00-9:30.
    assert conversation.resolution_due_at == paris(2026, 11, 24, 9, 30)


def test_a_public_holiday_is_skipped(account: ConnectedAccount, four_hours: SlaPolicy) -> None:
    # Wednesday 11 November is Armistice Day.
    conversation = receive(account, paris(2026, 11, 10, 17, 30))

    assert conversation.first_response_due_at == paris(2026, 11, 12, 14, 30)


def test_alsace_moselle_also_closes_on_good_friday_across_the_clock_change(
    alice: Membership, account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    sla_policy_update(membership=alice, policy=four_hours, changes={"holiday_subdivision": "57"})

    conversation = receive(account, paris(2027, 3, 25, 17, 30))

    # Good Friday 26 March (Moselle), weekend with the clock change, Easter Monday: Tuesday 14:30 CEST.
    assert conversation.first_response_due_at == datetime(2027, 3, 30, 12, 30, tzinfo=UTC)


def test_elsewhere_in_france_good_friday_is_worked(account: ConnectedAccount, four_hours: SlaPolicy) -> None:
    conversation = receive(account, paris(2027, 3, 25, 17, 30))

    assert conversation.first_response_due_at == paris(2027, 3, 26, 14, 30)


def test_the_autumn_clock_change_keeps_business_hours_on_the_wall_clock(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    conversation = receive(account, datetime(2026, 10, 23, 15, 30, tzinfo=UTC))  # Friday 17:30 CEST

    assert conversation.first_response_due_at == datetime(2026, 10, 26, 13, 30, tzinfo=UTC)  # Monday 14:30 CET


def test_the_btoc_preset_runs_every_day(alice: Membership, account: ConnectedAccount) -> None:
    sla_policy_create(membership=alice, preset=SlaPreset.BTOC)

    conversation = receive(account, paris(2026, 11, 21, 21, 30))  # Saturday evening

    assert conversation.first_response_due_at == paris(2026, 11, 22, 8, 30)  # 22:00, then Sunday from 08:00
    assert conversation.resolution_due_at == paris(2026, 11, 22, 11, 30)


def test_an_accounts_own_policy_wins_over_the_workspace_default(
    alice: Membership, account: ConnectedAccount, btob: SlaPolicy
) -> None:
    btoc = sla_policy_create(membership=alice, preset=SlaPreset.BTOC)
    sla_account_assign(membership=alice, account=account, policy=btoc)
    other = ConnectedAccountFactory(workspace=account.workspace)

    assert receive(account, paris(2026, 11, 20, 17, 30)).sla_policy == btoc
    assert receive(other, paris(2026, 11, 20, 17, 30), external_id="m2").sla_policy == btob

    sla_account_assign(membership=alice, account=account, policy=None)
    assert not SlaAssignment.objects.exists()


def test_without_any_policy_no_timer_runs(account: ConnectedAccount) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30))

    assert conversation.first_response_due_at is None
    assert not SlaAlert.objects.exists()


def test_new_followers_and_spam_start_no_timer(account: ConnectedAccount, btob: SlaPolicy) -> None:
    follow = receive(account, paris(2026, 11, 20, 10), kind="follow", text="")
    assert follow.first_response_due_at is None

    message = Message.objects.create(
        workspace=account.workspace,
        conversation=follow,
        account=account,
        kind="mention",
        external_id="spam",
        text="Buy followers",
        category="spam-or-advertising",
        occurred_at=paris(2026, 11, 20, 10),
    )
    assert sla_start_timers(account=account, messages=[message]) == 0


def test_a_later_message_keeps_the_deadline_of_the_oldest_unanswered_one(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    receive(account, paris(2026, 11, 20, 17, 30), thread_key="t")
    conversation = receive(account, paris(2026, 11, 23, 10), external_id="m2", thread_key="t")

    assert conversation.awaiting_since == paris(2026, 11, 20, 17, 30)
    assert conversation.first_response_due_at == paris(2026, 11, 23, 14, 30)


def test_an_answer_stops_the_first_answer_timer_and_a_new_message_starts_another(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30), thread_key="t")

    sla_record_answer(conversation=conversation, at=paris(2026, 11, 23, 9, 30))

    assert conversation.awaiting_since is None
    assert conversation.first_response_at == paris(2026, 11, 23, 9, 30)
    assert not SlaAlert.objects.filter(kind="first_response").exists()
    assert SlaAlert.objects.filter(kind="resolution").count() == 2  # warning and breach still planned

    conversation = receive(account, paris(2026, 11, 23, 10), external_id="m2", thread_key="t")
    assert conversation.awaiting_since == paris(2026, 11, 23, 10)
    assert conversation.first_response_due_at == paris(2026, 11, 23, 16)
    assert conversation.first_response_at is None
    # The resolution timer keeps running from the first message.
    assert conversation.resolution_due_at == paris(2026, 11, 24, 9, 30)


def test_done_stops_both_timers_and_a_new_message_restarts_them(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30), thread_key="t")

    sla_record_status(conversation=conversation, status=ConversationStatus.DONE, at=paris(2026, 11, 23, 9))

    assert conversation.resolved_at == paris(2026, 11, 23, 9)
    assert conversation.awaiting_since is None
    assert not SlaAlert.objects.exists()

    conversation = receive(account, paris(2026, 11, 24, 9), external_id="m2", thread_key="t")
    assert conversation.resolved_at is None
    assert conversation.first_response_due_at == paris(2026, 11, 24, 15)
    assert conversation.resolution_due_at == paris(2026, 11, 25, 10)
    assert SlaAlert.objects.count() == 4


def test_reopening_by_hand_restarts_the_resolution_timer(account: ConnectedAccount, four_hours: SlaPolicy) -> None:
    conversation = receive(account, paris(2026, 11, 20, 17, 30))
    sla_record_status(conversation=conversation, status=ConversationStatus.DONE, at=paris(2026, 11, 23, 9))

    sla_record_status(conversation=conversation, status=ConversationStatus.NEW, at=paris(2026, 11, 23, 10))

    assert conversation.resolved_at is None
    assert conversation.resolution_due_at == paris(2026, 11, 24, 11)  # 10-12, 14-18, Tuesday 9-11
    assert conversation.awaiting_since is None


def test_a_batch_of_many_conversations_costs_a_fixed_number_of_queries(
    account: ConnectedAccount, four_hours: SlaPolicy
) -> None:
    def batch(prefix: str, size: int) -> list[Message]:
        conversations = [
            Conversation.objects.create(
                workspace=account.workspace,
                account=account,
                thread_key=f"{prefix}{n}",
                kind="mention",
                last_message_at=paris(2026, 11, 20, 17),
            )
            for n in range(size)
        ]
        return [
            Message.objects.create(
                workspace=account.workspace,
                conversation=conversation,
                account=account,
                kind="mention",
                external_id=conversation.thread_key,
                occurred_at=paris(2026, 11, 20, 17),
            )
            for conversation in conversations
        ]

    small, large = batch("a", 2), batch("b", 40)
    with CaptureQueriesContext(connection) as few:
        sla_start_timers(account=account, messages=small)
    with CaptureQueriesContext(connection) as many:
        sla_start_timers(account=account, messages=large)

    assert len(many) == len(few)
    assert Conversation.objects.filter(first_response_due_at=paris(2026, 11, 23, 12)).count() == 42


def test_the_hook_runs_first_after_ingest() -> None:
    assert hooks.registered()[0] == "inbox.sla"
    assert hooks._HOOKS["inbox.sla"].order == hooks.ORDER_SLA
