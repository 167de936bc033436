"""What every connector's onboarding pages share: who may use them, and the refusal page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm, role_has

ManagerView = Callable[..., HttpResponse]


def refused_reason() -> str:
    return _("Your role does not allow managing the connected accounts and voices.")


def manager_view(view: ManagerView) -> Callable[..., HttpResponse]:
    """Sign-in required, and the MANAGE_ACCOUNTS permission in the current workspace; passes the membership."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership: Membership | None = getattr(request, "membership", None)
        if membership is None:
            return render(request, "web/no_workspace.html", status=403)
        if not role_has(membership.role, Perm.MANAGE_ACCOUNTS):
            return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
        return view(request, membership, *args, **kwargs)

    return wrapper
