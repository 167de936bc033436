"""What the sector says: entries of the feeds the workspace follows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount


class FeedEntry(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="feed_entries")
    source = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="feed_entries")
    external_id = models.CharField(max_length=500)
    title = models.CharField(_("title"), max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(_("published"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="feed_entry_unique")]

    def __str__(self) -> str:
        return self.title or self.url
