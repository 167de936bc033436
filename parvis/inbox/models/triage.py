"""Inbox models of the triage area: people's corrections of the triage, and each workspace's class model."""

from __future__ import annotations

__all__ = [
    "CorrectionField",
    "LabelCorrection",
    "TrainingStatus",
    "WorkspaceClassModel",
]

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.core.models import Workspace


class CorrectionField(models.TextChoices):
    CATEGORY = "category", _("Class")
    SENTIMENT = "sentiment", _("Sentiment")


class LabelCorrection(models.Model):
    """A person's correction of a message's class or sentiment: a label the workspace model learns from.

    `held_out` is decided by the message id alone (about one correction in five), never by the
    person or the time: held-out corrections are never trained on, they measure the models.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="label_corrections")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="label_corrections")
    field = models.CharField(_("corrected"), max_length=10, choices=CorrectionField.choices)
    value = models.CharField(_("new label"), max_length=24)
    previous = models.CharField(_("previous label"), max_length=24, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("corrected at"), db_index=True)
    held_out = models.BooleanField(_("held back for measuring"), default=False)

    class Meta:
        verbose_name = _("label correction")
        verbose_name_plural = _("label corrections")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "field", "-id"], name="label_correction_recent_idx")]

    def __str__(self) -> str:
        return f"{self.field} {self.previous or '?'} → {self.value}"


class TrainingStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("training status", "Queued")
    TRAINING = "training", pgettext_lazy("training status", "Training")
    READY = "ready", pgettext_lazy("training status", "Ready")
    FAILED = "failed", pgettext_lazy("training status", "Failed")


class WorkspaceClassModel(models.Model):
    """One training of a workspace's class model (the history is kept); the newest ready one is used.

    `blob` holds `parvis.nlp.classes.ClassModel.to_bytes()` (numpy arrays and JSON, read back
    without pickle). Both accuracies are measured on the same held-out corrections at training time.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="class_models")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=TrainingStatus.choices, default=TrainingStatus.QUEUED)
    blob = models.BinaryField(blank=True, default=b"")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    trained_at = models.DateTimeField(_("trained at"), null=True, blank=True)
    last_correction_id = models.PositiveBigIntegerField(default=0)  # the newest correction it could learn from
    n_corrections = models.PositiveIntegerField(_("corrections learnt"), default=0)
    n_held_out = models.PositiveIntegerField(_("held-out corrections"), default=0)
    accuracy_seed = models.FloatField(null=True, blank=True)
    accuracy_new = models.FloatField(null=True, blank=True)
    macro_f1_seed = models.FloatField(null=True, blank=True)
    macro_f1_new = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("workspace class model")
        verbose_name_plural = _("workspace class models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "version"], name="workspace_class_model_unique_version")
        ]

    def __str__(self) -> str:
        return f"class model v{self.version} ({self.status})"
