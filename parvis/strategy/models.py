"""Objectives, audiences, the editorial charter that drafts are checked against."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace
from parvis.strategy.checks import BLOCKER, WARNING, RuleKind, RuleSpec

__all__ = ["EditorialRule", "Goal", "RuleKindChoice", "Severity"]


class RuleKindChoice(models.TextChoices):
    IMAGE_REQUIRED = RuleKind.IMAGE_REQUIRED.value, _("Image attached")
    SENTENCE_LENGTH = RuleKind.SENTENCE_LENGTH.value, _("Short sentences")
    QUESTION_ENDING = RuleKind.QUESTION_ENDING.value, _("End with a question")
    FORBIDDEN_WORDS = RuleKind.FORBIDDEN_WORDS.value, _("Forbidden words")
    FORBIDDEN_TOPIC = RuleKind.FORBIDDEN_TOPIC.value, _("Topic to avoid")
    TONE = RuleKind.TONE.value, _("Tone (capitals, exclamation marks)")
    RELAY_SHARE = RuleKind.RELAY_SHARE.value, _("Own and relayed content")
    FREQUENCY = RuleKind.FREQUENCY.value, _("Posts per week")


class Goal(models.TextChoices):
    """Why a post is published (SEEDS §1): the composer passes it to the checks as `DraftInfo.goal`."""

    CONVERSATION = "conversation", _("Start a conversation")
    AWARENESS = "awareness", _("Raise awareness")
    EXPERTISE = "expertise", _("Share expertise")
    RECRUITING = "recruiting", _("Recruit")
    PROSPECTING = "prospecting", _("Prospect and influence")
    CUSTOMER_RELATIONSHIP = "customer_relationship", _("Customer relationship")


class Severity(models.TextChoices):
    WARNING = WARNING, _("Warning")
    BLOCKER = BLOCKER, _("Blocker")


class EditorialRule(models.Model):
    """One rule of a workspace's editorial charter, for one network or all (blank network)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="editorial_rules")
    kind = models.CharField(_("kind"), max_length=32, choices=RuleKindChoice.choices)
    network = models.CharField(_("network"), max_length=32, blank=True)  # blank: every network
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(_("enabled"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)  # why the rule exists, for the team
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("editorial rule")
        verbose_name_plural = _("editorial rules")
        ordering = ["kind", "network", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.network or 'all'})"

    def spec(self) -> RuleSpec:
        params: dict[str, Any] = dict(self.params or {})
        return RuleSpec(id=self.pk, kind=self.kind, severity=self.severity, network=self.network, params=params)
