"""Queue slots: recurring weekly publishing times per account."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.networks.models import ConnectedAccount

__all__ = ["QueueSlot", "Weekday"]


class Weekday(models.IntegerChoices):
    # A context of our own: plain "Thursday" would override Django's own translation, which
    # date formatting uses ("jeudi 8 avril", not "Jeudi 8 avril").
    MONDAY = 0, pgettext_lazy("queue slot", "Monday")
    TUESDAY = 1, pgettext_lazy("queue slot", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("queue slot", "Wednesday")
    THURSDAY = 3, pgettext_lazy("queue slot", "Thursday")
    FRIDAY = 4, pgettext_lazy("queue slot", "Friday")
    SATURDAY = 5, pgettext_lazy("queue slot", "Saturday")
    SUNDAY = 6, pgettext_lazy("queue slot", "Sunday")


class QueueSlot(models.Model):
    """A weekly publishing time of one account, as a wall-clock time in the workspace's time zone
    ("Tuesday 09:30" stays 09:30 in summer and in winter)."""

    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    time = models.TimeField(_("time"))

    class Meta:
        verbose_name = _("queue slot")
        verbose_name_plural = _("queue slots")
        ordering = ["account", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "time"], name="queue_slot_unique"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="queue_slot_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.get_weekday_display()} {self.time:%H:%M}"
