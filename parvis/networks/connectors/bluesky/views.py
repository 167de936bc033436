"""Onboarding page: connect a Bluesky account with its handle and an app password.

Thin: parse the form, call `onboarding.password_connect`, render or redirect. Only members
allowed to manage the accounts of their workspace get here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.bluesky.forms import PasswordConnectForm
from parvis.networks.connectors.bluesky.onboarding import password_connect
from parvis.networks.errors import AuthExpired, ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

TEMPLATE = "bluesky/connect.html"
ACCOUNTS_PAGE = "web:accounts"


def _page(request: HttpRequest, form: PasswordConnectForm | None = None, *, status: int = 200) -> HttpResponse:
    return render(request, TEMPLATE, {"form": form or PasswordConnectForm()}, status=status)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST signs in with the app password and connects the account."""
    if request.method != "POST":
        return _page(request)
    form = PasswordConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        account = password_connect(
            membership=membership,
            service_url=form.cleaned_data["service_url"],
            identifier=form.cleaned_data["identifier"],
            app_password=form.cleaned_data["app_password"],
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        form.add_error(None, error.message)
        if isinstance(error, AuthExpired) and not form.looks_like_app_password():
            form.add_error(
                "app_password",
                _("This does not look like an app password. Create one in Bluesky and paste it here."),
            )
        return _page(request, form, status=400)
    messages.success(
        request,
        _("%(handle)s is connected. Its mentions, replies and new followers will arrive in the inbox.")
        % {"handle": account.handle},
    )
    return redirect(ACCOUNTS_PAGE)
