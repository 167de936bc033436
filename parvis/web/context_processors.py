"""What every page needs: the current workspace, the user's other workspaces, the navigation, the permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from parvis.core.permissions import Perm, role_has
from parvis.core.selectors import membership_list_for_user

# (url name, label, url names, and prefixes of url names, that belong to the same section)
NAVIGATION = (
    ("inbox", _("Inbox"), {"inbox", "conversation", "message"}),
    ("compose", _("Compose"), {"compose", "media"}),
    ("posts", _("Posts"), {"posts", "post"}),
    ("calendar", _("Calendar"), {"calendar", "queue"}),
    ("approvals", _("Approvals"), {"approvals", "approval", "review"}),
    ("events", _("Live events"), {"events", "event"}),
    ("ledger", _("Ledger"), {"ledger", "action", "health"}),
    ("listening", _("Listening"), {"listening"}),
    ("curation", _("Curation"), {"curation"}),
    ("links", _("Links"), {"links"}),
    ("strategy", _("Editorial charter"), {"strategy"}),
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
        nav = []
        for name, label, _names in NAVIGATION:
            try:
                url = reverse(f"web:{name}")
            except NoReverseMatch:  # a section whose pages this installation does not have
                continue
            nav.append({"name": name, "label": label, "url": url, "active": name == current})
        context["nav"] = nav
    return context
