from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import Conversation, ConversationStatus
from parvis.inbox.services import conversation_set_status
from parvis.inbox.tests.factories import ConversationFactory
from parvis.networks.models import ConnectedAccount


@pytest.fixture
def conversation(account: ConnectedAccount) -> Conversation:
    created: Conversation = ConversationFactory(account=account)
    return created


def test_it_closes_a_conversation(camille: Membership, conversation: Conversation) -> None:
    conversation_set_status(membership=camille, conversation=conversation, status=ConversationStatus.DONE)

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.DONE


def test_taking_a_conversation_assigns_it_to_oneself(camille: Membership, conversation: Conversation) -> None:
    conversation_set_status(membership=camille, conversation=conversation, status=ConversationStatus.ASSIGNED)

    conversation.refresh_from_db()
    assert conversation.assignee == camille.user


def test_an_unknown_status_is_refused(camille: Membership, conversation: Conversation) -> None:
    with pytest.raises(ValueError):
        conversation_set_status(membership=camille, conversation=conversation, status="archived")


def test_an_analyst_cannot_change_a_status(nadia: Membership, conversation: Conversation) -> None:
    with pytest.raises(PermissionDenied):
        conversation_set_status(membership=nadia, conversation=conversation, status=ConversationStatus.DONE)


def test_a_conversation_of_another_workspace_is_refused(oscar: Membership, conversation: Conversation) -> None:
    with pytest.raises(PermissionError):
        conversation_set_status(membership=oscar, conversation=conversation, status=ConversationStatus.DONE)

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEW
