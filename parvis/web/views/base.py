"""What every page view shares: who is acting, in which workspace and time zone, and how HTMX is answered."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm, role_has

P = ParamSpec("P")
MemberView = Callable[Concatenate[HttpRequest, Membership, P], HttpResponse]

REFUSALS = {
    Perm.PUBLISH: _(
        "Your role does not allow publishing. A community manager or a manager of this workspace can publish it."
    ),
    Perm.REPLY: _("Your role does not allow answering or sorting the inbox."),
    Perm.MANAGE_ACCOUNTS: _("Your role does not allow managing the connected accounts and voices."),
    Perm.DRAFT: _("Your role does not allow writing posts."),
    Perm.MANAGE_TEAM: _("Your role does not allow managing the team."),
    Perm.MANAGE_WORKSPACE: _("Only an owner can change the workspace."),
}


def refusal(perm: Perm) -> str:
    return str(REFUSALS.get(perm, _("Your role does not allow this action.")))


def member_view(perm: Perm | None = None) -> Callable[[MemberView[P]], Callable[..., HttpResponse]]:
    """Sign-in required; the view receives the caller's membership and runs in the workspace's time zone.

    The workspace comes only from request.membership (set by CurrentWorkspaceMiddleware from the
    user's own memberships), never from an id in the request.
    """

    def decorator(view: MemberView[P]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                return render(request, "web/no_workspace.html", status=403)
            if perm is not None and not role_has(membership.role, perm):
                return render(request, "web/refused.html", {"reason": refusal(perm)}, status=403)
            with timezone.override(membership.workspace.zone):
                return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def found(selector: Callable[..., Any], *args: Any) -> Any:
    """Call a `<entity>_get` selector; a row of another workspace (or none) is a 404, never a 403."""
    try:
        return selector(*args)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element an HTMX request will swap, or None for a full page (history restores included)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    return htmx.target or ""


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or one named partial of the same template for an HTMX swap."""
    response = render(request, f"{template}#{partial}" if partial else template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
