"""The SLA timer of an inbox row or conversation header, computed from the conversation's fields.

`{% sla_timer conversation as timer %}` gives the running timer (first answer, else resolution)
with the business time left (negative: overdue) and a state: ok, warning or breached. The
policies of the workspace are read once per request (one query for a whole inbox page), unless
the conversation already carries its policy (select_related).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Workspace
from parvis.inbox.business_time import business_time_between
from parvis.inbox.models import Conversation, SlaKind, SlaPolicy
from parvis.inbox.sla import policy_calendar

register = template.Library()

_CACHE_ATTRIBUTE = "_parvis_sla_policies"


@dataclass(frozen=True)
class SlaTimer:
    kind: str  # first_response / resolution
    label: str
    due_at: datetime
    left: timedelta  # business time left; negative when overdue
    state: str  # ok / warning / breached

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)

    @property
    def badge(self) -> str:
        return {"ok": "badge-done", "warning": "badge-waiting", "breached": "badge-failed"}[self.state]


def duration_text(value: timedelta) -> str:
    """2 d 3 h, 3 h 05 min, 12 min (business time, so a "day" is 24 business hours)."""
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def _policies(context: template.Context, conversation: Conversation) -> dict[int, SlaPolicy]:
    request = context.get("request")
    cached: dict[int, SlaPolicy] | None = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is None:
        cached = {
            policy.pk: policy
            for policy in SlaPolicy.objects.filter(workspace_id=conversation.workspace_id).select_related("workspace")
        }
        if request is not None:
            setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


def sla_timer_for(conversation: Conversation, policy: SlaPolicy | None, now: datetime) -> SlaTimer | None:
    if policy is None:
        return None
    if conversation.awaiting_since is not None and conversation.first_response_due_at is not None:
        kind, due, total = SlaKind.FIRST_RESPONSE, conversation.first_response_due_at, policy.first_response_minutes
        label = _("First answer")
    elif conversation.resolved_at is None and conversation.resolution_due_at is not None:
        kind, due, total = SlaKind.RESOLUTION, conversation.resolution_due_at, policy.resolution_minutes
        label = _("Resolution")
    else:
        return None
    zone_of: Workspace | None
    if SlaPolicy.workspace.is_cached(policy):
        zone_of = policy.workspace
    else:
        zone_of = conversation.workspace if Conversation.workspace.is_cached(conversation) else None
    left = business_time_between(policy_calendar(policy, zone_of), now, due)
    if left <= timedelta(0):
        state = "breached"
    elif total and left <= timedelta(minutes=total * (100 - policy.warning_percent) / 100):
        state = "warning"
    else:
        state = "ok"
    return SlaTimer(kind=kind, label=label, due_at=due, left=left, state=state)


@register.simple_tag(takes_context=True)
def sla_timer(context: template.Context, conversation: Conversation | None) -> SlaTimer | None:
    if conversation is None or conversation.sla_policy_id is None:
        return None
    if Conversation.sla_policy.is_cached(conversation):
        policy = conversation.sla_policy
    else:
        policy = _policies(context, conversation).get(conversation.sla_policy_id)
    now: Any = context.get("now") or timezone.now()
    return sla_timer_for(conversation, policy, now)


@register.filter
def sla_duration(value: timedelta | None) -> str:
    return "" if value is None else duration_text(value)
