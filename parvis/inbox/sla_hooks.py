"""Wiring of the SLA area: the after-ingest hook that starts timers and the breach-alert job.

`register()` is called once from the inbox app's ready() (parvis/inbox/apps.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Role, Workspace
from parvis.core.services import notification_send
from parvis.inbox.business_time import business_time_between
from parvis.inbox.hooks import ORDER_SLA, register_after_ingest
from parvis.inbox.models import SlaAlert, SlaAlertLevel, SlaKind
from parvis.inbox.sla import policy_calendar, sla_start_timers
from parvis.networks.periodic import register_periodic

if TYPE_CHECKING:
    from parvis.inbox.models import Conversation, Message
    from parvis.networks.models import ConnectedAccount

ALERTS_EVERY = timedelta(minutes=1)
ALERTS_PER_RUN = 500
# Who hears about a conversation nobody is assigned to.
UNASSIGNED_ROLES = (Role.COMMUNITY_MANAGER, Role.MANAGER)


def register() -> None:
    register_after_ingest("inbox.sla", after_ingest, order=ORDER_SLA)
    register_periodic("inbox.sla_alerts", every=ALERTS_EVERY, run=sla_alerts_send)


def after_ingest(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    sla_start_timers(account=account, messages=messages)


def _still_running(alert: SlaAlert) -> bool:
    conversation = alert.conversation
    if alert.kind == SlaKind.FIRST_RESPONSE:
        return conversation.awaiting_since is not None and conversation.first_response_due_at == alert.deadline
    return conversation.resolved_at is None and conversation.resolution_due_at == alert.deadline


def _team(workspace: Workspace, cache: dict[int, list[User]]) -> list[User]:
    if workspace.pk not in cache:
        members = list(Membership.objects.filter(workspace=workspace, role__in=UNASSIGNED_ROLES).select_related("user"))
        if not members:  # a small team: the owners hear about it
            members = list(Membership.objects.filter(workspace=workspace, role=Role.OWNER).select_related("user"))
        cache[workspace.pk] = [member.user for member in members]
    return cache[workspace.pk]


def _describe(alert: SlaAlert, now: datetime) -> tuple[str, str]:
    conversation: Conversation = alert.conversation
    handle = conversation.account.handle
    what = _("first answer") if alert.kind == SlaKind.FIRST_RESPONSE else _("resolution")
    left = ""
    if conversation.sla_policy is not None:
        remaining = business_time_between(policy_calendar(conversation.sla_policy), now, alert.deadline)
        minutes = max(int(remaining.total_seconds() // 60), 0)
        left = _("%(hours)d h %(minutes)02d min of business time left") % {
            "hours": minutes // 60,
            "minutes": minutes % 60,
        }
    if alert.level == SlaAlertLevel.BREACH:
        title = _("SLA breached: %(what)s overdue on %(handle)s") % {"what": what, "handle": handle}
        body = _("The %(what)s of “%(preview)s” was due and has not happened.") % {
            "what": what,
            "preview": conversation.preview[:120],
        }
    else:
        title = _("SLA: %(what)s nearly due on %(handle)s") % {"what": what, "handle": handle}
        body = _("“%(preview)s”: %(left)s.") % {"preview": conversation.preview[:120], "left": left}
    return title, body


def sla_alerts_send(now: datetime) -> int:
    """Send the planned alerts whose time has come, once each; returns how many were sent.

    One indexed query (unsent alerts with `fire_at` passed); an alert whose timer stopped or was
    restarted meanwhile is dropped. Each alert is claimed with a conditional UPDATE, so two
    schedulers never send it twice.
    """
    due = list(
        SlaAlert.objects.filter(sent_at__isnull=True, fire_at__lte=now)
        .select_related(
            "conversation",
            "conversation__workspace",
            "conversation__account",
            "conversation__assignee",
            "conversation__sla_policy",
        )
        .order_by("fire_at", "pk")[:ALERTS_PER_RUN]
    )
    stale = [alert.pk for alert in due if not _still_running(alert)]
    if stale:
        SlaAlert.objects.filter(pk__in=stale, sent_at__isnull=True).delete()
    # A breach makes the warning of the same deadline pointless: send only the most serious.
    breaches = {(a.conversation_id, a.kind, a.deadline) for a in due if a.level == SlaAlertLevel.BREACH}
    team_cache: dict[int, list[User]] = {}
    sent = 0
    for alert in due:
        if alert.pk in stale:
            continue
        with transaction.atomic():
            if not SlaAlert.objects.filter(pk=alert.pk, sent_at__isnull=True).update(sent_at=now):
                continue
            if alert.level == SlaAlertLevel.WARNING and (alert.conversation_id, alert.kind, alert.deadline) in breaches:
                continue
            conversation = alert.conversation
            workspace = conversation.workspace
            recipients = [conversation.assignee] if conversation.assignee is not None else _team(workspace, team_cache)
            with translation.override(workspace.language):
                title, body = _describe(alert, now)
            notification_send(
                workspace=workspace,
                kind=f"sla.{alert.level}",
                title=title,
                body=body,
                url=reverse("web:conversation", args=[conversation.pk]),
                recipients=recipients,
                level="alert" if alert.level == SlaAlertLevel.BREACH else "warning",
                email=alert.level == SlaAlertLevel.BREACH,
            )
            sent += 1
    return sent
