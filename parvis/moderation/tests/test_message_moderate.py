"""A person's decision: the clause, the Actions on the network, the honest fallback, "hide only"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import Direction, Message, ModerationState
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.moderation.models import CharterClause, DecisionOutcome, ModerationSettings
from parvis.moderation.services import ModerationError, message_moderate
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ConnectedAccount
from parvis.networks.protocol import ActionKind

pytestmark = pytest.mark.django_db


def _insult(account: ConnectedAccount, **fields: object) -> Message:
    message: Message = MessageFactory(
        conversation=ConversationFactory(account=account),
        text="@org Bande d'abrutis, vous êtes nuls",
        **{"kind": "reply", **fields},
    )
    return message


def _without(monkeypatch: pytest.MonkeyPatch, *kinds: ActionKind, delete_others: bool = False) -> None:
    capabilities = replace(
        FakeConnector.capabilities,
        actions=FakeConnector.capabilities.actions - set(kinds),
        delete_others=delete_others,
    )
    monkeypatch.setattr(FakeConnector, "capabilities", capabilities)


def test_hiding_writes_the_decision_with_its_clause_and_a_hide_action(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _insult(account)

    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)

    assert decision.clause == insults
    assert decision.decided_by == camille.user and decision.rule is None
    assert decision.outcome == DecisionOutcome.NETWORK
    assert [(a.kind, a.payload) for a in decision.actions.all()] == [("hide", {"target_id": message.external_id})]
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN
    assert AuditEntry.objects.filter(verb="moderation.decide", target_id=str(decision.pk)).exists()


def test_the_explanation_replies_citing_the_clause_and_the_public_charter(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _insult(account)

    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults)

    explanation = decision.explanation
    assert explanation is not None and explanation.kind == ActionKind.REPLY
    assert explanation.payload["in_reply_to_id"] == message.external_id
    text = explanation.payload["text"]
    assert "1.1" in text and "Pas d'insultes" in text
    assert "https://parvis.cci-lyon.example/charter/cci-lyon/#clause-1-1" in text
    sent = Message.objects.get(action=explanation)
    assert sent.direction == Direction.OUT and sent.conversation_id == message.conversation_id


def test_without_a_clause_nothing_is_removed(camille: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(ModerationError):
        message_moderate(membership=camille, message=_insult(account), action="hide", clause=None)
    assert not Action.objects.exists()


def test_a_contributor_cannot_moderate(theo: Membership, account: ConnectedAccount, insults: CharterClause) -> None:
    with pytest.raises(PermissionDenied):
        message_moderate(membership=theo, message=_insult(account), action="hide", clause=insults)


def test_another_workspace_cannot_moderate_the_message(
    oscar: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    with pytest.raises(PermissionError):
        message_moderate(membership=oscar, message=_insult(account), action="hide", clause=None)


def test_hide_only_refuses_to_delete(camille: Membership, account: ConnectedAccount, insults: CharterClause) -> None:
    with pytest.raises(ModerationError):
        message_moderate(membership=camille, message=_insult(account), action="delete", clause=insults)

    assert not Action.objects.filter(kind=ActionKind.DELETE).exists()


def test_a_workspace_that_deletes_deletes_where_the_network_removes_others_comments(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, monkeypatch: pytest.MonkeyPatch
) -> None:
    ModerationSettings.objects.create(workspace=camille.workspace, hide_only=False)
    _without(monkeypatch, delete_others=True)
    message = _insult(account)

    decision = message_moderate(membership=camille, message=message, action="delete", clause=insults, explain=False)

    assert [a.kind for a in decision.actions.all()] == ["delete"]
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.DELETED


def test_delete_falls_back_to_hide_where_the_network_only_deletes_own_posts(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, monkeypatch: pytest.MonkeyPatch
) -> None:
    ModerationSettings.objects.create(workspace=camille.workspace, hide_only=False)
    _without(monkeypatch, delete_others=False)

    decision = message_moderate(
        membership=camille, message=_insult(account), action="delete", clause=insults, explain=False
    )

    assert [a.kind for a in decision.actions.all()] == ["hide"]
    assert "hidden instead" in decision.note


def test_where_the_network_cannot_hide_it_reports_and_mutes_and_says_hidden_in_parvis_only(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without(monkeypatch, ActionKind.HIDE)
    message = _insult(account)

    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)

    assert decision.outcome == DecisionOutcome.PARVIS_ONLY
    kinds = {a.kind: a.payload for a in decision.actions.all()}
    assert set(kinds) == {"report", "mute"}
    assert kinds["report"]["target_id"] == message.external_id
    assert "1.1" in kinds["report"]["text"]
    assert kinds["mute"]["target_handle"] == message.author.handle
    assert not Action.objects.filter(kind=ActionKind.HIDE).exists()
    assert "still visible on the network" in decision.note
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN


def test_a_network_with_neither_hide_nor_report_is_hidden_in_parvis_only_and_nothing_is_claimed(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without(monkeypatch, ActionKind.HIDE, ActionKind.REPORT, ActionKind.MUTE)

    decision = message_moderate(
        membership=camille, message=_insult(account), action="hide", clause=insults, explain=False
    )

    assert decision.outcome == DecisionOutcome.PARVIS_ONLY
    assert not decision.actions.exists()


def test_private_messages_are_hidden_in_parvis_only(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _insult(account, kind="direct_message", visibility="direct")

    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults, explain=False)

    assert decision.outcome == DecisionOutcome.PARVIS_ONLY
    assert not decision.actions.filter(kind=ActionKind.HIDE).exists()


def test_an_explanation_by_private_message_when_the_workspace_says_so(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    ModerationSettings.objects.create(workspace=camille.workspace, explanation_mode="direct")
    message = _insult(account)

    decision = message_moderate(membership=camille, message=message, action="hide", clause=insults)

    assert decision.explanation is not None and decision.explanation.kind == ActionKind.SEND_DIRECT
    assert decision.explanation.payload["target_handle"] == message.author.handle


def test_muting_and_blocking_the_author(camille: Membership, account: ConnectedAccount) -> None:
    message = _insult(account)

    mute = message_moderate(membership=camille, message=message, action="mute", clause=None)
    block = message_moderate(membership=camille, message=message, action="block", clause=None)

    assert [a.kind for a in mute.actions.all()] == ["mute"]
    assert [a.kind for a in block.actions.all()] == ["block"]
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.VISIBLE
