"""Reads for workspaces and memberships."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from parvis.core.models import AuditEntry, Membership, Voice, Workspace


def membership_list_for_user(*, user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")


def membership_get(*, user: User | AnonymousUser, workspace_id: int | None) -> Membership | None:
    """The user's membership in that workspace, or their first one when no id is given."""
    memberships = membership_list_for_user(user=user)
    if workspace_id is not None:
        found = memberships.filter(workspace_id=workspace_id).first()
        if found is not None:
            return found
    return memberships.first()


def voice_list(workspace: Workspace) -> QuerySet[Voice]:
    return Voice.objects.filter(workspace=workspace).order_by("name")


def audit_list(workspace: Workspace, *, limit: int = 200) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(workspace=workspace).select_related("actor")[:limit]


def membership_list(workspace: Workspace) -> QuerySet[Membership]:
    """The team of a workspace, by username."""
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")
