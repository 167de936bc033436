"""Reads of the triage area: the state of a workspace's class model and its corrections."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parvis.core.models import Workspace
from parvis.inbox.models import (
    CorrectionField,
    Direction,
    LabelCorrection,
    Message,
    TrainingStatus,
    WorkspaceClassModel,
)
from parvis.inbox.triage_training import corrections_since_training, retrain_every, training_in_progress

HISTORY_LIMIT = 50
RECENT_CORRECTIONS = 30


@dataclass(frozen=True)
class CorrectionCounts:
    category: int
    sentiment: int
    held_out: int  # class corrections kept for measuring
    since_training: int  # trainable class corrections not learnt yet
    retrain_every: int


@dataclass(frozen=True)
class TriageOverview:
    current: WorkspaceClassModel | None  # newest ready model; None: the seed model triages
    running: WorkspaceClassModel | None  # queued or training
    last_failed: WorkspaceClassModel | None  # newest training, when it failed
    history: list[WorkspaceClassModel]  # ready trainings, oldest first
    counts: CorrectionCounts


def _trainings(workspace: Workspace) -> QuerySet[WorkspaceClassModel]:
    return WorkspaceClassModel.objects.filter(workspace=workspace).defer("blob")


def triage_overview(workspace: Workspace) -> TriageOverview:
    ready = list(_trainings(workspace).filter(status=TrainingStatus.READY).order_by("-version")[:HISTORY_LIMIT])
    newest = _trainings(workspace).order_by("-version").first()
    totals = LabelCorrection.objects.filter(workspace=workspace).aggregate(
        category=Count("pk", filter=Q(field=CorrectionField.CATEGORY)),
        sentiment=Count("pk", filter=Q(field=CorrectionField.SENTIMENT)),
        held_out=Count("pk", filter=Q(field=CorrectionField.CATEGORY, held_out=True)),
    )
    return TriageOverview(
        current=ready[0] if ready else None,
        running=training_in_progress(workspace.pk),
        last_failed=newest if newest is not None and newest.status == TrainingStatus.FAILED else None,
        history=list(reversed(ready)),
        counts=CorrectionCounts(
            category=totals["category"],
            sentiment=totals["sentiment"],
            held_out=totals["held_out"],
            since_training=corrections_since_training(workspace.pk),
            retrain_every=retrain_every(),
        ),
    )


def training_get(workspace: Workspace, pk: int) -> WorkspaceClassModel:
    return _trainings(workspace).get(pk=pk)


def corrections_recent(workspace: Workspace, limit: int = RECENT_CORRECTIONS) -> list[LabelCorrection]:
    return list(
        LabelCorrection.objects.filter(workspace=workspace)
        .select_related("message", "corrected_by")
        .order_by("-at", "-pk")[:limit]
    )


def triage_message_get(workspace: Workspace, pk: int) -> Message:
    """A received message of the workspace, with its author and conversation (for a correction)."""
    return Message.objects.select_related("author", "conversation").get(
        workspace=workspace, pk=pk, direction=Direction.IN
    )
