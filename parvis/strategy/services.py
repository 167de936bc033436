"""Writes for the editorial charter: rules, their parameters, the recommended set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.registry import publishing_networks
from parvis.strategy.checks import BLOCKER, WARNING, RuleKind
from parvis.strategy.models import EditorialRule

# The members who publish without approval set the line that drafts are held to.
CHARTER_PERM = Perm.PUBLISH


def _int(raw: Any, name: str, *, low: int, high: int, optional: bool = False) -> int | None:
    if raw in (None, ""):
        if optional:
            return None
        raise ValidationError({name: _("This value is required.")})
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationError({name: _("Enter a whole number.")}) from exc
    if not low <= value <= high:
        raise ValidationError({name: _("Enter a number between %(low)d and %(high)d.") % {"low": low, "high": high}})
    return value


def _share(raw: Any, name: str, *, optional: bool = True) -> float | None:
    """A fraction between 0 and 1 (forms send percentages and convert them before)."""
    if raw in (None, ""):
        if optional:
            return None
        raise ValidationError({name: _("This value is required.")})
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationError({name: _("Enter a number.")}) from exc
    if not 0 <= value <= 1:
        raise ValidationError({name: _("Enter a share between 0 and 100 %.")})
    return round(value, 4)


def _words(raw: Any) -> list[str]:
    """A list of words or phrases from a list or from text (one per line or comma-separated)."""
    if isinstance(raw, str):
        items = [part for line in raw.splitlines() for part in line.split(",")]
    elif isinstance(raw, list | tuple):
        items = [str(item) for item in raw]
    else:
        items = []
    cleaned: list[str] = []
    for item in items:
        word = " ".join(item.split())
        if word and word.casefold() not in {known.casefold() for known in cleaned}:
            cleaned.append(word[:100])
    return cleaned[:500]


def rule_params_clean(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a rule of `kind`, checked and normalised; raises ValidationError."""
    if kind == RuleKind.IMAGE_REQUIRED:
        return {}
    if kind == RuleKind.SENTENCE_LENGTH:
        return {"max_words": _int(raw.get("max_words"), "max_words", low=3, high=200)}
    if kind == RuleKind.QUESTION_ENDING:
        goals = _words(raw.get("goals", []))
        return {"goals": [goal.casefold() for goal in goals]}
    if kind in (RuleKind.FORBIDDEN_WORDS, RuleKind.FORBIDDEN_TOPIC):
        words = _words(raw.get("words", []))
        if not words:
            raise ValidationError({"words": _("Give at least one word or phrase.")})
        params: dict[str, Any] = {"words": words}
        if kind == RuleKind.FORBIDDEN_TOPIC:
            topic = " ".join(str(raw.get("topic", "")).split())[:100]
            if not topic:
                raise ValidationError({"topic": _("Name the topic.")})
            params["topic"] = topic
        return params
    if kind == RuleKind.TONE:
        caps = _share(raw.get("max_caps_share"), "max_caps_share") or 0.0
        run = _int(raw.get("max_exclamations"), "max_exclamations", low=0, high=20, optional=True) or 0
        if not caps and not run:
            raise ValidationError(_("Set a share of capitals or a number of exclamation marks."))
        return {"max_caps_share": caps, "max_exclamations": run}
    if kind == RuleKind.RELAY_SHARE:
        last_n = _int(raw.get("last_n"), "last_n", low=2, high=100)
        max_share = _share(raw.get("max_share"), "max_share")
        min_share = _share(raw.get("min_share"), "min_share")
        if max_share is None and min_share is None:
            raise ValidationError(_("Set a maximum or a minimum share of relayed posts."))
        if max_share is not None and min_share is not None and min_share > max_share:
            raise ValidationError({"min_share": _("The minimum is above the maximum.")})
        return {"last_n": last_n, "max_share": max_share, "min_share": min_share}
    if kind == RuleKind.FREQUENCY:
        low = _int(raw.get("min_per_week"), "min_per_week", low=0, high=500, optional=True)
        high = _int(raw.get("max_per_week"), "max_per_week", low=0, high=500, optional=True)
        if low is None and high is None:
            raise ValidationError(_("Set a minimum or a maximum number of posts per week."))
        if low is not None and high is not None and low > high:
            raise ValidationError({"min_per_week": _("The minimum is above the maximum.")})
        return {"min_per_week": low, "max_per_week": high}
    raise ValidationError({"kind": _("Unknown kind of rule.")})


def _clean_common(*, kind: str, network: str, severity: str) -> None:
    if kind not in set(RuleKind):
        raise ValidationError({"kind": _("Unknown kind of rule.")})
    if network and network not in publishing_networks():
        raise ValidationError({"network": _("Unknown network.")})
    if severity not in (WARNING, BLOCKER):
        raise ValidationError({"severity": _("Choose warning or blocker.")})


