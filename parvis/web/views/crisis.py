"""The crisis room: open or close crisis mode, its settings, its log, the hourly negative count vs baseline."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.moderation.crisis import (
    crisis_close,
    crisis_hourly_counts,
    crisis_measure,
    crisis_note,
    crisis_open,
    crisis_settings_get,
    crisis_settings_update,
)
from parvis.moderation.models import Crisis, CrisisLogEntry
from parvis.networks.models import ConnectedAccount
from parvis.web.views.base import member_view, render_page


class CrisisSettingsForm(forms.Form):
    watch = forms.BooleanField(label=gettext_lazy("Watch for spikes of negative messages"), required=False)
    auto_open = forms.BooleanField(
        label=gettext_lazy("Open crisis mode automatically (otherwise: alert the team)"), required=False
    )
    baseline_days = forms.IntegerField(label=gettext_lazy("Baseline (days)"), min_value=1, max_value=60)
    sensitivity = forms.FloatField(
        label=gettext_lazy("Sensitivity (standard deviations above the usual level)"), min_value=0, max_value=20
    )
    min_count = forms.IntegerField(label=gettext_lazy("Never below (negative messages in an hour)"), min_value=1)
    pause_scheduled_posts = forms.BooleanField(
        label=gettext_lazy("Pause scheduled posts during a crisis"), required=False
    )
    team = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Crisis team"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast("forms.ModelMultipleChoiceField[Any]", self.fields["team"])
        team.queryset = (
            get_user_model().objects.filter(memberships__workspace=membership.workspace).order_by("username")
        )
        team.label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[method-assign,assignment]


def _settings_form(membership: Membership, data: Any = None) -> CrisisSettingsForm:
    settings = crisis_settings_get(membership.workspace)
    initial = {
        "watch": settings.watch,
        "auto_open": settings.auto_open,
        "baseline_days": settings.baseline_days,
        "sensitivity": settings.sensitivity,
        "min_count": settings.min_count,
        "pause_scheduled_posts": settings.pause_scheduled_posts,
        "team": list(settings.team.all()) if settings.pk else [],
    }
    return CrisisSettingsForm(data, initial=initial, membership=membership)


@require_GET
@member_view(Perm.VIEW_INBOX)
def crisis(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    now = timezone.now()
    settings = crisis_settings_get(workspace)
    crises = list(Crisis.objects.filter(workspace=workspace).select_related("account", "opened_by_user")[:20])
    current = next((item for item in crises if item.is_open), crises[0] if crises else None)
    log = (
        list(CrisisLogEntry.objects.filter(crisis=current).select_related("actor").order_by("-at", "-pk")[:200])
        if current is not None
        else []
    )
    overall = crisis_measure(workspace, settings, now)[0]
    hourly = crisis_hourly_counts(workspace, now=now, hours=48)
    chart = {
        "labels": [timezone.localtime(start).isoformat() for start, _count in hourly],
        "counts": [count for _start, count in hourly],
        "threshold": round(overall.threshold, 2),
        "mean": round(overall.mean, 2),
        "label": str(_("Negative messages per hour")),
        "threshold_label": str(_("Alert threshold")),
        "mean_label": str(_("Usual level (baseline mean)")),
    }
    context = {
        "settings": settings,
        "crises": crises,
        "open": [item for item in crises if item.is_open],
        "current": current,
        "log": log,
        "measure": overall,
        "chart": chart,
        "accounts": ConnectedAccount.objects.filter(workspace=workspace).order_by("network", "handle"),
        "settings_form": _settings_form(membership),
    }
    return render_page(request, "web/crisis/room.html", context)


@require_POST
@member_view(Perm.MODERATE)
def crisis_open_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    account = None
    if request.POST.get("account"):
        account = ConnectedAccount.objects.filter(workspace=membership.workspace, pk=request.POST["account"]).first()
        if account is None:
            raise Http404
    try:
        crisis_open(membership=membership, account=account, reason=request.POST.get("reason", ""), now=timezone.now())
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Crisis mode is open."))
    return redirect("web:crisis")


@require_POST
@member_view(Perm.MODERATE)
def crisis_close_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = Crisis.objects.filter(workspace=membership.workspace, pk=pk).first()
    if item is None:
        raise Http404
    try:
        crisis_close(
            membership=membership,
            crisis=item,
            now=timezone.now(),
            publish_overdue=request.POST.get("publish_overdue") == "on",
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Crisis closed; paused posts are back on schedule."))
    return redirect("web:crisis")


@require_POST
@member_view(Perm.REPLY)
def crisis_note_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = Crisis.objects.filter(workspace=membership.workspace, pk=pk).first()
    if item is None:
        raise Http404
    try:
        crisis_note(membership=membership, crisis=item, text=request.POST.get("text", ""), now=timezone.now())
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("web:crisis")


@require_POST
@member_view(Perm.MODERATE)
def crisis_settings_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = _settings_form(membership, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        team = data.pop("team")
        crisis_settings_update(membership=membership, changes=data, team=team)
        messages.success(request, _("Crisis settings saved."))
    else:
        messages.error(request, _("The crisis settings were not saved: check the values."))
    return redirect("web:crisis")


urlpatterns: list[URLPattern] = [
    path("crisis/", crisis, name="crisis"),
    path("crisis/open/", crisis_open_view, name="crisis_open"),
    path("crisis/<int:pk>/close/", crisis_close_view, name="crisis_close"),
    path("crisis/<int:pk>/note/", crisis_note_view, name="crisis_note"),
    path("crisis/settings/", crisis_settings_view, name="crisis_settings"),
]
