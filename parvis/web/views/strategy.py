"""The editorial charter: the rules drafts are checked against, per workspace and network."""

from __future__ import annotations

import math
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied, role_has
from parvis.networks.registry import PUBLIC_NETWORKS, publishing_networks
from parvis.strategy.checks import DEFAULT_PARAMS, RuleKind
from parvis.strategy.models import EditorialRule, Goal, RuleKindChoice, Severity
from parvis.strategy.selectors import rule_get, rule_list
from parvis.strategy.services import (
    CHARTER_PERM,
    rule_create,
    rule_delete,
    rule_set_enabled,
    rule_update,
    rules_add_recommended,
)
from parvis.web.network_info import network_name
from parvis.web.views.base import member_view, refusal, render_page

KIND_HELP = {
    RuleKind.IMAGE_REQUIRED: gettext_lazy(
        "Every post carries an image or a video (images are shared about twice as much)."
    ),
    RuleKind.SENTENCE_LENGTH: gettext_lazy("Short sentences read better on a phone."),
    RuleKind.QUESTION_ENDING: gettext_lazy("When the goal is a conversation, the post ends with a question."),
    RuleKind.FORBIDDEN_WORDS: gettext_lazy(
        "Words or phrases the organisation never writes (accents and capitals ignored; a final * matches any ending)."
    ),
    RuleKind.FORBIDDEN_TOPIC: gettext_lazy("A topic the organisation stays out of, recognised by its words."),
    RuleKind.TONE: gettext_lazy("No shouting: few words in capitals, no runs of exclamation marks."),
    RuleKind.RELAY_SHARE: gettext_lazy(
        "Don't only talk about yourself, don't only relay others: the share of relayed posts among the last ones."
    ),
    RuleKind.FREQUENCY: gettext_lazy("Posts per week and network, planned and published, against the plan."),
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _percent(share: Any) -> str:
    return f"{round(float(share) * 100)} %"


def rule_summary(rule: EditorialRule) -> str:
    """What the rule asks, in a sentence, with its numbers."""
    params = {**DEFAULT_PARAMS.get(rule.kind, {}), **(rule.params or {})}
    kind = rule.kind
    if kind == RuleKind.IMAGE_REQUIRED:
        return _("An image or a video on every post.")
    if kind == RuleKind.SENTENCE_LENGTH:
        return _("At most %(count)d words per sentence.") % {"count": int(params["max_words"])}
    if kind == RuleKind.QUESTION_ENDING:
        goals = [str(Goal(goal).label) if goal in Goal.values else goal for goal in params.get("goals") or []]
        if not goals:
            return _("Every post ends with a question.")
        return _("Posts end with a question when their goal is: %(goals)s.") % {"goals": ", ".join(goals)}
    if kind == RuleKind.FORBIDDEN_WORDS:
        return _("Never: %(words)s.") % {"words": ", ".join(params.get("words") or [])}
    if kind == RuleKind.FORBIDDEN_TOPIC:
        return _("Stay out of %(topic)s: %(words)s.") % {
            "topic": params.get("topic", ""),
            "words": ", ".join(params.get("words") or []),
        }
    if kind == RuleKind.TONE:
        parts = []
        if params.get("max_caps_share"):
            parts.append(_("at most %(share)s of words in capitals") % {"share": _percent(params["max_caps_share"])})
        if params.get("max_exclamations"):
            parts.append(
                ngettext(
                    "at most %(count)d exclamation mark in a row",
                    "at most %(count)d exclamation marks in a row",
                    int(params["max_exclamations"]),
                )
                % {"count": int(params["max_exclamations"])}
            )
        return _sentence("; ".join(parts)) + "."
    if kind == RuleKind.RELAY_SHARE:
        last_n = int(params["last_n"])
        parts = []
        if params.get("max_share") is not None:
            allowed = math.floor(float(params["max_share"]) * last_n + 1e-9)
            parts.append(_("at most %(count)d relayed") % {"count": allowed})
        if params.get("min_share") is not None:
            required = math.ceil(float(params["min_share"]) * last_n - 1e-9)
            parts.append(_("at least %(count)d relayed") % {"count": required})
        return _("%(limits)s among the last %(count)d posts of each network.") % {
            "limits": _sentence("; ".join(parts)),
            "count": last_n,
        }
    if kind == RuleKind.FREQUENCY:
        low, high = params.get("min_per_week"), params.get("max_per_week")
        if low is not None and high is not None:
            return _("Between %(low)d and %(high)d posts per week.") % {"low": low, "high": high}
        if high is not None:
            return _("At most %(count)d posts per week.") % {"count": high}
        return _("At least %(count)d posts per week.") % {"count": low}
    return ""


def _network_choices() -> list[tuple[str, str]]:
    return [
        ("", _("All networks")),
        *[(network, network_name(network)) for network in publishing_networks() if network in PUBLIC_NETWORKS],
    ]


class RuleForm(forms.Form):
    """The fields common to every rule, plus those of its kind (see `KIND_FIELDS`)."""

    network = forms.ChoiceField(label=gettext_lazy("Network"), required=False)
    severity = forms.ChoiceField(
        label=gettext_lazy("When the rule is broken"),
        choices=[
            (Severity.WARNING, gettext_lazy("Warn (the post can still go out)")),
            (Severity.BLOCKER, gettext_lazy("Block (the post is refused)")),
        ],
        widget=forms.RadioSelect,
        initial=Severity.WARNING,
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)
    note = forms.CharField(
        label=gettext_lazy("Why this rule (for the team)"),
        required=False,
        max_length=300,
        widget=forms.TextInput,
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = _network_choices()
        initial_network = self.initial.get("network", "")
        if initial_network and initial_network not in dict(choices):
            choices.append((initial_network, network_name(initial_network)))
        cast(forms.ChoiceField, self.fields["network"]).choices = choices
        specific = kind_fields(kind)
        for name, field in specific.items():
            self.fields[name] = field
        # What the rule asks first, then where it applies and how strictly.
        self.order_fields([*specific, "network", "severity", "enabled", "note"])

    def params(self) -> dict[str, Any]:
        """The kind's parameters from the cleaned data (percentages become fractions)."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        for name in kind_fields(self.kind):
            value = data.get(name)
            if name in PERCENT_FIELDS:
                value = None if value is None else value / 100
            params[name] = value
        return params


PERCENT_FIELDS = {"max_caps_share", "max_share", "min_share"}


def kind_fields(kind: str) -> dict[str, forms.Field]:
    """Fresh form fields for the parameters of one kind of rule."""
    if kind == RuleKind.SENTENCE_LENGTH:
        return {
            "max_words": forms.IntegerField(
                label=gettext_lazy("Words per sentence, at most"), min_value=3, max_value=200, initial=25
            )
        }
    if kind == RuleKind.QUESTION_ENDING:
        return {
            "goals": forms.MultipleChoiceField(
                label=gettext_lazy("For posts whose goal is"),
                choices=Goal.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=[Goal.CONVERSATION],
                help_text=gettext_lazy("None ticked: every post."),
            )
        }
    if kind in (RuleKind.FORBIDDEN_WORDS, RuleKind.FORBIDDEN_TOPIC):
        fields: dict[str, forms.Field] = {}
        if kind == RuleKind.FORBIDDEN_TOPIC:
            fields["topic"] = forms.CharField(label=gettext_lazy("Topic"), max_length=100)
        fields["words"] = forms.CharField(
            label=gettext_lazy("Words and phrases"),
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=gettext_lazy("One per line or separated by commas. A final * matches any ending: arnaque*"),
        )
        return fields
    if kind == RuleKind.TONE:
        return {
            "max_caps_share": forms.IntegerField(
                label=gettext_lazy("Words in capitals, at most (%)"),
                min_value=0,
                max_value=100,
                initial=30,
                required=False,
                help_text=gettext_lazy("0: not checked."),
            ),
            "max_exclamations": forms.IntegerField(
                label=gettext_lazy("Exclamation marks in a row, at most"),
                min_value=0,
                max_value=20,
                initial=1,
                required=False,
                help_text=gettext_lazy("0: not checked."),
            ),
        }
    if kind == RuleKind.RELAY_SHARE:
        return {
            "last_n": forms.IntegerField(
                label=gettext_lazy("Over the last posts (how many)"), min_value=2, max_value=100, initial=9
            ),
            "max_share": forms.IntegerField(
                label=gettext_lazy("Relayed posts, at most (%)"), min_value=0, max_value=100, required=False, initial=33
            ),
            "min_share": forms.IntegerField(
                label=gettext_lazy("Relayed posts, at least (%)"), min_value=0, max_value=100, required=False
            ),
        }
    if kind == RuleKind.FREQUENCY:
        return {
            "min_per_week": forms.IntegerField(
                label=gettext_lazy("Posts per week, at least"), min_value=0, max_value=500, required=False
            ),
            "max_per_week": forms.IntegerField(
                label=gettext_lazy("Posts per week, at most"), min_value=0, max_value=500, required=False
            ),
        }
    return {}


def _initial_of(rule: EditorialRule) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "network": rule.network,
        "severity": rule.severity,
        "enabled": rule.enabled,
        "note": rule.note,
    }
    for name, value in (rule.params or {}).items():
        if name in PERCENT_FIELDS:
            initial[name] = None if value is None else round(float(value) * 100)
        elif name == "words" and isinstance(value, list):
            initial[name] = "\n".join(value)
        else:
            initial[name] = value
    return initial


def _apply_errors(form: RuleForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@require_GET
@member_view()
def strategy(request: HttpRequest, membership: Membership) -> HttpResponse:
    order = {kind: index for index, kind in enumerate(RuleKindChoice.values)}
    rules = sorted(rule_list(membership.workspace), key=lambda rule: (order.get(rule.kind, 99), rule.network, rule.pk))
    rules_with_summary = [(rule, rule_summary(rule)) for rule in rules]
    context = {
        "rules": rules_with_summary,
        "kinds": [(value, label, KIND_HELP.get(RuleKind(value), "")) for value, label in RuleKindChoice.choices],
        "can_edit": role_has(membership.role, CHARTER_PERM),
    }
    return render_page(request, "web/strategy.html", context)


def _form_page(request: HttpRequest, form: RuleForm, *, rule: EditorialRule | None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "rule": rule,
        "kind_label": RuleKindChoice(form.kind).label,
        "kind_help": KIND_HELP.get(RuleKind(form.kind), ""),
        "kind": form.kind,
    }
    return render_page(request, "web/strategy_rule.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_view(CHARTER_PERM)
def strategy_rule_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in RuleKindChoice.values:
        return redirect("web:strategy")
    if request.method == "POST":
        form = RuleForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                rule_create(
                    membership=membership,
                    kind=kind,
                    params=form.params(),
                    network=form.cleaned_data["network"],
                    severity=form.cleaned_data["severity"],
                    enabled=form.cleaned_data["enabled"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Rule added to the editorial charter."))
                return redirect("web:strategy")
        return _form_page(request, form, rule=None, status=400)
    return _form_page(request, RuleForm(kind=kind, initial={"enabled": True}), rule=None)


def _rule_or_404(membership: Membership, pk: int) -> EditorialRule:
    rule = rule_get(membership.workspace, pk)
    if rule is None:
        raise Http404
    return rule


@require_http_methods(["GET", "POST"])
@member_view(CHARTER_PERM)
def strategy_rule_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule = _rule_or_404(membership, pk)
    if request.method == "POST":
        form = RuleForm(request.POST, kind=rule.kind, initial=_initial_of(rule))
        if form.is_valid():
            try:
                rule_update(
                    membership=membership,
                    rule=rule,
                    params=form.params(),
                    network=form.cleaned_data["network"],
                    severity=form.cleaned_data["severity"],
                    enabled=form.cleaned_data["enabled"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("web:strategy")
        return _form_page(request, form, rule=rule, status=400)
    return _form_page(request, RuleForm(kind=rule.kind, initial=_initial_of(rule)), rule=rule)


@require_POST
@member_view(CHARTER_PERM)
def strategy_rule_toggle(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule = _rule_or_404(membership, pk)
    rule_set_enabled(membership=membership, rule=rule, enabled=not rule.enabled)
    messages.success(request, _("Rule enabled.") if rule.enabled else _("Rule disabled."))
    return redirect("web:strategy")


@require_POST
@member_view(CHARTER_PERM)
def strategy_rule_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule_delete(membership=membership, rule=_rule_or_404(membership, pk))
    messages.success(request, _("Rule deleted."))
    return redirect("web:strategy")


@require_POST
@member_view(CHARTER_PERM)
def strategy_recommended(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        created = rules_add_recommended(membership=membership)
    except PermissionDenied as exc:  # pragma: no cover - the decorator refuses first
        messages.error(request, refusal(exc.perm))
        return redirect("web:strategy")
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d recommended rule added. Adjust them to your editorial line.",
                "%(count)d recommended rules added. Adjust them to your editorial line.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("The charter already has every recommended rule."))
    return redirect("web:strategy")


urlpatterns: list[URLPattern] = [
    path("strategy/", strategy, name="strategy"),
    path("strategy/rules/new/", strategy_rule_new, name="strategy_rule_new"),
    path("strategy/rules/<int:pk>/", strategy_rule_edit, name="strategy_rule_edit"),
    path("strategy/rules/<int:pk>/toggle/", strategy_rule_toggle, name="strategy_rule_toggle"),
    path("strategy/rules/<int:pk>/delete/", strategy_rule_delete, name="strategy_rule_delete"),
    path("strategy/recommended/", strategy_recommended, name="strategy_recommended"),
]
