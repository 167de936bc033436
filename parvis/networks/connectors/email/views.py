"""Onboarding page: connect a mailbox with its IMAP and SMTP settings.

Thin: parse the form, call `onboarding.mailbox_connect`, render or redirect. Only members
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
from parvis.networks.connectors.email.forms import MailboxConnectForm
from parvis.networks.connectors.email.onboarding import mailbox_connect
from parvis.networks.errors import AuthExpired, ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

TEMPLATE = "email/connect.html"
ACCOUNTS_PAGE = "web:accounts"


def _page(request: HttpRequest, form: MailboxConnectForm | None = None, *, status: int = 200) -> HttpResponse:
    return render(request, TEMPLATE, {"form": form or MailboxConnectForm()}, status=status)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST checks the settings with both servers and connects the mailbox."""
    if request.method != "POST":
        return _page(request)
    form = MailboxConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        account = mailbox_connect(membership=membership, **form.cleaned_data)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        if isinstance(error, AuthExpired):
            form.add_error(None, _("The server refused the user name or password. Check them and try again."))
        else:
            form.add_error(None, error.message)
        return _page(request, form, status=400)
    messages.success(
        request,
        _("%(handle)s is connected. Mail it receives will arrive in the inbox.") % {"handle": account.handle},
    )
    return redirect(ACCOUNTS_PAGE)
