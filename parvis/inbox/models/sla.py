"""SLA policies: the response times the organisation announces, per workspace and per account.

A policy says how long the first answer and the resolution may take, counted in *business time*
on its calendar (hours of the week, time zone, public holidays, extra closed dates, or 24/7):
see parvis.inbox.business_time and docs/sla.md. The workspace's default policy applies to every
account that has no policy of its own (SlaAssignment).
"""

from __future__ import annotations

from datetime import date, time

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount

__all__ = ["SlaAlert", "SlaAlertLevel", "SlaAssignment", "SlaKind", "SlaPolicy", "SlaPreset"]


class SlaPreset(models.TextChoices):
    BTOB = "btob", _("BtoB (business hours)")
    BTOC = "btoc", _("BtoC (every day, wide hours)")
    CUSTOM = "custom", _("Custom")


def _parse_time(value: str) -> time:
    """ "09:30" → time(9, 30); "24:00" → time(0) (midnight at the end of the day)."""
    hours, _sep, minutes = value.strip().partition(":")
    hour, minute = int(hours), int(minutes or 0)
    return time(0) if hour == 24 and minute == 0 else time(hour, minute)


class SlaPolicy(models.Model):
    """First answer and resolution targets, counted in business time (see inbox.business_time).

    `weekly_hours` is a JSON list of 7 days (Monday first), each a list of ["HH:MM", "HH:MM"]
    intervals ("24:00" ends a day at midnight). `timezone` empty: the workspace's.
    `holiday_country` empty: no public holidays; `holiday_subdivision` "57", "67" or "68" adds
    the Alsace-Moselle holidays. `closed_dates`: ISO dates (a pont, a closure). `always_open`: 24/7.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=100)
    preset = models.CharField(_("preset"), max_length=10, choices=SlaPreset.choices, default=SlaPreset.CUSTOM)
    first_response_minutes = models.PositiveIntegerField(_("first answer within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolved within (minutes)"))
    weekly_hours = models.JSONField(_("weekly hours"), default=list, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    holiday_country = models.CharField(_("public holidays of"), max_length=8, default="FR", blank=True)
    holiday_subdivision = models.CharField(_("region"), max_length=8, blank=True)
    closed_dates = models.JSONField(_("extra closed dates"), default=list, blank=True)
    always_open = models.BooleanField(_("24/7"), default=False)
    is_default = models.BooleanField(_("workspace default"), default=False)
    warning_percent = models.PositiveSmallIntegerField(_("warn when this share of the time is used (%)"), default=80)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True), name="sla_policy_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def week(self) -> tuple[tuple[tuple[time, time], ...], ...]:
        """`weekly_hours` as business_time wants it (7 tuples of (start, end) times)."""
        days = list(self.weekly_hours or [])
        days += [[]] * (7 - len(days))
        return tuple(tuple((_parse_time(start), _parse_time(end)) for start, end in day) for day in days[:7])

    def closed(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(value) for value in (self.closed_dates or []))


class SlaAssignment(models.Model):
    """The policy of one account; it wins over the workspace's default policy."""

    account = models.OneToOneField(ConnectedAccount, on_delete=models.CASCADE, related_name="sla_assignment")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("SLA policy of an account")
        verbose_name_plural = _("SLA policies of accounts")

    def __str__(self) -> str:
        return f"{self.account_id} → {self.policy_id}"


class SlaKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First answer")
    RESOLUTION = "resolution", _("Resolution")


class SlaAlertLevel(models.TextChoices):
    WARNING = "warning", _("Nearly due")
    BREACH = "breach", _("Overdue")


class SlaAlert(models.Model):
    """An alert planned when a timer starts, sent once when `fire_at` passes (unless the timer stopped).

    One row per (conversation, kind, level, deadline): a timer restarted by a new message has a new
    deadline, hence new alerts; the same deadline is never alerted twice.
    """

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="sla_alerts")
    kind = models.CharField(max_length=20, choices=SlaKind.choices)
    level = models.CharField(max_length=10, choices=SlaAlertLevel.choices)
    deadline = models.DateTimeField()
    fire_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "kind", "level", "deadline"], name="sla_alert_once")
        ]
        indexes = [models.Index(fields=["sent_at", "fire_at"], name="sla_alert_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.level} #{self.conversation_id}"
