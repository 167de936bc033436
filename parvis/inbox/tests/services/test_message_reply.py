from __future__ import annotations

import pytest

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import ConversationStatus, Direction, Message, MessageKind
from parvis.inbox.services import ReplyError, message_reply
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import AccountStatus, Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind


@pytest.fixture
def question(account: ConnectedAccount) -> Message:
    """Marie asks the organisation something, publicly."""
    author = IdentityFactory(member__workspace=account.workspace, handle="@marie@social.example")
    message: Message = MessageFactory(
        conversation__account=account, external_id="109", author=author, visibility="unlisted"
    )
    return message


def _reply(membership: Membership, message: Message, text: str = "Oui, par l'entrée B.") -> Message:
    return message_reply(membership=membership, message=message, text=text)


def test_it_writes_the_answer_as_a_sent_message_of_the_conversation(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question)

    assert sent.direction == Direction.OUT
    assert sent.conversation == question.conversation
    assert sent.text == "Oui, par l'entrée B."
    assert sent.sent_by == camille.user
    assert sent.in_reply_to_id == "109"


def test_it_creates_the_reply_action_that_carries_the_answer(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question)

    action = Action.objects.get(pk=sent.action_id)
    assert action.kind == ActionKind.REPLY
    assert action.status == ActionStatus.PENDING
    assert action.account == question.account
    assert action.source == "inbox.reply"
    assert action.created_by == camille.user


def test_the_action_says_what_it_answers_and_who_wrote_it(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question)

    assert Action.objects.get(pk=sent.action_id).payload == {
        "text": "Oui, par l'entrée B.",
        "in_reply_to_id": "109",
        "in_reply_to_author": "@marie@social.example",
        "visibility": "unlisted",
    }


def test_the_answer_reaches_the_network_once_committed(
    camille: Membership, question: Message, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _reply(camille, question)

    [request] = FakeConnector.published
    assert (request.kind, request.in_reply_to_id, request.text) == (ActionKind.REPLY, "109", "Oui, par l'entrée B.")


def test_the_conversation_waits_for_the_other_person(camille: Membership, question: Message) -> None:
    _reply(camille, question)

    question.conversation.refresh_from_db()
    assert question.conversation.status == ConversationStatus.WAITING


def test_the_answer_is_written_to_the_audit_log(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question)

    entry = AuditEntry.objects.get(verb="inbox.reply")
    assert (entry.actor, entry.target_id, entry.summary) == (camille.user, str(sent.pk), "Oui, par l'entrée B.")


def test_a_private_message_is_answered_privately(camille: Membership, account: ConnectedAccount) -> None:
    private = MessageFactory(
        conversation__account=account, kind=MessageKind.DIRECT_MESSAGE, visibility="direct", external_id="d1"
    )

    sent = _reply(camille, private)

    assert sent.kind == MessageKind.DIRECT_MESSAGE
    assert Action.objects.get(pk=sent.action_id).payload["visibility"] == "direct"


def test_an_answer_of_exactly_the_networks_limit_is_accepted(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question, "a" * 280)

    assert len(sent.text) == 280


def test_the_answer_is_trimmed(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question, "  Oui.\n")

    assert sent.text == "Oui."


# --- refusals --------------------------------------------------------------------------------


def test_a_new_follower_cannot_be_answered(camille: Membership, account: ConnectedAccount) -> None:
    follow = MessageFactory(conversation__account=account, kind=MessageKind.FOLLOW, text="")

    with pytest.raises(ReplyError):
        _reply(camille, follow)

    assert not Action.objects.exists()


def test_an_empty_answer_is_refused(camille: Membership, question: Message) -> None:
    with pytest.raises(ReplyError, match="empty"):
        _reply(camille, question, "   \n ")

    assert not Action.objects.exists()


def test_an_answer_too_long_for_the_network_is_refused(camille: Membership, question: Message) -> None:
    with pytest.raises(ReplyError, match="280"):
        _reply(camille, question, "a" * 281)

    assert not Action.objects.exists()
    assert Message.objects.filter(direction=Direction.OUT).count() == 0


def test_an_analyst_cannot_answer(nadia: Membership, question: Message) -> None:
    with pytest.raises(PermissionDenied):
        _reply(nadia, question)

    assert not Action.objects.exists()


def test_a_message_of_another_workspace_cannot_be_answered(oscar: Membership, question: Message) -> None:
    with pytest.raises(PermissionError):
        _reply(oscar, question)

    assert not Action.objects.exists()


def test_a_message_of_a_disconnected_account_cannot_be_answered(camille: Membership, question: Message) -> None:
    ConnectedAccount.objects.filter(pk=question.account_id).update(status=AccountStatus.DISABLED)
    question.account.refresh_from_db()

    with pytest.raises(ReplyError, match="disconnected"):
        _reply(camille, question)


def test_our_own_sent_message_cannot_be_answered(camille: Membership, question: Message) -> None:
    sent = _reply(camille, question)

    with pytest.raises(ReplyError):
        _reply(camille, sent)
