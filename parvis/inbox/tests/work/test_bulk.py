from __future__ import annotations

import pytest

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import Conversation, ConversationStatus
from parvis.inbox.tests.factories import ConversationFactory
from parvis.inbox.work import WorkError, conversations_bulk, label_create
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


@pytest.fixture
def three(account: ConnectedAccount) -> list[Conversation]:
    return [ConversationFactory(account=account) for _ in range(3)]


def ids(conversations: list[Conversation]) -> list[int]:
    return [conversation.pk for conversation in conversations]


def test_bulk_done_closes_every_selected_conversation(camille: Membership, three: list[Conversation]) -> None:
    count = conversations_bulk(membership=camille, conversation_ids=ids(three[:2]), action="done")

    assert count == 2
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids(three)] == ["done", "done", "new"]
    entry = AuditEntry.objects.get(verb="inbox.bulk.done")
    assert entry.data == {"conversations": sorted(ids(three[:2]))}


def test_bulk_status_sets_any_status(camille: Membership, three: list[Conversation]) -> None:
    conversations_bulk(membership=camille, conversation_ids=ids(three), action="status", status="waiting")

    assert set(Conversation.objects.values_list("status", flat=True)) == {ConversationStatus.WAITING}


def test_bulk_assign_gives_them_all_to_one_person(
    camille: Membership, alice: Membership, three: list[Conversation]
) -> None:
    conversations_bulk(membership=alice, conversation_ids=ids(three), action="assign", assignee_id=camille.user_id)

    assert set(Conversation.objects.values_list("assignee_id", "status")) == {(camille.user_id, "assigned")}


def test_bulk_label_and_unlabel(camille: Membership, three: list[Conversation]) -> None:
    label = label_create(membership=camille, name="Salon")

    conversations_bulk(membership=camille, conversation_ids=ids(three), action="label", label=label)
    conversations_bulk(membership=camille, conversation_ids=ids(three), action="label", label=label)
    assert label.conversations.count() == 3

    conversations_bulk(membership=camille, conversation_ids=ids(three[:1]), action="unlabel", label=label)
    assert label.conversations.count() == 2


def test_one_conversation_of_another_workspace_refuses_the_whole_batch(
    camille: Membership, oscar: Membership, three: list[Conversation]
) -> None:
    foreign = ConversationFactory(account=ConnectedAccountFactory(workspace=oscar.workspace))

    with pytest.raises(PermissionError):
        conversations_bulk(membership=camille, conversation_ids=[*ids(three), foreign.pk], action="done")

    assert not Conversation.objects.filter(status="done").exists()


def test_an_analyst_cannot_act_in_bulk(nadia: Membership, three: list[Conversation]) -> None:
    with pytest.raises(PermissionDenied):
        conversations_bulk(membership=nadia, conversation_ids=ids(three), action="done")


def test_an_empty_selection_or_an_unknown_action_is_refused(camille: Membership, three: list[Conversation]) -> None:
    with pytest.raises(WorkError):
        conversations_bulk(membership=camille, conversation_ids=[], action="done")
    with pytest.raises(WorkError):
        conversations_bulk(membership=camille, conversation_ids=ids(three), action="delete")


def test_a_bad_assignee_changes_nothing(camille: Membership, oscar: Membership, three: list[Conversation]) -> None:
    with pytest.raises(PermissionError):
        conversations_bulk(membership=camille, conversation_ids=ids(three), action="assign", assignee_id=oscar.user_id)

    assert not Conversation.objects.filter(assignee__isnull=False).exists()
