"""The publication ledger: every Action, its attempts, its result, and retrying what failed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.networks.models import ActionStatus
from parvis.networks.selectors import action_get, ledger_list
from parvis.networks.services import action_retry
from parvis.web.forms import LedgerFilterForm
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

TEMPLATE = "web/ledger.html"
IN_FLIGHT = {ActionStatus.PENDING, ActionStatus.PROCESSING}


@require_GET
@member_view(Perm.VIEW_LEDGER)
def ledger(request: HttpRequest, membership: Membership) -> HttpResponse:
    filters = LedgerFilterForm(request.GET, workspace=membership.workspace)
    actions = list(ledger_list(membership.workspace, **filters.selector_arguments()))
    context = {
        "filters": filters,
        "filter_query": filters.querystring(),
        "actions": actions,
        # Refresh while something is on its way; a quiet ledger is not polled.
        "in_flight": any(action.status in IN_FLIGHT for action in actions),
    }
    partial = "action_list" if htmx_target(request) is not None else None
    return render_page(request, TEMPLATE, context, partial=partial)


@require_POST
@member_view(Perm.VIEW_LEDGER)
def action_retry_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    action = found(action_get, membership.workspace, pk)
    try:
        action_retry(membership=membership, action=action)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except ValueError as exc:
        messages.error(request, _("This action cannot be retried: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The action is back in the queue."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("web:ledger")
