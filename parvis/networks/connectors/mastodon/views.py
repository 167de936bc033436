"""Onboarding pages: connect a Mastodon account with OAuth or with a pasted access token.

Thin: parse the form, call one function of `onboarding.py`, render or redirect.
Only members allowed to manage the accounts of their workspace get here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.mastodon.forms import OAuthConnectForm, TokenConnectForm
from parvis.networks.connectors.mastodon.onboarding import (
    PendingAuthorization,
    oauth_authorization_finish,
    oauth_authorization_start,
    token_connect,
)
from parvis.networks.errors import ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

TEMPLATE = "mastodon/connect.html"
SESSION_KEY = "parvis_mastodon_oauth"
ACCOUNTS_PAGE = "web:accounts"


def _page(
    request: HttpRequest,
    *,
    oauth_form: OAuthConnectForm | None = None,
    token_form: TokenConnectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "oauth_form": oauth_form or OAuthConnectForm(),
        "token_form": token_form or TokenConnectForm(),
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


def _connected(request: HttpRequest, handle: str) -> HttpResponse:
    messages.success(
        request, _("%(handle)s is connected. Its notifications will arrive in the inbox.") % {"handle": handle}
    )
    return redirect(ACCOUNTS_PAGE)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST starts the OAuth flow and sends the person to their instance."""
    if request.method != "POST":
        return _page(request)
    form = OAuthConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, oauth_form=form, status=400)
    try:
        url, pending = oauth_authorization_start(membership=membership, instance_url=form.cleaned_data["instance_url"])
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        form.add_error("instance_url", error.message)
        return _page(request, oauth_form=form, status=400)
    request.session[SESSION_KEY] = pending.as_session()
    return redirect(url)


@require_GET
@manager_view
def callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Where the instance sends the person back, with `code` and `state` (or `error`)."""
    pending = PendingAuthorization.from_session(request.session.pop(SESSION_KEY, None))
    if pending is None:
        return _page(
            request, error=_("This sign-in was not started here, or it took too long. Start again."), status=400
        )
    initial = OAuthConnectForm(initial={"instance_url": pending.instance_url})
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
        return _page(
            request,
            oauth_form=initial,
            error=_("Mastodon did not allow Parvis to use the account (%(reason)s).") % {"reason": reason},
            status=400,
        )
    try:
        account = oauth_authorization_finish(
            membership=membership,
            pending=pending,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return _page(request, oauth_form=initial, error=error.message, status=400)
    return _connected(request, account.handle)


@require_http_methods(["GET", "POST"])
@manager_view
def token(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Connect with an access token made in the instance's settings (servers without https included)."""
    if request.method != "POST":
        return _page(request)
    form = TokenConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    try:
        account = token_connect(
            membership=membership,
            instance_url=form.cleaned_data["instance_url"],
            access_token=form.cleaned_data["access_token"],
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        form.add_error(None, error.message)
        return _page(request, token_form=form, status=400)
    return _connected(request, account.handle)
