"""Onboarding pages for Instagram professional accounts: Facebook Login, then the Page whose account to connect.

Instagram API with Facebook Login: the same Meta app and callback as Facebook Pages
(`connectors/facebook/views.py`), with Instagram's scopes; an Instagram professional account
is reached through the Facebook Page it is linked to.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.facebook.forms import PickForm
from parvis.networks.connectors.facebook.onboarding import CHOICES_SESSION_KEY, instagram_accounts_connect
from parvis.networks.connectors.facebook.views import (
    ACCOUNTS_PAGE,
    connect_page,
    pending_choices,
    start,
    too_late,
)
from parvis.networks.errors import ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method != "POST":
        return connect_page(request, membership, target="instagram")
    return start(request, membership, target="instagram")


@require_http_methods(["GET", "POST"])
@manager_view
def pick(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Choose the Instagram accounts (through their Pages) to connect; Pages without one are explained."""
    choices = pending_choices(request, target="instagram")
    if choices is None:
        return too_late(request, membership, target="instagram")
    options = [(page.id, f"@{page.instagram_username}") for page in choices.with_instagram]
    form = PickForm(request.POST if request.method == "POST" else None, choices=options)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            accounts = instagram_accounts_connect(
                membership=membership, choices=choices, page_ids=form.cleaned_data["pages"]
            )
        except PermissionDenied:
            return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
        except ConnectorError as exc:
            error = exc.message
        else:
            request.session.pop(CHOICES_SESSION_KEY, None)
            names = ", ".join(account.handle for account in accounts)
            messages.success(
                request,
                ngettext(
                    "%(names)s is connected. Comments on its posts will arrive in the inbox.",
                    "%(names)s are connected. Comments on their posts will arrive in the inbox.",
                    len(accounts),
                )
                % {"names": names},
            )
            return redirect(ACCOUNTS_PAGE)
    status = 400 if request.method == "POST" else 200
    if not choices.with_instagram and not error:
        error = _("None of the Pages you chose has an Instagram professional account linked to it.")
    context = {"form": form, "choices": choices, "error": error}
    return render(request, "instagram/pick.html", context, status=status)
