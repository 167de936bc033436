"""Moderation pages: the public charter and transparency summary (no sign-in), and the team's pages
(charter editor, policy, rules, decisions log, ban list, appeals, transparency with its chart),
plus the inbox's "hide under the charter" control."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox.models import Category, Label, Message
from parvis.moderation import selectors
from parvis.moderation.engine import settings_for
from parvis.moderation.models import (
    AppealChannel,
    AppealStatus,
    CharterClause,
    DecisionAction,
    DecisionOutcome,
    ExplanationMode,
    ModerationRule,
    RemovalAction,
)
from parvis.moderation.services import (
    ModerationError,
    appeal_answer,
    appeal_record,
    ban_add,
    ban_remove,
    charter_draft_save,
    charter_publish,
    message_moderate,
    moderation_settings_update,
    rule_delete,
    rule_save,
)
from parvis.networks.registry import PUBLIC_NETWORKS
from parvis.web.network_info import network_name
from parvis.web.views.base import found, member_view, refusal, render_page

MAX_CSV_ROWS = 50_000

# --- public pages ---------------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "public, max-age=300"
    response["Referrer-Policy"] = "same-origin"
    return response


def _charter_or_404(slug: str) -> Any:
    try:
        return selectors.charter_by_slug(slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@require_GET
def charter_public(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """The charter in force (or an earlier version), with clause anchors and the version history."""
    charter = _charter_or_404(slug)
    versions = list(charter.versions.only("number", "published_at", "charter_id"))
    version = selectors.version_latest(charter) if number is None else found(selectors.version_get, charter, number)
    context = {
        "charter": charter,
        "version": version,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "clauses": list(version.clauses.all()) if version else [],
        "month": selectors.current_month(charter.workspace),
    }
    return _public(render_page(request, "web/moderation/charter_public.html", context))


def _month(value: str) -> dt.date | None:
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no instant
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


@require_GET
def transparency_public(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    """The month's decisions per clause and action, by rules and people, and appeals. Counts only."""
    charter = _charter_or_404(slug)
    when = _month(month)
    if when is None:
        raise Http404
    summary = selectors.transparency_summary(charter.workspace, when)
    context = {"charter": charter, "summary": summary, **_month_links(when), **_labels(summary)}
    return _public(render_page(request, "web/moderation/transparency_public.html", context))


def _month_links(month: dt.date) -> dict[str, Any]:
    previous = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"previous_month": previous.strftime("%Y-%m"), "next_month": following.strftime("%Y-%m")}


def _labels(summary: selectors.TransparencySummary) -> dict[str, Any]:
    actions = dict(DecisionAction.choices)
    by_action = [
        {"label": str(actions.get(row["action"], row["action"])), "count": row["count"]} for row in summary.by_action
    ]
    return {"by_action": by_action}


# --- forms ----------------------------------------------------------------------------------------


class CharterForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    slug = forms.SlugField(
        label=gettext_lazy("Public address"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("The charter is published at /charter/<address>/."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 20}),
        required=False,
        help_text=gettext_lazy(
            "Clauses are headings that start with their number, e.g. “## 3.2 No insults”; decisions cite them."
        ),
    )


