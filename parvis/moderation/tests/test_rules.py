"""Rules on arrival: explicit rules only, every condition, dry runs, "hide only" whatever a rule says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parvis.core.models import Membership
from parvis.inbox.hooks import registered
from parvis.inbox.models import Category, Label, Message, ModerationState
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.moderation.models import (
    BanListEntry,
    CharterClause,
    DecisionOutcome,
    ModerationDecision,
    ModerationRule,
    ModerationSettings,
)
from parvis.moderation.rules import moderation_rules_run
from parvis.moderation.services import ModerationError, ban_add, rule_save
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind, NetworkEvent
from parvis.networks.services import account_poll, action_execute
from parvis.networks.tests.factories import AuthorFactory, NetworkEventFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _receive(account: ConnectedAccount, *events: NetworkEvent) -> list[Message]:
    FakeConnector.inbox.extend(events)
    assert account_poll(account_id=account.pk) is not None
    return list(Message.objects.filter(external_id__in=[e.external_id for e in events]).order_by("occurred_at"))


def _arrive(account: ConnectedAccount, *events: NetworkEvent) -> list[Message]:
    """Store the messages as ingest would, then run the hook on them (ingest itself: see the tests that poll)."""
    from parvis.community.services import identities_resolve

    identities = identities_resolve(
        workspace=account.workspace,
        network=account.network,
        authors=[(e.author, e.occurred_at) for e in events if e.author is not None],
    )
    messages = [
        MessageFactory(
            conversation=ConversationFactory(account=account),
            external_id=e.external_id,
            text=e.text,
            occurred_at=e.occurred_at,
            author=identities[e.author.external_id] if e.author else None,
            language="fr",
        )
        for e in events
    ]
    moderation_rules_run(account, messages)
    return messages


def _rule(camille: Membership, **fields: object) -> ModerationRule:
    return rule_save(membership=camille, **{"name": "Insultes", "order": 10, **fields})


def test_the_hook_is_registered_at_the_moderation_order() -> None:
    assert "moderation.rules" in registered()


def test_nothing_is_hidden_without_a_rule(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    [message] = _receive(account, NetworkEventFactory(text="@org bande de connards"))

    assert message.moderation_state == ModerationState.VISIBLE
    assert not ModerationDecision.objects.exists()


def test_a_keyword_rule_hides_on_arrival_and_explains_it_on_the_network(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    rule = _rule(camille, keywords=["connard*"], removal="hide", clause=insults)

    [message] = _receive(account, NetworkEventFactory(external_id="s1", text="@org bande de connards"))

    decision = ModerationDecision.objects.get(message=message)
    assert decision.rule == rule and decision.decided_by is None
    assert decision.clause == insults and decision.action == "hide"
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN
    for action in decision.actions.all():
        assert action_execute(action_id=action.pk).status == ActionStatus.DONE  # type: ignore[union-attr]
    assert "s1" in FakeConnector.hidden
    [reply] = [r for r in FakeConnector.published if r.kind == ActionKind.REPLY]
    assert reply.in_reply_to_id == "s1" and "1.1" in reply.text and "/charter/cci-lyon/#clause-1-1" in reply.text


def test_class_conditions_are_the_rule_authors_choice(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    _rule(camille, categories=[Category.INSULT_OR_HATE], removal="hide", clause=insults, explain=False)
    [message] = _receive(account, NetworkEventFactory(text="@org texte quelconque"))
    Message.objects.filter(pk=message.pk).update(category=Category.INSULT_OR_HATE)
    message.refresh_from_db()

    moderation_rules_run(account, [message])

    assert ModerationDecision.objects.get(message=message).action == "hide"


def test_a_dry_run_logs_what_would_happen_and_does_nothing(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    _rule(camille, keywords=["connard"], removal="hide", clause=insults, dry_run=True, mute=True)

    [message] = _arrive(account, NetworkEventFactory(text="@org connard"))

    decision = ModerationDecision.objects.get(message=message)
    assert decision.dry_run and decision.outcome == DecisionOutcome.DRY_RUN
    assert not Action.objects.exists()
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.VISIBLE


def test_with_hide_only_no_delete_is_ever_written_even_when_a_rule_says_delete(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, spam: CharterClause
) -> None:
    ModerationSettings.objects.create(workspace=camille.workspace, hide_only=True)
    _rule(camille, keywords=["connard"], removal="delete", clause=insults)
    _rule(camille, name="Liens", has_links=True, removal="delete", clause=spam, order=20, block=True, ban=True)

    messages = _receive(
        account,
        NetworkEventFactory(text="@org connard"),
        NetworkEventFactory(text="@org promo https://casino.example"),
        NetworkEventFactory(text="@org merci !"),
    )

    assert not Action.objects.filter(kind=ActionKind.DELETE).exists()
    decisions = ModerationDecision.objects.order_by("message__occurred_at")
    assert [d.action for d in decisions] == ["hide", "hide"]
    assert [d.requested for d in decisions] == ["delete", "delete"]
    states = [Message.objects.get(pk=m.pk).moderation_state for m in messages]
    assert states == ["hidden", "hidden", "visible"]
    assert all(s != ModerationState.DELETED for s in states)


def test_without_hide_only_a_delete_rule_deletes(
    camille: Membership, account: ConnectedAccount, spam: CharterClause
) -> None:
    ModerationSettings.objects.create(workspace=camille.workspace, hide_only=False)
    _rule(camille, has_links=True, removal="delete", clause=spam, explain=False)

    [_message] = _arrive(account, NetworkEventFactory(text="@org https://casino.example"))

    assert list(Action.objects.values_list("kind", flat=True)) == ["delete"]


def test_mentions_only_messages(camille: Membership, account: ConnectedAccount, spam: CharterClause) -> None:
    _rule(camille, mentions_only=True, removal="hide", clause=spam, explain=False)

    spammy, normal = _arrive(
        account,
        NetworkEventFactory(text="@org @a @b @c", occurred_at=NOON),
        NetworkEventFactory(text="@org bonjour", occurred_at=NOON + timedelta(minutes=1)),
    )

    assert ModerationDecision.objects.filter(message=spammy).exists()
    assert not ModerationDecision.objects.filter(message=normal).exists()


def test_a_banned_author_and_the_language_condition(
    camille: Membership, account: ConnectedAccount, spam: CharterClause
) -> None:
    troll = AuthorFactory(handle="@troll@social.example")
    ban_add(membership=camille, network="fake", handle="@troll@social.example", reason="spam")
    _rule(camille, author_banned=True, languages=["fr"], removal="hide", clause=spam, explain=False)

    banned, other = _arrive(
        account,
        NetworkEventFactory(author=troll, text="@org Bonjour, voici encore une offre pour vous", occurred_at=NOON),
        NetworkEventFactory(text="@org Bonjour, voici une question pour vous", occurred_at=NOON + timedelta(minutes=1)),
    )

    assert ModerationDecision.objects.filter(message=banned).exists()
    assert not ModerationDecision.objects.filter(message=other).exists()


def test_repeated_messages_by_the_same_author(
    camille: Membership, account: ConnectedAccount, spam: CharterClause
) -> None:
    _rule(camille, repeat_count=3, repeat_window_minutes=10, removal="hide", clause=spam, explain=False)
    author = AuthorFactory()
    events = [
        NetworkEventFactory(author=author, text="@org Achetez MAINTENANT", occurred_at=NOON + timedelta(minutes=i))
        for i in range(4)
    ]

    messages = _arrive(account, *events)

    hidden = [m for m in messages if ModerationDecision.objects.filter(message=m).exists()]
    assert [m.external_id for m in hidden] == [events[2].external_id, events[3].external_id]


def test_label_assign_ban_and_escalate_without_removal(
    camille: Membership, alice: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    label = Label.objects.create(workspace=camille.workspace, name="à surveiller")
    _rule(
        camille,
        patterns=[r"\bboycott\w*"],
        label=label,
        assign_to=camille.user,
        ban=True,
        ban_days=7,
        escalate=True,
        clause=insults,
    )

    [message] = _arrive(account, NetworkEventFactory(text="@org Boycottez ce salon"))

    decision = ModerationDecision.objects.get(message=message)
    assert decision.action == "ban"
    assert list(message.conversation.labels.all()) == [label]
    message.conversation.refresh_from_db()
    assert message.conversation.assignee == camille.user
    assert BanListEntry.objects.get().until is not None
    assert alice.user.notifications.filter(kind="moderation.escalate").exists()
    assert not Action.objects.exists()


def test_a_rule_without_condition_matches_nothing(
    camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    _rule(camille, removal="hide", clause=insults)

    _arrive(account, NetworkEventFactory(text="@org n'importe quoi"))

    assert not ModerationDecision.objects.exists()


def test_a_removal_rule_needs_a_clause_and_catastrophic_patterns_are_refused(camille: Membership) -> None:
    with pytest.raises(ModerationError):
        _rule(camille, keywords=["x"], removal="hide")
    with pytest.raises(ModerationError):
        _rule(camille, patterns=["(a+)+$"])


def test_the_first_matching_rule_decides(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, spam: CharterClause
) -> None:
    first = _rule(camille, keywords=["connard"], removal="hide", clause=insults, order=1, explain=False)
    _rule(camille, name="autre", keywords=["connard"], removal="hide", clause=spam, order=2, explain=False)

    [message] = _arrive(account, NetworkEventFactory(text="@org connard"))

    assert [d.rule for d in ModerationDecision.objects.filter(message=message)] == [first]
