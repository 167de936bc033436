"""Reads for accounts and the ledger."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from parvis.core.models import Workspace
from parvis.networks.models import Action, ActionAttempt, ConnectedAccount, Heartbeat


def account_list(workspace: Workspace, *, include_disabled: bool = False) -> QuerySet[ConnectedAccount]:
    accounts = ConnectedAccount.objects.filter(workspace=workspace).select_related("voice")
    if not include_disabled:
        accounts = accounts.exclude(status="disabled")
    return accounts.order_by("network", "handle")


def account_get(workspace: Workspace, account_id: int) -> ConnectedAccount:
    return ConnectedAccount.objects.get(workspace=workspace, pk=account_id)


def ledger_list(
    workspace: Workspace,
    *,
    account_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
) -> QuerySet[Action]:
    actions = (
        Action.objects.filter(workspace=workspace)
        .select_related("account", "created_by")
        .prefetch_related(Prefetch("attempt_log", queryset=ActionAttempt.objects.order_by("started_at")))
        .order_by("-due_at", "-id")
    )
    if account_id:
        actions = actions.filter(account_id=account_id)
    if status:
        actions = actions.filter(status=status)
    return actions[:limit]


def action_get(workspace: Workspace, action_id: int) -> Action:
    return Action.objects.select_related("account").get(workspace=workspace, pk=action_id)


def heartbeat_at(name: str) -> datetime | None:
    row = Heartbeat.objects.filter(name=name).first()
    return row.at if row else None
