"""Thin jobs of the inbox: load by id, call one service."""

from __future__ import annotations

from django_tasks import task

from parvis.inbox import triage_training


@task()
def retrain_class_model(training_id: int) -> str:
    """Train a queued workspace class model (seed set + the workspace's corrections)."""
    training = triage_training.workspace_model_train(training_id=training_id)
    return training.status if training is not None else "skipped"
