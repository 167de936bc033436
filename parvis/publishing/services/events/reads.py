"""Reads for the event pages (selectors): the workspace or the event first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from parvis.core.models import Workspace
from parvis.publishing.models import (
    Delivery,
    EventPost,
    EventSession,
    LiveEvent,
    PreparedPost,
    Speaker,
    WallItem,
)

WALL_LIMIT = 200


def event_list(workspace: Workspace) -> QuerySet[LiveEvent]:
    return LiveEvent.objects.filter(workspace=workspace).order_by("-starts_at", "-id")


def event_get(workspace: Workspace, event_id: int) -> LiveEvent:
    """The event of this workspace (raises LiveEvent.DoesNotExist for another workspace's)."""
    return (
        LiveEvent.objects.select_related("workspace")
        .prefetch_related(
            "accounts",
            Prefetch("speakers", queryset=Speaker.objects.prefetch_related("handles", "sessions")),
            Prefetch("sessions", queryset=EventSession.objects.prefetch_related("speakers__handles")),
        )
        .get(workspace=workspace, pk=event_id)
    )


def event_posts(event: LiveEvent, *, kind: str | None = None) -> list[EventPost]:
    rows = EventPost.objects.filter(event=event).select_related("post", "session")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(
        rows.prefetch_related(
            Prefetch("post__deliveries", queryset=Delivery.objects.select_related("account", "action"))
        ).order_by("post__scheduled_at", "id")
    )


def prepared_post_list(event: LiveEvent) -> list[PreparedPost]:
    return list(
        PreparedPost.objects.filter(event=event)
        .select_related("session")
        .order_by("session__starts_at", "position", "id")
    )


def wall_item_list(
    event: LiveEvent, *, include_hidden: bool = False, questions_only: bool = False, limit: int = WALL_LIMIT
) -> list[WallItem]:
    rows = WallItem.objects.filter(event=event).select_related("session")
    if not include_hidden:
        rows = rows.filter(hidden=False)
    if questions_only:
        rows = rows.filter(is_question=True)
    return list(rows.order_by("-occurred_at", "-id")[:limit])


def wall_item_get(event: LiveEvent, item_id: int) -> WallItem:
    return WallItem.objects.select_related("event__workspace").get(event=event, pk=item_id)


@dataclass(frozen=True)
class SessionQuestions:
    session: EventSession | None  # None: asked outside any session
    questions: list[WallItem]


def event_questions(event: LiveEvent, *, starred_only: bool = False) -> list[SessionQuestions]:
    """The audience's questions per session, starred first, for the speakers (own posts left out)."""
    rows = WallItem.objects.filter(event=event, is_question=True, hidden=False, own=False)
    if starred_only:
        rows = rows.filter(starred=True)
    by_session: dict[int | None, list[WallItem]] = {}
    for item in rows.order_by("-starred", "occurred_at", "id"):
        by_session.setdefault(item.session_id, []).append(item)
    groups = [
        SessionQuestions(session=session, questions=by_session[session.pk])
        for session in event.sessions.order_by("starts_at", "id").prefetch_related("speakers")
        if session.pk in by_session
    ]
    if None in by_session:
        groups.append(SessionQuestions(session=None, questions=by_session[None]))
    return groups
