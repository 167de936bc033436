"""Groups of messages that ask the same thing, answered once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace

__all__ = ["MessageGroup"]


class MessageGroup(models.Model):
    """Messages across accounts and networks that ask the same thing (near-duplicates and paraphrases)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="message_groups")
    representative_text = models.TextField(_("question"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("group of similar messages")
        verbose_name_plural = _("groups of similar messages")

    def __str__(self) -> str:
        return self.representative_text[:60]