@transaction.atomic
def rule_create(
    *,
    membership: Membership,
    kind: str,
    params: Mapping[str, Any],
    network: str = "",
    severity: str = WARNING,
    enabled: bool = True,
    note: str = "",
) -> EditorialRule:
    """Add a rule to the workspace's editorial charter."""
    require(membership, CHARTER_PERM)
    _clean_common(kind=kind, network=network, severity=severity)
    rule = EditorialRule.objects.create(
        workspace=membership.workspace,
        kind=kind,
        network=network,
        params=rule_params_clean(kind, params),
        severity=severity,
        enabled=enabled,
        note=note.strip()[:300],
    )
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="editorial_rule.create",
        target=rule,
        summary=f"{kind} {network or '*'} ({severity})",
        data={"params": rule.params},
    )
    return rule


@transaction.atomic
def rule_update(
    *,
    membership: Membership,
    rule: EditorialRule,
    params: Mapping[str, Any],
    network: str,
    severity: str,
    enabled: bool,
    note: str = "",
) -> EditorialRule:
    """Change a rule's parameters, network, severity or state (its kind stays)."""
    require(membership, CHARTER_PERM)
    if rule.workspace_id != membership.workspace_id:
        raise ValidationError(_("This rule belongs to another workspace."))
    _clean_common(kind=rule.kind, network=network, severity=severity)
    before = {"params": rule.params, "network": rule.network, "severity": rule.severity, "enabled": rule.enabled}
    rule.params = rule_params_clean(rule.kind, params)
    rule.network = network
    rule.severity = severity
    rule.enabled = enabled
    rule.note = note.strip()[:300]
    rule.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="editorial_rule.update",
        target=rule,
        summary=f"{rule.kind} {network or '*'} ({severity})",
        data={"before": before, "params": rule.params, "enabled": enabled},
    )
    return rule


@transaction.atomic
def rule_set_enabled(*, membership: Membership, rule: EditorialRule, enabled: bool) -> EditorialRule:
    require(membership, CHARTER_PERM)
    if rule.workspace_id != membership.workspace_id:
        raise ValidationError(_("This rule belongs to another workspace."))
    rule.enabled = enabled
    rule.save(update_fields=["enabled", "updated_at"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="editorial_rule.enable" if enabled else "editorial_rule.disable",
        target=rule,
        summary=f"{rule.kind} {rule.network or '*'}",
    )
    return rule


@transaction.atomic
def rule_delete(*, membership: Membership, rule: EditorialRule) -> None:
    require(membership, CHARTER_PERM)
    if rule.workspace_id != membership.workspace_id:
        raise ValidationError(_("This rule belongs to another workspace."))
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="editorial_rule.delete",
        target=rule,
        summary=f"{rule.kind} {rule.network or '*'}",
        data={"params": rule.params},
    )
    rule.delete()


# The starting charter, drawn from SEEDS §1-2: an image on Facebook (and Instagram, where a post
# without one cannot exist), short sentences, a question when the goal is conversation, a calm
# tone, relays without only relaying (at most a third, at least one in nine), daily posting on
# working days (SEEDS 002: "mettre quotidiennement en ligne des informations").
RECOMMENDED_RULES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (RuleKind.IMAGE_REQUIRED, "facebook", WARNING, {}),
    (RuleKind.IMAGE_REQUIRED, "instagram", BLOCKER, {}),
    (RuleKind.SENTENCE_LENGTH, "", WARNING, {"max_words": 25}),
    (RuleKind.QUESTION_ENDING, "", WARNING, {"goals": ["conversation"]}),
    (RuleKind.TONE, "", WARNING, {"max_caps_share": 0.3, "max_exclamations": 1}),
    (RuleKind.RELAY_SHARE, "", WARNING, {"last_n": 9, "max_share": 0.3333, "min_share": 0.1111}),
    (RuleKind.FREQUENCY, "", WARNING, {"min_per_week": 5, "max_per_week": None}),
    (RuleKind.FREQUENCY, "linkedin", WARNING, {"min_per_week": None, "max_per_week": 5}),
)


@transaction.atomic
def rules_add_recommended(*, membership: Membership) -> list[EditorialRule]:
    """Add the recommended rules the workspace does not have yet (same kind and network)."""
    require(membership, CHARTER_PERM)
    existing = set(EditorialRule.objects.filter(workspace=membership.workspace).values_list("kind", "network"))
    created: list[EditorialRule] = []
    for kind, network, severity, params in RECOMMENDED_RULES:
        if (str(kind), network) in existing:
            continue
        existing.add((str(kind), network))
        created.append(
            EditorialRule.objects.create(
                workspace=membership.workspace,
                kind=kind,
                network=network,
                params=rule_params_clean(kind, params),
                severity=severity,
            )
        )
    if created:
        audit_record(
            workspace=membership.workspace,
            actor=membership.user,
            verb="editorial_rule.add_recommended",
            target="EditorialRule",
            summary=f"{len(created)} rules",
            data={"rules": [f"{rule.kind} {rule.network or '*'}" for rule in created]},
        )
    return created
