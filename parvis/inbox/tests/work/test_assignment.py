from __future__ import annotations

import pytest

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox import hooks
from parvis.inbox.models import Conversation, ConversationStatus, MessageKind
from parvis.inbox.services import conversation_assign, conversation_set_status
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.inbox.work import WorkError, assignment_rule_create, assignment_rule_delete, conversations_assign_by_rules
from parvis.inbox.work_hooks import register
from parvis.networks.models import ConnectedAccount


@pytest.fixture
def conversation(account: ConnectedAccount) -> Conversation:
    created: Conversation = ConversationFactory(account=account)
    return created


def test_assigning_gives_the_conversation_to_a_teammate(
    alice: Membership, camille: Membership, conversation: Conversation
) -> None:
    conversation_assign(membership=alice, conversation=conversation, assignee_id=camille.user_id)

    conversation.refresh_from_db()
    assert conversation.assignee_id == camille.user_id
    assert conversation.status == ConversationStatus.ASSIGNED
    assert AuditEntry.objects.filter(verb="inbox.assign", target_id=str(conversation.pk)).exists()


def test_unassigning_puts_it_back_as_new(camille: Membership, conversation: Conversation) -> None:
    conversation_assign(membership=camille, conversation=conversation, assignee_id=camille.user_id)
    conversation_assign(membership=camille, conversation=conversation, assignee_id=None)

    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert conversation.status == ConversationStatus.NEW


def test_a_conversation_cannot_be_given_to_someone_outside_the_workspace(
    camille: Membership, oscar: Membership, conversation: Conversation
) -> None:
    with pytest.raises(PermissionError):
        conversation_assign(membership=camille, conversation=conversation, assignee_id=oscar.user_id)


def test_a_conversation_cannot_be_given_to_an_analyst(
    camille: Membership, nadia: Membership, conversation: Conversation
) -> None:
    with pytest.raises(PermissionError):
        conversation_assign(membership=camille, conversation=conversation, assignee_id=nadia.user_id)


def test_an_analyst_cannot_assign(nadia: Membership, camille: Membership, conversation: Conversation) -> None:
    with pytest.raises(PermissionDenied):
        conversation_assign(membership=nadia, conversation=conversation, assignee_id=camille.user_id)


@pytest.mark.parametrize("status", ["new", "assigned", "waiting", "done"])
def test_every_status_can_be_set(camille: Membership, conversation: Conversation, status: str) -> None:
    conversation_set_status(membership=camille, conversation=conversation, status=status)

    conversation.refresh_from_db()
    assert conversation.status == status


def test_status_changes_reach_the_sla_timers(
    camille: Membership, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "parvis.inbox.services.sla_record_status", lambda *, conversation, status, at: calls.append(status)
    )

    conversation_set_status(membership=camille, conversation=conversation, status="waiting")
    conversation_set_status(membership=camille, conversation=conversation, status="done")

    assert calls == ["waiting", "done"]


def test_a_rule_assigns_new_conversations_that_match(
    camille: Membership, alice: Membership, account: ConnectedAccount
) -> None:
    assignment_rule_create(
        membership=alice, name="Questions", conditions={"category": "question"}, assignee_id=camille.user_id
    )
    question = MessageFactory(conversation__account=account, category="question")
    praise = MessageFactory(conversation__account=account, category="praise")

    chosen = conversations_assign_by_rules(account=account, messages=[question, praise])

    assert chosen == {question.conversation_id: camille.user_id}
    question.conversation.refresh_from_db()
    assert question.conversation.assignee_id == camille.user_id
    assert question.conversation.status == ConversationStatus.ASSIGNED


def test_the_first_matching_rule_wins(camille: Membership, alice: Membership, account: ConnectedAccount) -> None:
    assignment_rule_create(membership=alice, name="Salon", conditions={"keyword": "SALON"}, assignee_id=alice.user_id)
    assignment_rule_create(membership=alice, name="Tout", conditions={}, assignee_id=camille.user_id)
    about_the_fair = MessageFactory(conversation__account=account, text="Le salon ouvre quand ?")
    other = MessageFactory(conversation__account=account, text="Bonjour")

    chosen = conversations_assign_by_rules(account=account, messages=[about_the_fair, other])

    assert chosen == {about_the_fair.conversation_id: alice.user_id, other.conversation_id: camille.user_id}


