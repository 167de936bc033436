"""Reads for listening."""

from __future__ import annotations

from django.db.models import QuerySet

from parvis.core.models import Workspace
from parvis.listening.models import FeedEntry


def feed_entry_list(workspace: Workspace, *, source_id: int | None = None, limit: int = 100) -> QuerySet[FeedEntry]:
    entries = FeedEntry.objects.filter(workspace=workspace).select_related("source")
    if source_id:
        entries = entries.filter(source_id=source_id)
    return entries.order_by("-published_at", "-id")[:limit]
