"""Crisis mode: when negative or critical messages spike against their usual level.

CrisisSettings (one per workspace) says what a spike is and what crisis mode does; a Crisis is one
episode, overall or on one account; CrisisLogEntry is what was done during it (docs/crisis.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount

__all__ = ["Crisis", "CrisisLogEntry", "CrisisOpenedBy", "CrisisScope", "CrisisSettings"]


class CrisisSettings(models.Model):
    """What counts as a spike, and what crisis mode does, for one workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="crisis_settings")
    watch = models.BooleanField(_("watch for spikes"), default=True)
    auto_open = models.BooleanField(
        _("open crisis mode automatically"),
        default=True,
        help_text=_("Otherwise the team is alerted and a person opens crisis mode."),
    )
    baseline_days = models.PositiveSmallIntegerField(_("baseline (days)"), default=7)
    sensitivity = models.FloatField(_("sensitivity (standard deviations above the mean)"), default=3.0)
    min_count = models.PositiveIntegerField(_("minimum negative messages in an hour"), default=10)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("crisis team"))
    pause_scheduled_posts = models.BooleanField(_("pause scheduled posts during a crisis"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("crisis settings")
        verbose_name_plural = _("crisis settings")

    def __str__(self) -> str:
        return f"crisis settings of {self.workspace_id}"


class CrisisScope(models.TextChoices):
    OVERALL = "overall", _("All accounts")
    ACCOUNT = "account", _("One account")


class CrisisOpenedBy(models.TextChoices):
    RULE = "rule", _("Spike detection")
    PERSON = "person", _("A person")


class Crisis(models.Model):
    """One crisis episode; open while `closed_at` is empty."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crises")
    scope = models.CharField(_("scope"), max_length=10, choices=CrisisScope.choices, default=CrisisScope.OVERALL)
    account = models.ForeignKey(
        ConnectedAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="crises"
    )
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.CharField(max_length=10, choices=CrisisOpenedBy.choices)
    opened_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    # What the detection saw: {"count": 42, "mean": 1.3, "std": 0.9, "threshold": 10, "window_start": iso}.
    trigger = models.JSONField(default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Scheduled posts held by this crisis (networks.Action ids), released when it closes.
    held_actions = models.JSONField(default=list, blank=True)
    route_cursor = models.PositiveIntegerField(default=0)  # round-robin over the crisis team

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "closed_at"], name="crisis_open_idx")]

    def __str__(self) -> str:
        return f"crisis {self.pk} ({self.scope})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CrisisLogEntry(models.Model):
    """One thing done during a crisis, by a person or by Parvis."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40)  # opened, closed, routed, posts_held, posts_released, note, alert
    summary = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("crisis log entry")
        verbose_name_plural = _("crisis log entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.verb} @ {self.at}"
