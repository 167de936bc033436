"""Onboarding page: connect a Matrix account with an access token, or a user id and password.

Thin: parse the form, call `onboarding.token_connect` or `onboarding.password_connect`, render or
redirect. Only members allowed to manage the accounts of their workspace get here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.matrix.forms import MatrixConnectForm
from parvis.networks.connectors.matrix.onboarding import password_connect, token_connect
from parvis.networks.errors import AuthExpired, ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

TEMPLATE = "matrix/connect.html"
ACCOUNTS_PAGE = "web:accounts"


def _page(request: HttpRequest, form: MatrixConnectForm | None = None, *, status: int = 200) -> HttpResponse:
    return render(request, TEMPLATE, {"form": form or MatrixConnectForm()}, status=status)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST checks the token (or logs in) and connects the account."""
    if request.method != "POST":
        return _page(request)
    form = MatrixConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    settings = {"default_room": data["default_room"], "auto_join": data["auto_join"]}
    try:
        if data["access_token"]:
            account = token_connect(
                membership=membership, homeserver=data["homeserver"], access_token=data["access_token"], **settings
            )
        else:
            account = password_connect(
                membership=membership,
                homeserver=data["homeserver"],
                user=data["user"],
                password=data["password"],
                **settings,
            )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        if isinstance(error, AuthExpired) or getattr(error, "errcode", "") == "M_FORBIDDEN":
            form.add_error(None, _("The homeserver refused these credentials. Check them and try again."))
        else:
            form.add_error(None, error.message)
        return _page(request, form, status=400)
    messages.success(
        request,
        _("%(handle)s is connected. Its mentions, replies and private messages will arrive in the inbox.")
        % {"handle": account.handle},
    )
    return redirect(ACCOUNTS_PAGE)
