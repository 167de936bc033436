"""SLA policies: the response times the organisation announces, per workspace and per account."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace

__all__ = ["SlaPolicy"]


class SlaPolicy(models.Model):
    """First answer and resolution targets, counted in business time (see inbox.business_time)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=100)
    first_response_minutes = models.PositiveIntegerField(_("first answer within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolved within (minutes)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name
