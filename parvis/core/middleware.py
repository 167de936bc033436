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
            raw = request.session.get(SESSION_KEY)
            membership = membership_get(user=request.user, workspace_id=int(raw) if raw else None)
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)
