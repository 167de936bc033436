"""Appeals (overturned: visible again, on the network where it can) and the monthly transparency summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.inbox.models import Message, ModerationState
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.moderation.models import AppealStatus, CharterClause
from parvis.moderation.rules import moderation_rules_run
from parvis.moderation.selectors import transparency_summary
from parvis.moderation.services import (
    ModerationError,
    appeal_answer,
    appeal_record,
    message_moderate,
    rule_save,
)
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import ActionKind

pytestmark = pytest.mark.django_db


def _message(account: ConnectedAccount, text: str = "@org vous êtes des escrocs") -> Message:
    message: Message = MessageFactory(conversation=ConversationFactory(account=account), text=text, kind="reply")
    return message


def test_an_overturned_appeal_unhides_the_message_on_the_network(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _message(account)
    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)
    appeal = appeal_record(membership=camille, decision=decision, channel="direct", text="C'était de l'ironie.")

    appeal_answer(membership=camille, appeal=appeal, status=AppealStatus.OVERTURNED, answer="Vous avez raison.")

    decision.refresh_from_db()
    message.refresh_from_db()
    assert decision.reverted and message.moderation_state == ModerationState.VISIBLE
    unhide = decision.actions.get(kind=ActionKind.UNHIDE)
    assert unhide.payload == {"target_id": message.external_id}
    assert AuditEntry.objects.filter(verb="moderation.appeal_answer", target_id=str(appeal.pk)).exists()
    with pytest.raises(ModerationError):
        appeal_answer(membership=camille, appeal=appeal, status=AppealStatus.UPHELD, answer="")


def test_an_overturned_fallback_unmutes_and_shows_again_in_parvis(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        FakeConnector,
        "capabilities",
        replace(FakeConnector.capabilities, actions=FakeConnector.capabilities.actions - {ActionKind.HIDE}),
    )
    message = _message(account)
    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)
    appeal = appeal_record(membership=camille, decision=decision, channel="email", text="Erreur")

    appeal_answer(membership=camille, appeal=appeal, status=AppealStatus.OVERTURNED, answer="OK")

    assert sorted(decision.actions.values_list("kind", flat=True)) == ["mute", "report", "unmute"]
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.VISIBLE


def test_an_upheld_appeal_changes_nothing(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _message(account)
    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)
    appeal = appeal_record(membership=camille, decision=decision, channel="reply", text="Injuste")

    appeal_answer(membership=camille, appeal=appeal, status=AppealStatus.UPHELD, answer="La clause 1.1 s'applique.")

    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN
    assert not decision.actions.filter(kind=ActionKind.UNHIDE).exists()


def test_the_transparency_summary_counts_by_clause_action_and_decider_without_dry_runs(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, spam: CharterClause
) -> None:
    rule_save(membership=camille, name="Spam", keywords=["casino"], removal="hide", clause=spam, explain=False)
    rule_save(membership=camille, name="Essai", keywords=["essai"], removal="hide", clause=spam, dry_run=True)
    moderation_rules_run(account, [_message(account, "@org casino"), _message(account, "@org essai")])
    by_hand = message_moderate(
        membership=camille, message=_message(account), action="hide", clause=insults, explain=False
    )
    appeal = appeal_record(membership=camille, decision=by_hand, channel="direct", text="Non")
    appeal_answer(membership=camille, appeal=appeal, status=AppealStatus.OVERTURNED, answer="Oui")

    summary = transparency_summary(camille.workspace, timezone.localdate())

    assert summary.total == 2
    assert summary.by_rules == 1 and summary.by_people == 1
    assert sorted((row["code"], row["count"]) for row in summary.by_clause) == [("1.1", 1), ("2", 1)]
    assert summary.by_action == [{"action": "hide", "count": 2}]
    assert (summary.appeals, summary.appeals_overturned, summary.appeals_upheld) == (1, 1, 0)
    assert transparency_summary(camille.workspace, date(2020, 1, 1)).total == 0
