"""Short links: the public redirect (/l/<code>), the click statistics and their CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm
from parvis.publishing.models import Campaign, ShortLink
from parvis.publishing.services.links import (
    LinkFilter,
    click_rows,
    clicks_per_campaign,
    clicks_per_day,
    clicks_per_network,
    clicks_per_post,
    is_bot,
    link_click_record,
    short_link_get,
    short_link_list,
    short_link_url,
)
from parvis.web.network_info import network_name
from parvis.web.views.base import member_view, render_page

PERIODS = (7, 30, 90, 365)
# Browsers that load a page ahead of a click say so; such loads are not clicks.
PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def _is_prefetch(request: HttpRequest) -> bool:
    return any("prefetch" in request.META.get(header, "").lower() for header in PREFETCH_HEADERS)


@never_cache
@require_http_methods(["GET", "HEAD"])
def short_link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """Send the visitor to the link's stored destination; count real clicks only.

    No sign-in. The destination is only ever the stored `target_url` of an existing code (never
    a URL from the request). HEAD requests, link-preview fetchers, crawlers and prefetches are
    redirected but not counted: the networks fetch every link they show to draw its card.
    """
    link = short_link_get(code)
    if link is None:
        return render(request, "web/links_not_found.html", status=404)
    response = HttpResponseRedirect(link.target_url)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    if request.method == "GET" and not is_bot(request.headers.get("User-Agent", "")) and not _is_prefetch(request):
        link_click_record(link=link)
    return response


class LinkFilterForm(forms.Form):
    """The statistics' filters; invalid input falls back to the defaults."""

    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        initial=30,
        choices=[
            (7, _("7 days")),
            (30, _("30 days")),
            (90, _("90 days")),
            (365, _("12 months")),
        ],
    )
    network = forms.ChoiceField(label=_("Network"), required=False)
    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks = (
            ShortLink.objects.filter(workspace=workspace)
            .exclude(network="")
            .values_list("network", flat=True)
            .distinct()
            .order_by("network")
        )
        cast(forms.ChoiceField, self.fields["network"]).choices = [
            ("", _("All networks")),
            *[(net, network_name(net)) for net in networks],
        ]
        campaigns = Campaign.objects.filter(workspace=workspace).order_by("name").values_list("pk", "name")
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("All campaigns")),
            *[(pk, name) for pk, name in campaigns],
        ]

    def link_filter(self) -> LinkFilter:
        data = self.cleaned_data if self.is_valid() else {}
        days = data.get("days") or 30
        today = timezone.localdate()
        return LinkFilter(
            start=today - dt.timedelta(days=days - 1),
            end=today,
            network=data.get("network") or "",
            campaign_id=data.get("campaign") or None,
        )


@require_GET
@member_view(Perm.VIEW_ANALYTICS)
def links(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    form = LinkFilterForm(request.GET or None, workspace=workspace)
    flt = form.link_filter()
    per_day = clicks_per_day(workspace, flt)
    chart = {
        "labels": [day.isoformat() for day, _count in per_day],
        "counts": [count for _day, count in per_day],
        "label": str(_("Clicks")),
    }
    context = {
        "form": form,
        "period": flt,
        "total": sum(count for _day, count in per_day),
        "chart": chart,
        "per_day": per_day,
        "per_network": [
            (network, network_name(network), count) for network, count in clicks_per_network(workspace, flt)
        ],
        "per_post": clicks_per_post(workspace, flt),
        "per_campaign": clicks_per_campaign(workspace, flt),
        "short_links": [(link, short_link_url(link.code)) for link in short_link_list(workspace, flt)],
        "query": request.GET.urlencode(),
    }
    return render_page(request, "web/links.html", context)


@require_GET
@member_view(Perm.VIEW_ANALYTICS)
def links_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The clicks of the period, one line per link and day (same filters as the page)."""
    form = LinkFilterForm(request.GET or None, workspace=membership.workspace)
    flt = form.link_filter()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"parvis-clicks-{flt.start.isoformat()}-{flt.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in click_rows(membership.workspace, flt):
        writer.writerow([_neutralised(cell) for cell in row])
    return response


def _neutralised(cell: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: prefix them with a quote."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


urlpatterns: list[URLPattern] = [
    path("l/<str:code>", short_link_redirect, name="short_link"),
    path("links/", links, name="links"),
    path("links/export.csv", links_export, name="links_export"),
]
