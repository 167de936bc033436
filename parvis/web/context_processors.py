from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parvis.core.selectors import membership_list_for_user


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        "memberships": membership_list_for_user(user=user) if user is not None else [],
    }
