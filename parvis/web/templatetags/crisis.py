"""The crisis banner shown on every page: `{% open_crises as crises %}` (one query per request, cached on it)."""

from __future__ import annotations

from django import template

from parvis.moderation.models import Crisis

register = template.Library()

_CACHE_ATTRIBUTE = "_parvis_open_crises"


@register.simple_tag(takes_context=True)
def open_crises(context: template.Context) -> list[Crisis]:
    request = context.get("request")
    workspace = context.get("workspace") or (getattr(request, "workspace", None) if request is not None else None)
    if workspace is None:
        return []
    cached: list[Crisis] | None = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is None:
        cached = list(
            Crisis.objects.filter(workspace=workspace, closed_at__isnull=True)
            .select_related("account")
            .order_by("opened_at", "pk")
        )
        if request is not None:
            setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached
