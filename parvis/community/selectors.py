"""Reads for community members."""

from __future__ import annotations

from django.db.models import QuerySet

from parvis.community.models import Identity
from parvis.core.models import Workspace


def identity_list_for_member(workspace: Workspace, member_id: int) -> QuerySet[Identity]:
    return Identity.objects.filter(workspace=workspace, member_id=member_id).order_by("network", "handle")
