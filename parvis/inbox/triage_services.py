"""Writes of the triage area: a person corrects a message's class or sentiment; retraining on request."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.inbox.models import (
    Category,
    CorrectionField,
    Direction,
    LabelCorrection,
    LabelSource,
    Message,
    Sentiment,
    WorkspaceClassModel,
)
from parvis.inbox.triage import conversations_refresh_priority, message_priority_of
from parvis.inbox.triage_training import (
    corrections_since_training,
    is_held_out,
    retrain_every,
    training_in_progress,
    workspace_model_request_training,
)


class CorrectionError(ValueError):
    """The correction cannot be made; the message says why, for the user."""


def _check(membership: Membership, message: Message) -> None:
    require(membership, Perm.REPLY)
    if message.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if message.direction != Direction.IN or not (message.text or "").strip():
        raise CorrectionError(_("Only received messages with text have a class and a sentiment."))


def _after_correction(membership: Membership, message: Message, fields: list[str]) -> None:
    now = timezone.now()
    message.priority = message_priority_of(message, now)
    message.save(update_fields=[*fields, "priority"])
    priorities = conversations_refresh_priority(conversation_ids=[message.conversation_id], now=now)
    if "conversation" in message._state.fields_cache and message.conversation_id in priorities:
        message.conversation.priority = priorities[message.conversation_id]


@transaction.atomic
def message_correct_label(*, membership: Membership, message: Message, category: str) -> LabelCorrection:
    """Set the message's class as a person says it is; store the correction as a label to learn from.

    The priority of the message and its conversation follow. After `TRIAGE_RETRAIN_EVERY` new
    corrections that are not held out, the workspace's model is retrained in the background.
    """
    _check(membership, message)
    if category not in Category.values:
        raise CorrectionError(_("Unknown class."))
    correction = LabelCorrection.objects.create(
        workspace_id=message.workspace_id,
        message=message,
        field=CorrectionField.CATEGORY,
        value=category,
        previous=message.category,
        corrected_by=membership.user,
        at=timezone.now(),
        held_out=is_held_out(message.pk),
    )
    message.category = category
    message.category_source = LabelSource.PERSON
    _after_correction(membership, message, ["category", "category_source"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.triage_correct",
        target=message,
        summary=f"{correction.previous or '-'} → {category}",
        data={"field": CorrectionField.CATEGORY, "previous": correction.previous, "value": category},
    )
    if (
        not correction.held_out
        and corrections_since_training(membership.workspace_id) >= retrain_every()
        and training_in_progress(membership.workspace_id) is None
    ):
        workspace_model_request_training(workspace=membership.workspace, requested_by=None)
    return correction


@transaction.atomic
def message_correct_sentiment(*, membership: Membership, message: Message, sentiment: str) -> LabelCorrection:
    """Set the message's sentiment as a person says it is (stored as a correction; changes the priority)."""
    _check(membership, message)
    if sentiment not in Sentiment.values:
        raise CorrectionError(_("Unknown sentiment."))
    correction = LabelCorrection.objects.create(
        workspace_id=message.workspace_id,
        message=message,
        field=CorrectionField.SENTIMENT,
        value=sentiment,
        previous=message.sentiment,
        corrected_by=membership.user,
        at=timezone.now(),
        held_out=is_held_out(message.pk),
    )
    message.sentiment = sentiment
    _after_correction(membership, message, ["sentiment"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.triage_correct",
        target=message,
        summary=f"{correction.previous or '-'} → {sentiment}",
        data={"field": CorrectionField.SENTIMENT, "previous": correction.previous, "value": sentiment},
    )
    return correction


@transaction.atomic
def workspace_model_retrain(*, membership: Membership) -> WorkspaceClassModel:
    """ "Retrain now": queue a training of the workspace's class model (or return the one running)."""
    require(membership, Perm.REPLY)
    training = workspace_model_request_training(workspace=membership.workspace, requested_by=membership.user)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.triage_retrain",
        target=training,
        summary=f"v{training.version}",
    )
    return training
