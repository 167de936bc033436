from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import Message, Note, SavedView
from parvis.inbox.selectors import saved_view_list
from parvis.inbox.tests.factories import MessageFactory
from parvis.inbox.work import (
    WorkError,
    conversation_label_add,
    conversation_label_remove,
    label_create,
    note_add,
    note_delete,
    saved_view_create,
    saved_view_delete,
)
from parvis.networks.models import Action, ConnectedAccount


def test_a_note_stays_inside_parvis(camille: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)

    note = note_add(membership=camille, conversation=message.conversation, text="  Client important, voir Paul.  ")

    assert note.text == "Client important, voir Paul."
    assert note.author == camille.user
    assert not Action.objects.exists()
    assert Message.objects.filter(direction="out").count() == 0


def test_an_empty_note_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)

    with pytest.raises(WorkError):
        note_add(membership=camille, conversation=message.conversation, text="   ")


def test_only_its_author_removes_a_note(camille: Membership, alice: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)
    note = note_add(membership=camille, conversation=message.conversation, text="À rappeler")

    with pytest.raises(PermissionError):
        note_delete(membership=alice, note=note)
    note_delete(membership=camille, note=note)
    assert not Note.objects.exists()


def test_an_analyst_cannot_write_notes(nadia: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)

    with pytest.raises(PermissionDenied):
        note_add(membership=nadia, conversation=message.conversation, text="Non")


def test_a_note_on_another_workspace_is_refused(oscar: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)

    with pytest.raises(PermissionError):
        note_add(membership=oscar, conversation=message.conversation, text="Intrus")


def test_labels_are_added_and_removed(camille: Membership, account: ConnectedAccount) -> None:
    conversation = MessageFactory(conversation__account=account).conversation
    label = label_create(membership=camille, name="  Presse ")

    conversation_label_add(membership=camille, conversation=conversation, label=label)
    assert list(conversation.labels.values_list("name", flat=True)) == ["Presse"]

    conversation_label_remove(membership=camille, conversation=conversation, label=label)
    assert not conversation.labels.exists()


def test_the_same_label_name_gives_the_same_label(camille: Membership) -> None:
    assert label_create(membership=camille, name="Presse") == label_create(membership=camille, name="presse")


def test_a_label_of_another_workspace_cannot_be_put_on_a_conversation(
    camille: Membership, oscar: Membership, account: ConnectedAccount
) -> None:
    conversation = MessageFactory(conversation__account=account).conversation
    foreign = label_create(membership=oscar, name="Presse")

    with pytest.raises(PermissionError):
        conversation_label_add(membership=camille, conversation=conversation, label=foreign)


def test_views_are_personal_or_shared(camille: Membership, alice: Membership) -> None:
    mine = saved_view_create(membership=camille, name="Mes questions", query="?assignee=mine&category=question")
    shared = saved_view_create(membership=alice, name="Urgent", query="priority_min=70", shared=True)
    saved_view_create(membership=alice, name="Privé d'Alice", query="")

    assert mine.query == "assignee=mine&category=question"
    assert list(saved_view_list(camille.workspace, user=camille.user)) == [mine, shared]


def test_a_personal_view_is_removed_only_by_its_owner(camille: Membership, alice: Membership) -> None:
    view = saved_view_create(membership=camille, name="Mes questions", query="")

    with pytest.raises(PermissionError):
        saved_view_delete(membership=alice, view=view)
    saved_view_delete(membership=camille, view=view)
    assert not SavedView.objects.exists()


def test_an_analyst_saves_a_view_for_herself_only(nadia: Membership) -> None:
    saved_view_create(membership=nadia, name="À lire", query="")

    with pytest.raises(PermissionDenied):
        saved_view_create(membership=nadia, name="Pour tous", query="", shared=True)
