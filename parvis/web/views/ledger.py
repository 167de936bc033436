"""The publication ledger: every Action, its attempts, its result, and the decisions a person takes on it.

Decisions: "retry safely" (and "publish now" for a post held by the lateness cutoff) put the action
back in the queue, where the worker reads the post back from the network before sending it again
when the last attempt may have reached it; "reschedule" gives it a new time; "cancel" drops it.
Each is a POST answered by a redirect to the page it came from.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.networks.models import Action, ActionStatus, AttemptOutcome
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.networks.selectors import action_get, ledger_list
from parvis.networks.services import (
    POST_KINDS,
    UNCERTAIN_OUTCOMES,
    action_cancel,
    action_reschedule,
    action_retry,
    verification_missing,
)
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc
from parvis.web.forms import LedgerFilterForm
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

TEMPLATE = "web/ledger.html"
IN_FLIGHT = {ActionStatus.PENDING, ActionStatus.PROCESSING}


def describe_for_ledger(actions: list[Action]) -> list[Action]:
    """Add what the ledger shows about each action (reads the prefetched attempts only).

    - `held_late`: held by the lateness cutoff (publish now / reschedule);
    - `uncertain`: the last attempt may have reached the network (the retry reads back first);
    - `verification`: "verified", "pending", "missing" or "" (network without read-back, not a post).
    Also used by the post page, which shows the same controls for its deliveries.
    """
    reads_back: dict[str, bool] = {}
    for action in actions:
        network = action.account.network
        if network not in reads_back:
            try:
                reads_back[network] = get_connector(network).capabilities.read_back
            except (UnknownNetwork, ImportError):
                reads_back[network] = False
        attempts = list(action.attempt_log.all())
        last = attempts[-1] if attempts else None
        held = action.status == ActionStatus.HELD
        action.held_late = held and last is not None and last.outcome == AttemptOutcome.LATE  # type: ignore[attr-defined]
        action.uncertain = (  # type: ignore[attr-defined]
            action.kind in POST_KINDS
            and action.status in {ActionStatus.FAILED, ActionStatus.HELD}
            and any(attempt.outcome in UNCERTAIN_OUTCOMES for attempt in attempts)
        )
        verification = ""
        if action.status == ActionStatus.DONE and action.kind in POST_KINDS and reads_back[network]:
            if action.verified_at is not None:
                verification = "verified"
            elif verification_missing(action):
                verification = "missing"
            else:
                verification = "pending"
        action.verification = verification  # type: ignore[attr-defined]
        action.decidable = action.status in {ActionStatus.FAILED, ActionStatus.HELD}  # type: ignore[attr-defined]
    return actions


@require_GET
@member_view(Perm.VIEW_LEDGER)
def ledger(request: HttpRequest, membership: Membership) -> HttpResponse:
    filters = LedgerFilterForm(request.GET, workspace=membership.workspace)
    actions = describe_for_ledger(list(ledger_list(membership.workspace, **filters.selector_arguments())))
    context = {
        "filters": filters,
        "filter_query": filters.querystring(),
        "actions": actions,
        # Refresh while something is on its way; a quiet ledger is not polled.
        "in_flight": any(action.status in IN_FLIGHT for action in actions),
    }
    partial = "action_list" if htmx_target(request) is not None else None
    return render_page(request, TEMPLATE, context, partial=partial)


def _back(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("web:ledger")


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
    return _back(request)


def _local_time(value: str, membership: Membership) -> datetime:
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(_("Give a date and a time.")) from exc
    try:
        return local_to_utc(naive.replace(tzinfo=None), membership.workspace.zone)
    except InvalidLocalTime as exc:
        raise ValueError(_("This time does not exist in your time zone (the clocks change then).")) from exc


@require_POST
@member_view(Perm.VIEW_LEDGER)
def action_reschedule_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    action = found(action_get, membership.workspace, pk)
    try:
        due_at = _local_time(request.POST.get("due_at", ""), membership)
        action_reschedule(membership=membership, action=action, due_at=due_at)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except ValueError as exc:
        messages.error(request, _("This action cannot be rescheduled: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The action is rescheduled."))
    return _back(request)


@require_POST
@member_view(Perm.VIEW_LEDGER)
def action_cancel_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    action = found(action_get, membership.workspace, pk)
    try:
        action_cancel(membership=membership, action=action)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except ValueError as exc:
        messages.error(request, _("This action cannot be cancelled: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The action is cancelled."))
    return _back(request)


# `ledger` and `action_retry` are routed in web/urls.py; these are added through the health module's
# urlpatterns (web/urls.py appends that one).
urlpatterns: list[URLPattern] = [
    path("ledger/<int:pk>/reschedule/", action_reschedule_view, name="action_reschedule"),
    path("ledger/<int:pk>/cancel/", action_cancel_view, name="action_cancel"),
]
