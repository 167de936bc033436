"""Onboarding pages: the Google app registration, the "Connect" button, and Google's callback.

Thin: parse the form, call one function of `onboarding.py`, render or redirect.
Connecting needs the MANAGE_ACCOUNTS permission; entering the app registration, MANAGE_WORKSPACE.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.networks import oauth2
from parvis.networks.connectors.youtube.forms import AppForm
from parvis.networks.connectors.youtube.onboarding import (
    NETWORK,
    redirect_uri,
    youtube_app,
    youtube_app_save,
    youtube_authorization_finish,
    youtube_authorization_start,
)
from parvis.networks.errors import ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

TEMPLATE = "youtube/connect.html"
SESSION_KEY = oauth2.session_key(NETWORK)
ACCOUNTS_PAGE = "web:accounts"


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    app_form: AppForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    app = youtube_app()
    context = {
        "app": app,
        "app_form": app_form or AppForm(initial={"client_id": app.client_id} if app else None),
        "can_edit_app": role_has(membership.role, Perm.MANAGE_WORKSPACE)
        and (app is None or app.source != "environment"),
        "callback_url": redirect_uri(),
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST starts the OAuth flow and sends the person to Google."""
    if request.method != "POST":
        return _page(request, membership)
    try:
        url, pending = youtube_authorization_start(membership=membership)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return _page(request, membership, error=error.message, status=400)
    request.session[SESSION_KEY] = pending.as_session()
    return redirect(url)


@require_POST
@manager_view
def app(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Save the app registration (owners only)."""
    if not role_has(membership.role, Perm.MANAGE_WORKSPACE):
        return render(request, "web/refused.html", {"reason": _("Only an owner can change the workspace.")}, status=403)
    form = AppForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, app_form=form, status=400)
    try:
        youtube_app_save(
            membership=membership,
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": _("Only an owner can change the workspace.")}, status=403)
    messages.success(request, _("The Google app is saved. You can now connect a YouTube channel."))
    return redirect("web:youtube_connect")


@require_GET
@manager_view
def callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Where Google sends the person back, with `code` and `state` (or `error`)."""
    pending = oauth2.PendingAuthorization.from_session(request.session.pop(SESSION_KEY, None), network=NETWORK)
    if pending is None:
        return _page(
            request,
            membership,
            error=_("This sign-in was not started here, or it took too long. Start again."),
            status=400,
        )
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
        return _page(
            request,
            membership,
            error=_("Google did not allow Parvis to use the channel (%(reason)s).") % {"reason": reason},
            status=400,
        )
    try:
        account = youtube_authorization_finish(membership=membership, pending=pending, params=request.GET)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return _page(request, membership, error=error.message, status=400)
    messages.success(
        request,
        _("%(handle)s is connected. Comments on its videos will arrive in the inbox.") % {"handle": account.handle},
    )
    return redirect(ACCOUNTS_PAGE)
