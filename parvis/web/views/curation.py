"""Curation: what the followed feeds bring, relayed in one click; the own-versus-relayed counter."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.listening.models import FeedEntry
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.selectors import account_list
from parvis.publishing.models import PostStage, RelayKind
from parvis.publishing.selectors_curation import (
    SHOW_CHOICES,
    curation_entry_get,
    curation_list,
    relay_share,
)
from parvis.publishing.services.curation import (
    RELAY_ACTIONS,
    curation_dismiss,
    curation_relay,
    curation_restore,
    network_allows,
    relay_default_text,
    relay_kinds_for,
)
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc
from parvis.web.network_info import can_publish, network_name
from parvis.web.views.base import member_view, refusal, render_page

SHOW_LABELS = {
    "todo": gettext_lazy("To relay"),
    "relayed": gettext_lazy("Relayed"),
    "dismissed": gettext_lazy("Dismissed"),
    "all": gettext_lazy("All"),
}
RELAY_KIND_LABELS = {
    RelayKind.LINK: gettext_lazy("Link with a comment"),
    RelayKind.REPOST: gettext_lazy("Boost / repost"),
    RelayKind.QUOTE: gettext_lazy("Quote"),
}


class CurationFilterForm(forms.Form):
    show = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=list(SHOW_LABELS.items()))
    source = forms.TypedChoiceField(label=gettext_lazy("Source"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, sources: list[ConnectedAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            ("", gettext_lazy("All sources")),
            *[(source.pk, source.display_name or source.handle) for source in sources],
        ]

    def value(self, name: str, default: Any = None) -> Any:
        if self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


class RelayForm(forms.Form):
    relay_kind = forms.ChoiceField(choices=list(RELAY_KIND_LABELS.items()))
    accounts = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": gettext_lazy("Choose at least one account.")}
    )
    text = forms.CharField(required=False, max_length=10_000)
    publish_at = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


def _relay_accounts(membership: Membership, entry: FeedEntry) -> dict[str, list[ConnectedAccount]]:
    """The accounts each way of relaying this entry can use."""
    publishable = [account for account in account_list(membership.workspace) if can_publish(account)]
    by_kind: dict[str, list[ConnectedAccount]] = {}
    for kind in relay_kinds_for(entry):
        if kind == RelayKind.LINK:
            by_kind[kind] = publishable
        else:
            action: ActionKind = RELAY_ACTIONS[RelayKind(kind)]
            by_kind[kind] = [
                account
                for account in publishable
                if account.network == entry.source.network and network_allows(account.network, action)
            ]
    return by_kind


@require_GET
@member_view(Perm.VIEW_INBOX)
def curation(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    sources = list(ConnectedAccount.objects.filter(workspace=workspace, feed_entries__isnull=False).distinct())
    sources.sort(key=lambda source: (source.display_name or source.handle).casefold())
    filters = CurationFilterForm(request.GET or None, sources=sources)
    show = filters.value("show", "todo")
    if show not in SHOW_CHOICES:
        show = "todo"
    rows = curation_list(workspace, show=show, source_id=filters.value("source"))
    can_relay = role_has(membership.role, Perm.DRAFT)
    cards = []
    for row in rows:
        accounts_by_kind = _relay_accounts(membership, row.entry) if can_relay else {}
        cards.append(
            {
                "row": row,
                "kinds": [
                    (kind, RELAY_KIND_LABELS[RelayKind(kind)], accounts_by_kind[kind]) for kind in accounts_by_kind
                ],
                "default_text": relay_default_text(row.entry),
                "network_post": any(kind != RelayKind.LINK for kind in accounts_by_kind),
            }
        )
    shares = relay_share(workspace)
    context = {
        "filters": filters,
        "show": show,
        "show_labels": SHOW_LABELS,
        "cards": cards,
        "can_relay": can_relay,
        "overall": shares[0],
        "shares": [(share, network_name(share.network)) for share in shares[1:]],
        "query": request.GET.urlencode(),
    }
    return render_page(request, "web/curation.html", context)


def _entry_or_404(membership: Membership, pk: int) -> FeedEntry:
    try:
        return curation_entry_get(membership.workspace, pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _back(request: HttpRequest, entry: FeedEntry | None = None) -> HttpResponse:
    query = request.POST.get("query", "")
    url = reverse("web:curation") + (f"?{query}" if query and "\n" not in query else "")
    if entry is not None:
        url += f"#entry-{entry.pk}"
    return redirect(url)


@require_POST
@member_view(Perm.DRAFT)
def curation_relay_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    entry = _entry_or_404(membership, pk)
    form = RelayForm(request.POST)
    allowed = _relay_accounts(membership, entry)
    kind = request.POST.get("relay_kind", "")
    cast(forms.ChoiceField, form.fields["accounts"]).choices = [
        (account.pk, account.handle) for account in allowed.get(kind, [])
    ]
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors) or _("The relay could not be made."))
        return _back(request, entry)
    data = form.cleaned_data
    accounts = [account for account in allowed[data["relay_kind"]] if account.pk in set(data["accounts"])]
    scheduled_at: dt.datetime | None = None
    if data.get("publish_at"):
        try:
            scheduled_at = local_to_utc(data["publish_at"].replace(tzinfo=None), membership.workspace.zone)
        except InvalidLocalTime:
            messages.error(request, _("This time does not exist in the workspace's time zone (clock change)."))
            return _back(request, entry)
    try:
        post = curation_relay(
            membership=membership,
            entry=entry,
            relay_kind=data["relay_kind"],
            accounts=accounts,
            text=data.get("text") or "",
            scheduled_at=scheduled_at,
        )
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
        return _back(request, entry)
    except ValueError as exc:  # CurationError, CompositionError (network rules, editorial blockers)
        problems = getattr(exc, "problems", None) or [str(exc)]
        messages.error(request, " ".join(str(problem) for problem in problems))
        return _back(request, entry)
    messages.success(
        request,
        _("Relayed: the post is on its way.")
        if post.stage == PostStage.RELEASED
        else _("Relay saved: it waits for approval."),
    )
    return _back(request, entry)


@require_POST
@member_view(Perm.DRAFT)
def curation_dismiss_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    entry = _entry_or_404(membership, pk)
    if request.POST.get("restore"):
        curation_restore(membership=membership, entry=entry)
        messages.success(request, _("The entry is back on the list."))
    else:
        curation_dismiss(membership=membership, entry=entry)
        messages.success(request, _("Entry dismissed."))
    return _back(request)


urlpatterns: list[URLPattern] = [
    path("curation/", curation, name="curation"),
    path("curation/<int:pk>/relay/", curation_relay_view, name="curation_relay"),
    path("curation/<int:pk>/dismiss/", curation_dismiss_view, name="curation_dismiss"),
]
