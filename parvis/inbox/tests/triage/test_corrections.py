"""A person corrects the class or the sentiment: stored as a label, the priority follows, training is queued."""

from __future__ import annotations

import pytest

from parvis.core.models import AuditEntry
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import CorrectionField, Direction, LabelCorrection, LabelSource, WorkspaceClassModel
from parvis.inbox.tests.factories import MessageFactory
from parvis.inbox.triage_services import CorrectionError, message_correct_label, message_correct_sentiment
from parvis.inbox.triage_training import is_held_out


def test_a_correction_is_stored_and_the_message_takes_the_person_s_class(camille, message_on_side):
    message = message_on_side("Vous êtes nuls", held_out=False, category="criticism", category_source="model")

    correction = message_correct_label(membership=camille, message=message, category="insult-or-hate")

    message.refresh_from_db()
    assert (message.category, message.category_source) == ("insult-or-hate", LabelSource.PERSON)
    assert (correction.field, correction.previous, correction.value) == ("category", "criticism", "insult-or-hate")
    assert correction.corrected_by == camille.user
    assert correction.held_out is False
    assert AuditEntry.objects.filter(verb="inbox.triage_correct", target_id=str(message.pk)).exists()


def test_the_priority_of_the_message_and_its_conversation_follow_the_correction(camille, message_on_side):
    message = message_on_side("Achetez nos lunettes", held_out=False, category="spam-or-advertising", priority=5)

    message_correct_label(membership=camille, message=message, category="question")

    message.refresh_from_db()
    message.conversation.refresh_from_db()
    assert message.priority == 45
    assert message.conversation.priority == 45


def test_the_sentiment_can_be_corrected_too(camille, message_on_side):
    message = message_on_side("Super, encore une panne", held_out=False, category="criticism", sentiment="positive")
    before = message.priority

    correction = message_correct_sentiment(membership=camille, message=message, sentiment="negative")

    message.refresh_from_db()
    assert message.sentiment == "negative"
    assert correction.field == CorrectionField.SENTIMENT
    assert message.priority > before


def test_the_held_out_split_is_deterministic_and_about_one_in_five():
    first = [is_held_out(pk) for pk in range(1, 5001)]
    again = [is_held_out(pk) for pk in range(1, 5001)]

    assert first == again
    assert 0.17 < sum(first) / len(first) < 0.23


def test_a_correction_of_a_held_out_message_is_marked_held_out(camille, message_on_side):
    message = message_on_side("Où se garer ?", held_out=True, category="other")

    correction = message_correct_label(membership=camille, message=message, category="question")

    assert correction.held_out is True


def test_an_analyst_cannot_correct(nadia, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    with pytest.raises(PermissionDenied):
        message_correct_label(membership=nadia, message=message, category="question")

    assert not LabelCorrection.objects.exists()


def test_a_message_of_another_workspace_cannot_be_corrected(oscar, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    with pytest.raises(PermissionError):
        message_correct_label(membership=oscar, message=message, category="question")


def test_an_unknown_class_or_a_sent_message_is_refused(camille, account):
    received = MessageFactory(conversation__account=account, category="other")
    sent = MessageFactory(conversation=received.conversation, direction=Direction.OUT, author=None)

    with pytest.raises(CorrectionError):
        message_correct_label(membership=camille, message=received, category="rude")
    with pytest.raises(CorrectionError):
        message_correct_label(membership=camille, message=sent, category="question")


def test_enough_new_corrections_queue_a_retraining(
    camille, message_on_side, settings, django_capture_on_commit_callbacks
):
    settings.TRIAGE_RETRAIN_EVERY = 3
    messages = [
        message_on_side(f"Question numéro {n} sur le parking ?", held_out=False, category="other") for n in range(3)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        message_correct_label(membership=camille, message=messages[0], category="question")
        message_correct_label(membership=camille, message=messages[1], category="question")
    assert not WorkspaceClassModel.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        message_correct_label(membership=camille, message=messages[2], category="question")

    training = WorkspaceClassModel.objects.get()
    assert training.status == "ready"  # tests run tasks at once
    assert training.n_corrections == 3
    assert training.requested_by is None  # asked by the system, not a person
