"""What every page needs: the current workspace, the user's other workspaces, the navigation, the permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parvis.core.permissions import Perm, role_has
from parvis.core.selectors import membership_list_for_user

# (url name, label, url names, and prefixes of url names, that belong to the same section)
NAVIGATION = (
    ("inbox", _("Inbox"), {"inbox", "conversation", "message"}),
    ("compose", _("Compose"), {"compose"}),
    ("posts", _("Posts"), {"posts", "post"}),
    ("ledger", _("Ledger"), {"ledger", "action"}),
    ("listening", _("Listening"), {"listening"}),
    ("accounts", _("Accounts"), {"accounts", "account"}),
    ("workspace", _("Workspace"), {"workspace", "voice"}),
)


def _section(url_name: str) -> str:
    for name, _label, names in NAVIGATION:
        if url_name in names or any(url_name.startswith(f"{prefix}_") for prefix in names):
            return name
    # Onboarding pages of connectors (web:mastodon_connect, ...) belong to the accounts section.
    return "accounts" if url_name.endswith(("_connect", "_token", "_callback")) else ""


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "memberships": membership_list_for_user(user=user) if user is not None else [],
        "can": {perm.value: membership is not None and role_has(membership.role, perm) for perm in Perm},
        "nav": [],
    }
    if membership is not None:
        match = getattr(request, "resolver_match", None)
        current = _section(match.url_name or "") if match is not None and match.namespace == "web" else ""
        context["nav"] = [
            {"name": name, "label": label, "url": reverse(f"web:{name}"), "active": name == current}
            for name, label, _names in NAVIGATION
        ]
    return context
