"""Reads of moderation: the charter in force, the decisions log, the monthly transparency summary."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from parvis.core.models import Workspace
from parvis.moderation.models import (
    Appeal,
    AppealStatus,
    BanListEntry,
    Charter,
    CharterClause,
    CharterVersion,
    ModerationDecision,
    ModerationRule,
)


def charter_for_workspace(workspace: Workspace) -> Charter | None:
    return Charter.objects.filter(workspace=workspace).first()


def charter_by_slug(slug: str) -> Charter:
    """A charter with at least one published version (a draft is never public). Raises DoesNotExist."""
    return Charter.objects.filter(versions__isnull=False).distinct().select_related("workspace").get(slug=slug)


def version_latest(charter: Charter) -> CharterVersion | None:
    return charter.versions.order_by("-number").first()


def version_get(charter: Charter, number: int) -> CharterVersion:
    return charter.versions.get(number=number)


def clauses_in_force(workspace: Workspace) -> list[CharterClause]:
    """The clauses of the latest published version, in order (one query)."""
    latest = (
        CharterVersion.objects.filter(charter__workspace=workspace).order_by("-number").values_list("pk", flat=True)
    )
    return list(CharterClause.objects.filter(version_id__in=latest[:1]).select_related("version"))


def clause_get(workspace: Workspace, pk: int) -> CharterClause:
    return CharterClause.objects.select_related("version__charter").get(pk=pk, version__charter__workspace=workspace)


def rule_list(workspace: Workspace) -> QuerySet[ModerationRule]:
    return ModerationRule.objects.filter(workspace=workspace).select_related("clause", "label", "assign_to")


def rule_get(workspace: Workspace, pk: int) -> ModerationRule:
    return ModerationRule.objects.get(workspace=workspace, pk=pk)


def ban_list(workspace: Workspace) -> QuerySet[BanListEntry]:
    return BanListEntry.objects.filter(workspace=workspace).select_related("clause", "created_by")


def ban_get(workspace: Workspace, pk: int) -> BanListEntry:
    return BanListEntry.objects.get(workspace=workspace, pk=pk)


def decision_list(
    workspace: Workspace,
    *,
    clause_code: str = "",
    action: str = "",
    rule_id: int | None = None,
    user_id: int | None = None,
    include_dry_runs: bool = True,
) -> QuerySet[ModerationDecision]:
    decisions = ModerationDecision.objects.filter(workspace=workspace).select_related(
        "clause", "decided_by", "rule", "message__author", "message__account", "explanation"
    )
    if clause_code:
        decisions = decisions.filter(clause__code=clause_code)
    if action:
        decisions = decisions.filter(action=action)
    if rule_id is not None:
        decisions = decisions.filter(rule_id=rule_id)
    if user_id is not None:
        decisions = decisions.filter(decided_by_id=user_id)
    if not include_dry_runs:
        decisions = decisions.filter(dry_run=False)
    return decisions


def decision_get(workspace: Workspace, pk: int) -> ModerationDecision:
    return ModerationDecision.objects.select_related("message__account", "message__author", "clause").get(
        workspace=workspace, pk=pk
    )


def appeal_list(workspace: Workspace, *, status: str = "") -> QuerySet[Appeal]:
    appeals = Appeal.objects.filter(decision__workspace=workspace).select_related(
        "decision__clause", "decision__message__author", "answered_by"
    )
    return appeals.filter(status=status) if status else appeals


def appeal_get(workspace: Workspace, pk: int) -> Appeal:
    return Appeal.objects.select_related("decision__message__account").get(decision__workspace=workspace, pk=pk)


@dataclass
class TransparencySummary:
    """What a month of moderation amounts to, without anyone's name, handle or words."""

    month: date
    total: int = 0
    by_clause: list[dict[str, Any]] = field(default_factory=list)  # code, title, count
    by_action: list[dict[str, Any]] = field(default_factory=list)  # action, count
    by_rules: int = 0
    by_people: int = 0
    hidden_in_parvis_only: int = 0
    appeals: int = 0
    appeals_upheld: int = 0
    appeals_overturned: int = 0
    appeals_open: int = 0
    reverted: int = 0


def month_bounds(workspace: Workspace, month: date) -> tuple[datetime, datetime]:
    """The month's start and end instants in the workspace's time zone."""
    zone = workspace.zone
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=zone)
    last = calendar.monthrange(month.year, month.month)[1]
    end = datetime.combine(month.replace(day=last), time.max, tzinfo=zone)
    return start, end


def transparency_summary(workspace: Workspace, month: date) -> TransparencySummary:
    """Decisions of the month per clause, per action, by rules vs people; appeals and their outcomes.

    Dry runs are left out (nothing was done). Counts only: no personal data leaves this function.
    """
    start, end = month_bounds(workspace, month)
    decisions = ModerationDecision.objects.filter(workspace=workspace, dry_run=False, at__range=(start, end))
    summary = TransparencySummary(month=month.replace(day=1))
    totals = decisions.aggregate(
        total=Count("pk"),
        rules=Count("pk", filter=Q(decided_by__isnull=True)),
        people=Count("pk", filter=Q(decided_by__isnull=False)),
        parvis_only=Count("pk", filter=Q(outcome="parvis_only")),
        reverted=Count("pk", filter=Q(reverted=True)),
    )
    summary.total = totals["total"]
    summary.by_rules = totals["rules"]
    summary.by_people = totals["people"]
    summary.hidden_in_parvis_only = totals["parvis_only"]
    summary.reverted = totals["reverted"]
    summary.by_clause = [
        {"code": row["clause__code"] or "", "title": row["clause__title"] or "", "count": row["count"]}
        for row in decisions.values("clause__code", "clause__title").annotate(count=Count("pk")).order_by("-count")
    ]
    summary.by_action = [
        {"action": row["action"], "count": row["count"]}
        for row in decisions.values("action").annotate(count=Count("pk")).order_by("-count")
    ]
    appeals = Appeal.objects.filter(decision__workspace=workspace, received_at__range=(start, end)).aggregate(
        total=Count("pk"),
        upheld=Count("pk", filter=Q(status=AppealStatus.UPHELD)),
        overturned=Count("pk", filter=Q(status=AppealStatus.OVERTURNED)),
        open=Count("pk", filter=Q(status=AppealStatus.OPEN)),
    )
    summary.appeals = appeals["total"]
    summary.appeals_upheld = appeals["upheld"]
    summary.appeals_overturned = appeals["overturned"]
    summary.appeals_open = appeals["open"]
    return summary


def current_month(workspace: Workspace) -> date:
    return timezone.localtime(timezone.now(), workspace.zone).date().replace(day=1)
