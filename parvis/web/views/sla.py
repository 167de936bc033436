"""SLA pages: the policies (presets in one click, business hours, holidays, per-account policy) and the
response-time report with its CSV export."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox.models import SlaAssignment, SlaPolicy, SlaPreset
from parvis.inbox.sla import (
    SlaPolicyError,
    sla_account_assign,
    sla_policy_create,
    sla_policy_delete,
    sla_policy_update,
)
from parvis.inbox.sla_selectors import sla_policy_list, sla_report, sla_report_csv
from parvis.networks.models import ConnectedAccount
from parvis.web.network_info import network_name
from parvis.web.templatetags.sla import duration_text
from parvis.web.views.base import member_view, refusal, render_page

DAY_NAMES = (
    pgettext_lazy("weekday", "Monday"),
    pgettext_lazy("weekday", "Tuesday"),
    pgettext_lazy("weekday", "Wednesday"),
    pgettext_lazy("weekday", "Thursday"),
    pgettext_lazy("weekday", "Friday"),
    pgettext_lazy("weekday", "Saturday"),
    pgettext_lazy("weekday", "Sunday"),
)
HOLIDAY_CHOICES = [
    ("", gettext_lazy("No public holidays")),
    ("FR", gettext_lazy("France")),
    ("FR-57", gettext_lazy("France, Moselle (Alsace-Moselle holidays)")),
    ("FR-67", gettext_lazy("France, Bas-Rhin (Alsace-Moselle holidays)")),
    ("FR-68", gettext_lazy("France, Haut-Rhin (Alsace-Moselle holidays)")),
]
_INTERVAL = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-\u2013]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def _parse_day(text: str) -> list[list[str]]:
    """ "09:00-12:00, 14:00-18:00" → [["09:00", "12:00"], ["14:00", "18:00"]]; empty: closed."""
    intervals: list[list[str]] = []
    for part in filter(None, (chunk.strip() for chunk in re.split(r"[,;]", text))):
        match = _INTERVAL.match(part)
        if match is None:
            raise forms.ValidationError(_("Write intervals as 09:00-12:00, 14:00-18:00."))
        h1, m1, h2, m2 = match.groups()
        start, end = (int(h1), int(m1 or 0)), (int(h2), int(m2 or 0))
        if start[0] > 23 or end > (24, 0) or start[1] > 59 or end[1] > 59:
            raise forms.ValidationError(_("%(value)s is not a time of day.") % {"value": part})
        intervals.append([f"{start[0]:02d}:{start[1]:02d}", f"{end[0]:02d}:{end[1]:02d}"])
    return intervals


def _day_text(day: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in day)


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    first_response_minutes = forms.IntegerField(
        label=gettext_lazy("First answer within (minutes of business time)"),
        min_value=1,
        help_text=gettext_lazy("60 = 1 h, 1440 = 24 h."),
    )
    resolution_minutes = forms.IntegerField(
        label=gettext_lazy("Resolved within (minutes of business time)"), min_value=1
    )
    always_open = forms.BooleanField(label=gettext_lazy("24/7 (business hours and holidays ignored)"), required=False)
    timezone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    holidays = forms.ChoiceField(
        label=gettext_lazy("Closed on the public holidays of"), choices=HOLIDAY_CHOICES, required=False
    )
    closed_dates = forms.CharField(
        label=gettext_lazy("Other closed dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One date a line (2026-05-15), for a bridge day or a closure."),
    )
    warning_percent = forms.IntegerField(
        label=gettext_lazy("Warn when this share of the time is used (%)"), min_value=0, max_value=100
    )
    is_default = forms.BooleanField(label=gettext_lazy("Default policy of the workspace"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, name in enumerate(DAY_NAMES):
            self.fields[f"day_{index}"] = forms.CharField(label=name, required=False, max_length=200)

    @classmethod
    def for_policy(cls, policy: SlaPolicy) -> PolicyForm:
        holidays = policy.holiday_country
        if holidays and policy.holiday_subdivision:
            holidays = f"{holidays}-{policy.holiday_subdivision}"
        initial: dict[str, Any] = {
            "name": policy.name,
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "always_open": policy.always_open,
            "timezone": policy.timezone or policy.workspace.timezone,
            "holidays": holidays,
            "closed_dates": "\n".join(policy.closed_dates or []),
            "warning_percent": policy.warning_percent,
            "is_default": policy.is_default,
        }
        days = list(policy.weekly_hours or []) + [[]] * 7
        for index in range(7):
            initial[f"day_{index}"] = _day_text(days[index])
        return cls(initial=initial)

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{index}"] for index in range(7)]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        week = []
        for index in range(7):
            try:
                week.append(_parse_day(data.get(f"day_{index}", "")))
            except forms.ValidationError as error:
                self.add_error(f"day_{index}", error)
        dates = []
        for line in (data.get("closed_dates") or "").split():
            try:
                dates.append(dt.date.fromisoformat(line.strip()))
            except ValueError:
                self.add_error("closed_dates", _("%(value)s is not a date (2026-05-15).") % {"value": line})
        if self.errors:
            raise forms.ValidationError("invalid")
        country, _sep, subdivision = (data.get("holidays") or "").partition("-")
        return {
            "name": data["name"],
            "first_response_minutes": data["first_response_minutes"],
            "resolution_minutes": data["resolution_minutes"],
            "always_open": data["always_open"],
            "timezone": data["timezone"].strip(),
            "holiday_country": country,
            "holiday_subdivision": subdivision,
            "closed_dates": dates,
            "warning_percent": data["warning_percent"],
            "is_default": data["is_default"],
            "weekly_hours": week,
        }


def _policy_get(membership: Membership, pk: int) -> SlaPolicy:
    from django.http import Http404

    policy = SlaPolicy.objects.filter(workspace=membership.workspace, pk=pk).select_related("workspace").first()
    if policy is None:
        raise Http404
    return policy


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def sla_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The policies and which account follows which; POST creates a policy from a preset."""
    workspace = membership.workspace
    if request.method == "POST":
        try:
            policy = sla_policy_create(membership=membership, preset=request.POST.get("preset", ""))
        except PermissionDenied as denied:
            messages.error(request, refusal(denied.perm))
            return redirect("web:sla_settings")
        except SlaPolicyError as error:
            messages.error(request, str(error))
            return redirect("web:sla_settings")
        messages.success(request, _("Policy “%(name)s” created: adjust it below if needed.") % {"name": policy.name})
        return redirect("web:sla_policy", pk=policy.pk)
    policies = sla_policy_list(workspace)
    assigned = dict(SlaAssignment.objects.filter(policy__workspace=workspace).values_list("account_id", "policy_id"))
    accounts = [
        (account, assigned.get(account.pk))
        for account in ConnectedAccount.objects.filter(workspace=workspace).order_by("network", "handle")
    ]
    context = {
        "policies": [
            (
                policy,
                duration_text(dt.timedelta(minutes=policy.first_response_minutes)),
                duration_text(dt.timedelta(minutes=policy.resolution_minutes)),
            )
            for policy in policies
        ],
        "default": next((policy for policy in policies if policy.is_default), None),
        "accounts": accounts,
        "presets": [(SlaPreset.BTOB, SlaPreset.BTOB.label), (SlaPreset.BTOC, SlaPreset.BTOC.label)],
    }
    return render_page(request, "web/sla/settings.html", context)


