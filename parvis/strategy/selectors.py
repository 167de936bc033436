"""Reads for the editorial charter."""

from __future__ import annotations

from django.db.models import QuerySet

from parvis.core.models import Workspace
from parvis.strategy.checks import RuleSpec
from parvis.strategy.models import EditorialRule


def rule_list(workspace: Workspace, *, enabled_only: bool = False) -> QuerySet[EditorialRule]:
    rules = EditorialRule.objects.filter(workspace=workspace)
    if enabled_only:
        rules = rules.filter(enabled=True)
    return rules.order_by("kind", "network", "id")


def rule_get(workspace: Workspace, rule_id: int) -> EditorialRule | None:
    return EditorialRule.objects.filter(workspace=workspace, pk=rule_id).first()


def rule_specs(workspace: Workspace) -> list[RuleSpec]:
    """The enabled rules, as the pure checks take them."""
    return [rule.spec() for rule in rule_list(workspace, enabled_only=True)]
