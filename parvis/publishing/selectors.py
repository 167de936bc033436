"""Reads for publishing."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from parvis.core.models import Workspace
from parvis.publishing.models import Delivery, Post, PostStatus, post_status


def _posts(workspace: Workspace) -> QuerySet[Post]:
    return (
        Post.objects.filter(workspace=workspace)
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("account", "action")), "media"
        )
        .order_by("-scheduled_at", "-id")
    )


def post_list(workspace: Workspace, *, limit: int = 100) -> QuerySet[Post]:
    return _posts(workspace)[:limit]


def post_get(workspace: Workspace, post_id: int) -> Post:
    return _posts(workspace).get(pk=post_id)


def post_status_of(post: Post) -> PostStatus:
    return post_status([delivery.action.status for delivery in post.deliveries.all()])