@require_http_methods(["GET", "POST"])
@member_view(Perm.MANAGE_TEAM)
def sla_policy(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    policy = _policy_get(membership, pk)
    form = PolicyForm(request.POST) if request.method == "POST" else PolicyForm.for_policy(policy)
    if request.method == "POST" and form.is_valid():
        try:
            sla_policy_update(membership=membership, policy=policy, changes=form.changes())
        except forms.ValidationError:
            pass
        except SlaPolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Policy saved. Running timers keep their deadlines; new ones follow it."))
            return redirect("web:sla_settings")
    status = 400 if request.method == "POST" else 200
    return render_page(request, "web/sla/policy.html", {"policy": policy, "form": form}, status=status)


@require_POST
@member_view(Perm.MANAGE_TEAM)
def sla_policy_delete_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    policy = _policy_get(membership, pk)
    sla_policy_delete(membership=membership, policy=policy)
    messages.success(request, _("Policy deleted."))
    return redirect("web:sla_settings")


@require_POST
@member_view(Perm.MANAGE_TEAM)
def sla_assign(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Give each listed account its own policy ("" = the workspace default)."""
    workspace = membership.workspace
    policies = {str(policy.pk): policy for policy in SlaPolicy.objects.filter(workspace=workspace)}
    for account in ConnectedAccount.objects.filter(workspace=workspace):
        key = f"account_{account.pk}"
        if key in request.POST:
            sla_account_assign(membership=membership, account=account, policy=policies.get(request.POST[key]))
    messages.success(request, _("Account policies saved."))
    return redirect("web:sla_settings")


class ReportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=29)
        if start > end:
            start, end = end, start
        return start, min(end, start + dt.timedelta(days=366))


def _report(request: HttpRequest, membership: Membership) -> tuple[ReportForm, Any]:
    form = ReportForm(request.GET or None)
    start, end = form.period()
    report = sla_report(membership.workspace, start=start, end=end, now=timezone.now(), network_name=network_name)
    return form, report


@require_GET
@member_view(Perm.VIEW_ANALYTICS)
def sla_report_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    form, report = _report(request, membership)
    chart = {
        "labels": [day.isoformat() for day, *_counts in report.per_day],
        "series": [
            {
                "label": str(_("Answered within the SLA")),
                "data": [row[1] for row in report.per_day],
                "color": "--success",
            },
            {"label": str(_("Breached")), "data": [row[2] for row in report.per_day], "color": "--danger"},
            {"label": str(_("Waiting, not due yet")), "data": [row[3] for row in report.per_day], "color": "--warning"},
        ],
    }
    context = {
        "form": form,
        "report": report,
        "chart": chart,
        "sections": [
            (_("Per account"), report.per_account),
            (_("Per network"), report.per_network),
            (_("Per person (who sent the first answer)"), report.per_person),
        ],
        "query": request.GET.urlencode(),
    }
    return render_page(request, "web/sla/report.html", context)


@require_GET
@member_view(Perm.VIEW_ANALYTICS)
def sla_report_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    _form, report = _report(request, membership)
    response = HttpResponse(sla_report_csv(report, now=timezone.now()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="response-times-{report.start.isoformat()}-{report.end.isoformat()}.csv"'
    )
    return response


urlpatterns: list[URLPattern] = [
    path("sla/", sla_settings, name="sla_settings"),
    path("sla/policies/<int:pk>/", sla_policy, name="sla_policy"),
    path("sla/policies/<int:pk>/delete/", sla_policy_delete_view, name="sla_policy_delete"),
    path("sla/accounts/", sla_assign, name="sla_assign"),
    path("sla/report/", sla_report_view, name="sla_report"),
    path("sla/report.csv", sla_report_export, name="sla_report_export"),
]

__all__ = ["urlpatterns"]
