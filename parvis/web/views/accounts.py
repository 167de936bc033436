"""Connected accounts: their health, adding a feed, polling now, disconnecting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.core.services import require
from parvis.networks.errors import ConnectorError
from parvis.networks.registry import UnknownNetwork
from parvis.networks.selectors import account_get, account_list
from parvis.networks.services import account_connect, account_disconnect
from parvis.networks.tasks import poll_account
from parvis.web.forms import FeedForm
from parvis.web.views.base import found, member_view, refusal, render_page

TEMPLATE = "web/accounts.html"
# The network behind the "add a feed" form (the connector is registered under this name).
FEED_NETWORK = "rss"


def _page(request: HttpRequest, membership: Membership, *, feed_form: FeedForm, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {"accounts": account_list(membership.workspace), "feed_form": feed_form}
    return render_page(request, TEMPLATE, context, status=status)


@require_GET
@member_view(Perm.VIEW_INBOX)
def accounts(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership, feed_form=FeedForm())


@require_http_methods(["POST"])
@member_view(Perm.VIEW_INBOX)
def account_feed_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = FeedForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, feed_form=form, status=400)
    try:
        account = account_connect(
            membership=membership, network=FEED_NETWORK, instance_url=form.cleaned_data["url"], credentials={}
        )
    except PermissionDenied as exc:
        form.add_error(None, refusal(exc.perm))
        return _page(request, membership, feed_form=form, status=403)
    except ConnectorError as exc:
        form.add_error("url", exc.message)
        return _page(request, membership, feed_form=form, status=400)
    except (UnknownNetwork, ImportError):
        form.add_error(None, _("Feeds cannot be followed on this installation yet."))
        return _page(request, membership, feed_form=form, status=400)
    messages.success(
        request, _("The feed %(name)s is now followed.") % {"name": account.display_name or account.handle}
    )
    return redirect("web:accounts")


@require_POST
@member_view(Perm.VIEW_INBOX)
def account_poll(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    account = found(account_get, membership.workspace, pk)
    try:
        require(membership, Perm.MANAGE_ACCOUNTS)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
        return redirect("web:accounts")
    poll_account.enqueue(account.pk)
    messages.success(
        request,
        _("%(handle)s will be checked in a moment; what is new goes to the inbox.") % {"handle": account.handle},
    )
    return redirect("web:accounts")


@require_POST
@member_view(Perm.VIEW_INBOX)
def account_disconnect_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    account = found(account_get, membership.workspace, pk)
    try:
        account_disconnect(membership=membership, account=account)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    else:
        messages.success(request, _("%(handle)s is disconnected.") % {"handle": account.handle})
    return redirect("web:accounts")
