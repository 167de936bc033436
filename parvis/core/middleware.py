"""Resolve the current workspace from the signed-in user's memberships, never from the request alone."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parvis.core.selectors import membership_get

SESSION_KEY = "parvis_workspace_id"


class CurrentWorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            membership = membership_get(user=request.user, workspace_id=_session_workspace_id(request))
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)


def _session_workspace_id(request: HttpRequest) -> int | None:
    """The workspace the session last chose; only a hint, checked against the user's memberships."""
    raw = request.session.get(SESSION_KEY)
    try:
        return int(raw) if raw else None
    except (TypeError, ValueError):
        return None
