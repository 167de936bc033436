"""Working the inbox: labels (and, owned by the inbox-work area, notes, saved replies, views, rules)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace

__all__ = ["Label"]


class Label(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_labels")
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="inbox_label_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
