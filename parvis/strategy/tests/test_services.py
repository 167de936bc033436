from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parvis.core.models import AuditEntry
from parvis.core.permissions import PermissionDenied
from parvis.strategy.checks import RuleKind
from parvis.strategy.models import EditorialRule
from parvis.strategy.services import (
    RECOMMENDED_RULES,
    rule_create,
    rule_delete,
    rule_params_clean,
    rule_set_enabled,
    rule_update,
    rules_add_recommended,
)

pytestmark = pytest.mark.django_db


def test_a_community_manager_adds_a_rule_and_it_is_audited(camille):
    rule = rule_create(
        membership=camille,
        kind=RuleKind.FORBIDDEN_WORDS,
        params={"words": "gratuit, promo\nsoldes"},
        severity="blocker",
    )

    assert rule.params == {"words": ["gratuit", "promo", "soldes"]}
    assert AuditEntry.objects.filter(verb="editorial_rule.create", target_id=str(rule.pk)).exists()


def test_a_contributor_cannot_change_the_charter(theo):
    with pytest.raises(PermissionDenied):
        rule_create(membership=theo, kind=RuleKind.IMAGE_REQUIRED, params={}, network="facebook")


def test_parameters_are_checked_per_kind():
    with pytest.raises(ValidationError):
        rule_params_clean(RuleKind.SENTENCE_LENGTH, {"max_words": "beaucoup"})
    with pytest.raises(ValidationError):
        rule_params_clean(RuleKind.FREQUENCY, {"min_per_week": 5, "max_per_week": 2})
    with pytest.raises(ValidationError):
        rule_params_clean(RuleKind.RELAY_SHARE, {"last_n": 9})
    with pytest.raises(ValidationError):
        rule_params_clean(RuleKind.FORBIDDEN_TOPIC, {"words": ["élection"]})
    assert rule_params_clean(RuleKind.RELAY_SHARE, {"last_n": "9", "max_share": "0.25"}) == {
        "last_n": 9,
        "max_share": 0.25,
        "min_share": None,
    }


def test_an_unknown_network_is_refused(camille):
    with pytest.raises(ValidationError):
        rule_create(membership=camille, kind=RuleKind.IMAGE_REQUIRED, params={}, network="myspace")


def test_a_rule_is_updated_disabled_and_deleted(camille):
    rule = rule_create(membership=camille, kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25})

    rule_update(
        membership=camille, rule=rule, params={"max_words": 20}, network="linkedin", severity="blocker", enabled=True
    )
    rule_set_enabled(membership=camille, rule=rule, enabled=False)
    rule.refresh_from_db()
    assert (rule.params, rule.network, rule.severity, rule.enabled) == ({"max_words": 20}, "linkedin", "blocker", False)

    rule_delete(membership=camille, rule=rule)
    assert not EditorialRule.objects.exists()


def test_a_rule_of_another_workspace_cannot_be_changed(camille, oscar):
    rule = rule_create(membership=oscar, kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25})

    with pytest.raises(ValidationError):
        rule_set_enabled(membership=camille, rule=rule, enabled=False)


def test_the_recommended_rules_are_added_once(alice):
    first = rules_add_recommended(membership=alice)
    again = rules_add_recommended(membership=alice)

    assert len(first) == len(RECOMMENDED_RULES)
    assert again == []
    assert EditorialRule.objects.filter(workspace=alice.workspace, kind=RuleKind.IMAGE_REQUIRED).count() == 2
