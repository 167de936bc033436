"""Template tags of the grouping area: the inbox's "N similar — answer all at once" link, without a query per row."""

from __future__ import annotations

from typing import Any

from django import template

from parvis.inbox.grouping import MIN_SHOWN
from parvis.inbox.models import GroupStatus, Message, MessageGroup

register = template.Library()

_CACHE_ATTRIBUTE = "_parvis_open_group_sizes"


def _open_group_sizes(context: template.Context, workspace_id: int) -> dict[int, int]:
    """Sizes of the workspace's shown open groups: one query per request, kept on the request."""
    request = context.get("request")
    holder: Any = request if request is not None else context
    cache: dict[int, dict[int, int]] | None = getattr(holder, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(holder, _CACHE_ATTRIBUTE, cache)
    if workspace_id not in cache:
        cache[workspace_id] = dict(
            MessageGroup.objects.filter(
                workspace_id=workspace_id, status=GroupStatus.OPEN, size__gte=MIN_SHOWN
            ).values_list("pk", "size")
        )
    return cache[workspace_id]


@register.simple_tag(takes_context=True)
def similar_count(context: template.Context, message: Message | None) -> int:
    """How many messages of the message's open group ask the same thing (0: no group shown).

    Uses the group loaded with the message when there is one (select_related("group")), else one
    query per request for the whole page.
    """
    if message is None or not message.group_id:
        return 0
    cached = message._state.fields_cache.get("group")
    if isinstance(cached, MessageGroup):
        return cached.size if cached.status == GroupStatus.OPEN and cached.size >= MIN_SHOWN else 0
    return _open_group_sizes(context, message.workspace_id).get(message.group_id, 0)
