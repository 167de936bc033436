from __future__ import annotations

import pytest
from django.urls import reverse

from parvis.strategy.checks import RuleKind
from parvis.strategy.models import EditorialRule
from parvis.strategy.services import RECOMMENDED_RULES, rule_create


def test_a_fresh_workspace_is_offered_the_recommended_rules(signed_in, camille):
    content = signed_in(camille).get(reverse("web:strategy")).content.decode()

    assert "Add the recommended rules" in content or "Ajouter les règles recommandées" in content
    assert reverse("web:strategy_recommended") in content


def test_the_recommended_rules_button_adds_them(signed_in, camille):
    response = signed_in(camille).post(reverse("web:strategy_recommended"))

    assert response.status_code == 302
    assert EditorialRule.objects.filter(workspace=camille.workspace).count() == len(RECOMMENDED_RULES)


def test_a_rule_is_added_through_its_kinds_form(signed_in, camille):
    client = signed_in(camille)
    form = client.get(reverse("web:strategy_rule_new"), {"kind": RuleKind.RELAY_SHARE})
    assert 'name="max_share"' in form.content.decode()

    response = client.post(
        reverse("web:strategy_rule_new"),
        {
            "kind": RuleKind.RELAY_SHARE,
            "network": "linkedin",
            "severity": "warning",
            "enabled": "on",
            "last_n": "9",
            "max_share": "33",
            "min_share": "",
        },
    )

    assert response.status_code == 302
    rule = EditorialRule.objects.get()
    assert (rule.network, rule.params) == ("linkedin", {"last_n": 9, "max_share": 0.33, "min_share": None})


def test_an_invalid_rule_shows_its_errors(signed_in, camille):
    response = signed_in(camille).post(
        reverse("web:strategy_rule_new"),
        {"kind": RuleKind.FREQUENCY, "network": "", "severity": "warning", "min_per_week": "5", "max_per_week": "2"},
    )

    assert response.status_code == 400
    assert not EditorialRule.objects.exists()
    assert "field-errors" in response.content.decode()


def test_forbidden_words_are_edited_one_per_line(signed_in, camille):
    rule = rule_create(membership=camille, kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["gratuit"]})
    client = signed_in(camille)
    assert "gratuit" in client.get(reverse("web:strategy_rule_edit", args=[rule.pk])).content.decode()

    client.post(
        reverse("web:strategy_rule_edit", args=[rule.pk]),
        {"network": "", "severity": "blocker", "enabled": "on", "words": "gratuit\npromo*"},
    )

    rule.refresh_from_db()
    assert (rule.params["words"], rule.severity) == (["gratuit", "promo*"], "blocker")


def test_a_rule_is_disabled_and_deleted(signed_in, camille):
    rule = rule_create(membership=camille, kind=RuleKind.IMAGE_REQUIRED, params={}, network="facebook")
    client = signed_in(camille)

    client.post(reverse("web:strategy_rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.enabled
    assert "strategy-rule is-disabled" in client.get(reverse("web:strategy")).content.decode()

    client.post(reverse("web:strategy_rule_delete", args=[rule.pk]))
    assert not EditorialRule.objects.exists()


def test_a_contributor_reads_the_charter_but_cannot_change_it(signed_in, theo, camille):
    rule_create(membership=camille, kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25})
    client = signed_in(theo)

    content = client.get(reverse("web:strategy")).content.decode()
    assert "25" in content
    assert reverse("web:strategy_recommended") not in content
    assert client.post(reverse("web:strategy_recommended")).status_code == 403
    assert EditorialRule.objects.count() == 1


def test_a_rule_of_another_workspace_is_not_found(signed_in, camille, oscar):
    other = rule_create(membership=oscar, kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25})

    assert signed_in(camille).post(reverse("web:strategy_rule_toggle", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.enabled


@pytest.mark.parametrize("kind", [value for value in RuleKind])
def test_every_kind_has_a_form(signed_in, camille, kind):
    assert signed_in(camille).get(reverse("web:strategy_rule_new"), {"kind": kind}).status_code == 200


def test_hostile_words_render_as_text(signed_in, camille):
    rule_create(membership=camille, kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["<script>alert(1)</script>"]})

    content = signed_in(camille).get(reverse("web:strategy")).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content