class SettingsForm(forms.Form):
    hide_only = forms.BooleanField(label=gettext_lazy("Never delete, hide only"), required=False)
    explanation_mode = forms.ChoiceField(label=gettext_lazy("Explain removals by"), choices=ExplanationMode.choices)
    explanation_template = forms.CharField(
        label=gettext_lazy("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Variables: {author}, {clause_code}, {clause_title}, {charter_url}, {clause_url}, {workspace}."
        ),
    )
    charter_url = forms.URLField(
        assume_scheme="https",
        label=gettext_lazy("Charter address"),
        required=False,
        help_text=gettext_lazy("Leave empty to link Parvis's public page of the charter."),
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=100)
    enabled = forms.BooleanField(label=pgettext_lazy("moderation rule", "Enabled"), required=False, initial=True)
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run (log what it would do, do nothing)"), required=False, initial=True
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Classes"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=gettext_lazy("Keywords, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Whole words, capitals and accents ignored; a final * matches any ending."),
    )
    patterns = forms.CharField(
        label=gettext_lazy("Patterns (regular expressions), one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    has_links = forms.BooleanField(label=gettext_lazy("Holds a link"), required=False)
    mentions_only = forms.BooleanField(label=gettext_lazy("Only @mentions"), required=False)
    languages = forms.CharField(label=gettext_lazy("Languages (codes, comma separated)"), required=False)
    author_banned = forms.BooleanField(label=gettext_lazy("Author on the ban list"), required=False)
    repeat_count = forms.IntegerField(
        label=gettext_lazy("Same text by the same author at least (times)"), min_value=0, initial=0
    )
    repeat_window_minutes = forms.IntegerField(label=gettext_lazy("Within (minutes)"), min_value=1, initial=60)
    removal = forms.ChoiceField(label=gettext_lazy("Removal"), choices=RemovalAction.choices, required=False)
    clause = forms.ModelChoiceField(
        label=gettext_lazy("Charter clause"), queryset=CharterClause.objects.none(), required=False
    )
    explain = forms.BooleanField(label=gettext_lazy("Explain the removal"), required=False, initial=True)
    reply_template = forms.CharField(
        label=gettext_lazy("Reply with"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    label = forms.ModelChoiceField(label=gettext_lazy("Label"), queryset=Label.objects.none(), required=False)
    assign_to = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"), queryset=Membership.objects.none(), required=False
    )
    mute = forms.BooleanField(label=gettext_lazy("Mute the author"), required=False)
    block = forms.BooleanField(label=gettext_lazy("Block the author"), required=False)
    ban = forms.BooleanField(label=gettext_lazy("Add the author to the ban list"), required=False)
    ban_days = forms.IntegerField(label=gettext_lazy("Ban for (days, 0: no end)"), min_value=0, initial=0)
    escalate = forms.BooleanField(label=gettext_lazy("Notify the managers"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace = membership.workspace
        clause_field = cast("forms.ModelChoiceField[Any]", self.fields["clause"])
        clause_field.queryset = CharterClause.objects.filter(
            pk__in=[c.pk for c in selectors.clauses_in_force(workspace)]
        )
        label_field = cast("forms.ModelChoiceField[Any]", self.fields["label"])
        label_field.queryset = Label.objects.filter(workspace=workspace)
        assign_field = cast("forms.ModelChoiceField[Any]", self.fields["assign_to"])
        assign_field.queryset = Membership.objects.filter(workspace=workspace).select_related("user")
        assign_field.label_from_instance = _member_name  # type: ignore[method-assign,assignment]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["keywords"] = _lines(data["keywords"])
        data["patterns"] = _lines(data["patterns"])
        data["languages"] = [code.strip().lower() for code in data["languages"].split(",") if code.strip()]
        data["categories"] = list(data["categories"])
        assignee = data.pop("assign_to")
        data["assign_to"] = assignee.user if assignee is not None else None
        data["removal"] = data["removal"] or ""
        return data


def _member_name(member: Membership) -> str:
    return member.user.get_username()


def _rule_initial(rule: ModerationRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "order": rule.order,
        "enabled": rule.enabled,
        "dry_run": rule.dry_run,
        "categories": rule.categories,
        "keywords": "\n".join(rule.keywords),
        "patterns": "\n".join(rule.patterns),
        "has_links": rule.has_links,
        "mentions_only": rule.mentions_only,
        "languages": ", ".join(rule.languages),
        "author_banned": rule.author_banned,
        "repeat_count": rule.repeat_count,
        "repeat_window_minutes": rule.repeat_window_minutes,
        "removal": rule.removal,
        "clause": rule.clause_id,
        "explain": rule.explain,
        "reply_template": rule.reply_template,
        "label": rule.label_id,
        "assign_to": Membership.objects.filter(workspace_id=rule.workspace_id, user_id=rule.assign_to_id).first()
        if rule.assign_to_id is not None
        else None,
        "mute": rule.mute,
        "block": rule.block,
        "ban": rule.ban,
        "ban_days": rule.ban_days,
        "escalate": rule.escalate,
    }


class BanForm(forms.Form):
    network = forms.ChoiceField(label=gettext_lazy("Network"))
    handle = forms.CharField(label=gettext_lazy("Handle"), max_length=300)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(label=gettext_lazy("For (days, empty: no end)"), min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network_field = cast(forms.ChoiceField, self.fields["network"])
        network_field.choices = [(network, network_name(network)) for network in PUBLIC_NETWORKS]


class AppealForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Received by"), choices=AppealChannel.choices)
    text = forms.CharField(label=gettext_lazy("What the person says"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (AppealStatus.UPHELD, AppealStatus.UPHELD.label),
            (AppealStatus.OVERTURNED, AppealStatus.OVERTURNED.label),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))


# --- the team's pages -----------------------------------------------------------------------------


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "web/refused.html", {"reason": refusal(Perm.MODERATE)}, status=403)


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def moderation_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The charter editor and the moderation policy."""
    workspace = membership.workspace
    charter = selectors.charter_for_workspace(workspace)
    policy = settings_for(workspace)
    charter_form = CharterForm(
        initial={
            "title": charter.title if charter else _("Community charter"),
            "slug": charter.slug if charter else "",
            "body": charter.draft_body if charter else "",
        }
    )
    settings_form = SettingsForm(
        initial={
            "hide_only": policy.hide_only,
            "explanation_mode": policy.explanation_mode,
            "explanation_template": policy.explanation_template,
            "charter_url": policy.charter_url,
        }
    )
    status = 200
    if request.method == "POST":
        try:
            if "publish" in request.POST or "save_charter" in request.POST:
                charter_form = CharterForm(request.POST)
                if charter_form.is_valid():
                    data = charter_form.cleaned_data
                    charter_draft_save(membership=membership, title=data["title"], body=data["body"], slug=data["slug"])
                    if "publish" in request.POST:
                        version = charter_publish(membership=membership)
                        messages.success(
                            request, _("Version %(number)s of the charter is published.") % {"number": version.number}
                        )
                    else:
                        messages.success(request, _("The draft is saved; the public charter has not changed."))
                    return redirect("web:moderation")
                status = 400
            elif "save_settings" in request.POST:
                settings_form = SettingsForm(request.POST)
                if settings_form.is_valid():
                    moderation_settings_update(membership=membership, **settings_form.cleaned_data)
                    messages.success(request, _("Moderation settings saved."))
                    return redirect("web:moderation")
                status = 400
        except PermissionDenied:
            return _refused(request)
        except ModerationError as error:
            messages.error(request, str(error))
            status = 400
    latest = selectors.version_latest(charter) if charter else None
    context = {
        "charter": charter,
        "latest": latest,
        "charter_form": charter_form,
        "settings_form": settings_form,
        "policy": policy,
        "month": selectors.current_month(workspace),
    }
    return render_page(request, "web/moderation/home.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def rule_list_view(request: HttpRequest, membership: Membership, pk: int | None = None) -> HttpResponse:
    """The rules, and the form of a new one (or of rule `pk`)."""
    workspace = membership.workspace
    rule = found(selectors.rule_get, workspace, pk) if pk is not None else None
    form = RuleForm(membership=membership, initial=_rule_initial(rule) if rule else None)
    status = 200
    if request.method == "POST":
        if "delete" in request.POST and rule is not None:
            try:
                rule_delete(membership=membership, rule=rule)
            except PermissionDenied:
                return _refused(request)
            messages.success(request, _("Rule deleted."))
            return redirect("web:moderation_rules")
        form = RuleForm(request.POST, membership=membership)
        if form.is_valid():
            try:
                saved = rule_save(membership=membership, rule=rule, **form.service_fields())
            except PermissionDenied:
                return _refused(request)
            except ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
                return redirect("web:moderation_rules")
        status = 400
    context = {"rules": list(selectors.rule_list(workspace)), "form": form, "rule": rule}
    return render_page(request, "web/moderation/rules.html", context, status=status)


def _decision_filters(request: HttpRequest) -> dict[str, Any]:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    return {
        "clause_code": request.GET.get("clause", "")[:20],
        "action": request.GET.get("action", "") if request.GET.get("action", "") in DecisionAction.values else "",
        "rule_id": number("rule"),
        "user_id": number("person"),
    }


def _csv_cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@require_GET
@member_view(Perm.VIEW_INBOX)
def decision_list_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The decisions log, filtered by clause, action, rule or person; `?format=csv` downloads it."""
    workspace = membership.workspace
    filters = _decision_filters(request)
    decisions = selectors.decision_list(workspace, **filters)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="parvis-moderation-decisions.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "at",
                "action",
                "asked",
                "outcome",
                "clause",
                "decided_by",
                "rule",
                "dry_run",
                "reverted",
                "network",
                "message_url",
                "reason",
                "note",
            ]
        )
        for decision in decisions[:MAX_CSV_ROWS]:
            writer.writerow(
                [
                    _csv_cell(cell)
                    for cell in (
                        timezone.localtime(decision.at).isoformat(),
                        decision.action,
                        decision.requested,
                        decision.outcome,
                        decision.clause.code if decision.clause else "",
                        decision.decided_by.get_username() if decision.decided_by else "",
                        decision.rule_name,
                        decision.dry_run,
                        decision.reverted,
                        decision.message.account.network,
                        decision.message.url,
                        decision.reason,
                        decision.note,
                    )
                ]
            )
        return response
    clauses = selectors.clauses_in_force(workspace)
    context = {
        "decisions": decisions[:200],
        "filters": filters,
        "clauses": clauses,
        "actions": DecisionAction.choices,
        "rules": list(ModerationRule.objects.filter(workspace=workspace).only("pk", "name")),
        "people": list(Membership.objects.filter(workspace=workspace).select_related("user")),
        "query": request.GET.urlencode(),
        "appeal_form": AppealForm(),
        "outcomes": dict(DecisionOutcome.choices),
    }
    return render_page(request, "web/moderation/decisions.html", context)


@require_POST
@member_view(Perm.MODERATE)
def appeal_new(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    decision = found(selectors.decision_get, membership.workspace, pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            appeal_record(membership=membership, decision=decision, **form.cleaned_data)
        except ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Appeal recorded."))
    else:
        messages.error(request, _("Say how the appeal came and what it says."))
    return redirect("web:moderation_appeals")


@require_GET
@member_view(Perm.VIEW_INBOX)
def appeal_list_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in AppealStatus.values else ""
    context = {
        "appeals": selectors.appeal_list(membership.workspace, status=status)[:200],
        "status": status,
        "statuses": AppealStatus.choices,
        "answer_form": AnswerForm(),
    }
    return render_page(request, "web/moderation/appeals.html", context)


@require_POST
@member_view(Perm.MODERATE)
def appeal_answer_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    appeal = found(selectors.appeal_get, membership.workspace, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            appeal_answer(membership=membership, appeal=appeal, **form.cleaned_data)
        except ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Appeal answered."))
    else:
        messages.error(request, _("Uphold or overturn, and write the answer."))
    return redirect("web:moderation_appeals")


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def ban_list_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BanForm()
    status = 200
    if request.method == "POST":
        form = BanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            until = timezone.now() + dt.timedelta(days=data["days"]) if data["days"] else None
            try:
                ban_add(
                    membership=membership,
                    network=data["network"],
                    handle=data["handle"],
                    reason=data["reason"],
                    until=until,
                )
            except PermissionDenied:
                return _refused(request)
            except ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Added to the ban list."))
                return redirect("web:moderation_bans")
        status = 400
    context = {"bans": list(selectors.ban_list(membership.workspace)[:500]), "form": form, "now": timezone.now()}
    return render_page(request, "web/moderation/bans.html", context, status=status)


@require_POST
@member_view(Perm.MODERATE)
def ban_remove_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    entry = found(selectors.ban_get, membership.workspace, pk)
    ban_remove(membership=membership, entry=entry)
    messages.success(request, _("Removed from the ban list."))
    return redirect("web:moderation_bans")


@require_GET
@member_view(Perm.VIEW_INBOX)
def transparency_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    month = _month(request.GET.get("month", "")) or selectors.current_month(workspace)
    summary = selectors.transparency_summary(workspace, month)
    labels = _labels(summary)
    chart = {
        "labels": [row["code"] or _("No clause") for row in summary.by_clause],
        "values": [row["count"] for row in summary.by_clause],
        "title": _("Decisions per clause"),
    }
    context = {
        "summary": summary,
        "chart": chart,
        "charter": selectors.charter_for_workspace(workspace),
        "month_value": month.strftime("%Y-%m"),
        **_month_links(month),
        **labels,
    }
    return render_page(request, "web/moderation/transparency.html", context)


# --- the inbox control ----------------------------------------------------------------------------


@require_POST
@member_view(Perm.VIEW_INBOX)
def message_hide(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Hide one message under a clause (HTMX from the inbox): answers with the message's moderation partial."""
    try:
        message = Message.objects.select_related("account", "author", "conversation", "workspace").get(
            pk=pk, workspace=membership.workspace
        )
    except Message.DoesNotExist as exc:
        raise Http404 from exc
    error = ""
    clause_id = request.POST.get("clause", "")
    clause = None
    if clause_id.isdigit():
        try:
            clause = selectors.clause_get(membership.workspace, int(clause_id))
        except CharterClause.DoesNotExist:
            clause = None
    try:
        message_moderate(
            membership=membership,
            message=message,
            action="hide",
            clause=clause,
            reason=request.POST.get("reason", "")[:500],
            explain=request.POST.get("explain") == "on",
        )
    except PermissionDenied:
        return _refused(request)
    except ModerationError as error_:
        error = str(error_)
    message.refresh_from_db(fields=["moderation_state"])
    status = 400 if error else 200
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "web/inbox/_moderation.html",
            {"msg": message, "conversation": message.conversation, "moderation_error": error},
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Hidden under the charter."))
    return redirect("web:conversation", message.conversation_id)


urlpatterns: list[URLPattern] = [
    # Public, no sign-in
    path("charter/<slug:slug>/", charter_public, name="moderation_charter"),
    path("charter/<slug:slug>/v/<int:number>/", charter_public, name="moderation_charter_version"),
    path("charter/<slug:slug>/transparency/<str:month>/", transparency_public, name="moderation_transparency_public"),
    # The team's pages
    path("moderation/", moderation_home, name="moderation"),
    path("moderation/rules/", rule_list_view, name="moderation_rules"),
    path("moderation/rules/<int:pk>/", rule_list_view, name="moderation_rule"),
    path("moderation/decisions/", decision_list_view, name="moderation_decisions"),
    path("moderation/decisions/<int:pk>/appeal/", appeal_new, name="moderation_appeal_new"),
    path("moderation/appeals/", appeal_list_view, name="moderation_appeals"),
    path("moderation/appeals/<int:pk>/answer/", appeal_answer_view, name="moderation_appeal_answer"),
    path("moderation/bans/", ban_list_view, name="moderation_bans"),
    path("moderation/bans/<int:pk>/remove/", ban_remove_view, name="moderation_ban_remove"),
    path("moderation/transparency/", transparency_view, name="moderation_transparency"),
    path("moderation/messages/<int:pk>/hide/", message_hide, name="moderation_message_hide"),
]