def test_conditions_combine(camille: Membership, account: ConnectedAccount) -> None:
    assignment_rule_create(
        membership=camille,
        name="DM en anglais",
        conditions={"kind": MessageKind.DIRECT_MESSAGE, "language": "en", "network": account.network},
        assignee_id=camille.user_id,
    )
    english_dm = MessageFactory(conversation__account=account, kind=MessageKind.DIRECT_MESSAGE, language="en")
    french_dm = MessageFactory(conversation__account=account, kind=MessageKind.DIRECT_MESSAGE, language="fr")
    english_mention = MessageFactory(conversation__account=account, language="en")

    chosen = conversations_assign_by_rules(account=account, messages=[english_dm, french_dm, english_mention])

    assert list(chosen) == [english_dm.conversation_id]


def test_round_robin_gives_each_member_a_turn(
    camille: Membership, alice: Membership, account: ConnectedAccount
) -> None:
    assignment_rule_create(
        membership=alice, name="Tour", conditions={}, round_robin_ids=[alice.user_id, camille.user_id]
    )
    messages = [MessageFactory(conversation__account=account) for _ in range(4)]

    chosen = conversations_assign_by_rules(account=account, messages=messages)

    assignees = [chosen[message.conversation_id] for message in messages]
    assert sorted(assignees[:2]) == sorted([alice.user_id, camille.user_id])
    assert assignees[:2] == assignees[2:]


def test_rules_leave_assigned_conversations_alone(
    camille: Membership, alice: Membership, account: ConnectedAccount
) -> None:
    assignment_rule_create(membership=alice, name="Tout", conditions={}, assignee_id=camille.user_id)
    message = MessageFactory(conversation__account=account)
    conversation_assign(membership=alice, conversation=message.conversation, assignee_id=alice.user_id)

    assert conversations_assign_by_rules(account=account, messages=[message]) == {}


def test_a_disabled_or_deleted_rule_does_nothing(camille: Membership, account: ConnectedAccount) -> None:
    assignment_rule_create(membership=camille, name="Off", conditions={}, assignee_id=camille.user_id, enabled=False)
    rule = assignment_rule_create(membership=camille, name="Gone", conditions={}, assignee_id=camille.user_id)
    assignment_rule_delete(membership=camille, rule=rule)
    message = MessageFactory(conversation__account=account)

    assert conversations_assign_by_rules(account=account, messages=[message]) == {}


def test_a_rule_needs_someone_to_assign_to(camille: Membership) -> None:
    with pytest.raises(WorkError):
        assignment_rule_create(membership=camille, name="Personne", conditions={})


def test_a_rule_refuses_an_account_of_another_workspace(camille: Membership, oscar: Membership) -> None:
    from parvis.networks.tests.factories import ConnectedAccountFactory

    foreign = ConnectedAccountFactory(workspace=oscar.workspace)
    with pytest.raises(PermissionError):
        assignment_rule_create(
            membership=camille, name="X", conditions={"account": foreign}, assignee_id=camille.user_id
        )


def test_the_hook_assigns_what_a_poll_brings(camille: Membership, account: ConnectedAccount) -> None:
    register()
    assert "inbox.assignment" in hooks.registered()
    assignment_rule_create(membership=camille, name="Tout", conditions={}, assignee_id=camille.user_id)
    message = MessageFactory(conversation__account=account)

    hooks.run_after_ingest(account, [message])

    message.conversation.refresh_from_db()
    assert message.conversation.assignee_id == camille.user_id


def test_a_poll_brings_a_question_and_the_rule_assigns_it(camille: Membership, account: ConnectedAccount) -> None:
    from parvis.networks.connectors.fake.connector import FakeConnector
    from parvis.networks.services import account_poll
    from parvis.networks.tests.factories import NetworkEventFactory

    register()
    assignment_rule_create(
        membership=camille, name="Salon", conditions={"keyword": "salon"}, assignee_id=camille.user_id
    )
    FakeConnector.inbox.extend(
        [
            NetworkEventFactory(external_id="q1", text="@org Le salon ouvre à quelle heure ?"),
            NetworkEventFactory(external_id="q2", text="@org Merci pour hier"),
        ]
    )

    account_poll(account_id=account.pk)

    about_the_fair = Conversation.objects.get(messages__external_id="q1")
    other = Conversation.objects.get(messages__external_id="q2")
    assert (about_the_fair.assignee_id, about_the_fair.status) == (camille.user_id, ConversationStatus.ASSIGNED)
    assert (other.assignee_id, other.status) == (None, ConversationStatus.NEW)
