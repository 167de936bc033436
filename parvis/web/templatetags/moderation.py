"""Template tags of the moderation area (the inbox's "hide under the charter" control)."""

from __future__ import annotations

from typing import Any

from django import template

from parvis.moderation.models import CharterClause
from parvis.moderation.selectors import clauses_in_force

register = template.Library()

_CACHE_ATTRIBUTE = "_moderation_clauses"


@register.simple_tag(takes_context=True)
def moderation_clauses(context: dict[str, Any]) -> list[CharterClause]:
    """The clauses in force for the current workspace: one query per request, however many messages."""
    request = context.get("request")
    workspace = context.get("workspace") or getattr(request, "workspace", None)
    if workspace is None:
        return []
    cached: list[CharterClause] | None = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is None:
        cached = clauses_in_force(workspace)
        if request is not None:
            setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


@register.filter
def clause_anchor(code: str) -> str:
    """ "3.2" → "clause-3-2", the fragment of the clause on the public charter."""
    from parvis.moderation.text import clause_anchor as anchor

    return anchor(str(code))
