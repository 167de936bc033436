"""What every page needs: the current workspace, the user's other workspaces, the navigation, the permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.core.permissions import Perm, role_has
from parvis.core.selectors import membership_list_for_user

# Sections of the main navigation; each holds pages: (url name, label, url names and prefixes of
# url names that belong to the page). The active section's pages show as a second row.
NAVIGATION = (
    (
        "inbox_section",
        pgettext_lazy("navigation", "Inbox"),
        (
            ("inbox", _("Conversations"), {"inbox", "conversation", "message"}),
            ("groups", _("Similar questions"), {"groups", "group"}),
            ("faq", _("FAQ"), {"faq"}),
            ("sla_report", _("Response times"), {"sla_report"}),
            ("sla_settings", _("Response-time commitments"), {"sla"}),
            ("triage", _("Triage"), {"triage"}),
            ("welcome", _("Welcome"), {"welcome"}),
            ("inbox_setup", _("Saved replies and rules"), {"inbox_setup", "inbox_saved_reply", "inbox_rule"}),
        ),
    ),
    (
        "publishing_section",
        pgettext_lazy("navigation", "Publishing"),
        (
            ("compose", _("Compose"), {"compose", "media"}),
            ("posts", _("Posts"), {"posts", "post"}),
            ("calendar", _("Calendar"), {"calendar", "queue"}),
            ("approvals", _("Approvals"), {"approvals", "approval", "review"}),
            ("events", _("Live events"), {"events", "event"}),
            ("curation", _("Curation"), {"curation"}),
            ("links", _("Links"), {"links"}),
        ),
    ),
    (
        "moderation_section",
        pgettext_lazy("navigation", "Moderation"),
        (
            ("moderation", _("Charter"), {"moderation"}),
            ("moderation_rules", _("Rules"), {"moderation_rules", "moderation_rule"}),
            ("moderation_decisions", _("Decisions"), {"moderation_decisions"}),
            ("moderation_appeals", _("Appeals"), {"moderation_appeals", "moderation_appeal"}),
            ("moderation_bans", _("Ban list"), {"moderation_bans", "moderation_ban"}),
            ("moderation_transparency", _("Transparency"), {"moderation_transparency"}),
            ("crisis", _("Crisis"), {"crisis"}),
        ),
    ),
    ("listening_section", pgettext_lazy("navigation", "Listening"), (("listening", _("Listening"), {"listening"}),)),
    (
        "strategy_section",
        pgettext_lazy("navigation", "Strategy"),
        (("strategy", _("Editorial charter"), {"strategy"}),),
    ),
    (
        "settings_section",
        pgettext_lazy("navigation", "Settings"),
        (
            ("accounts", _("Accounts"), {"accounts", "account"}),
            ("workspace", _("Workspace"), {"workspace", "voice"}),
            ("ledger", _("Ledger"), {"ledger", "action", "health"}),
        ),
    ),
)


def _match_length(url_name: str, names: set[str]) -> int:
    """How specifically `url_name` belongs to a page: the length of the longest name or prefix it matches."""
    return max(
        (len(name) for name in names if url_name == name or url_name.startswith(f"{name}_")),
        default=0,
    )


def _section(url_name: str) -> tuple[str, str]:
    """(section key, page url name) of the page `url_name` belongs to; empty strings when none.

    The most specific page wins: "moderation_rules" belongs to the rules page, "moderation_charter"
    to the charter page (which owns every other "moderation_..." name).
    """
    best = ("", "", 0)
    for key, _label, pages in NAVIGATION:
        for name, _page_label, names in pages:
            length = _match_length(url_name, names)
            if length > best[2]:
                best = (key, name, length)
    if best[2]:
        return best[0], best[1]
    # Onboarding pages of connectors (web:mastodon_connect, ...) belong to the accounts page.
    if url_name.endswith(("_connect", "_token", "_callback")):
        return "settings_section", "accounts"
    return "", ""


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
        current_section, current_page = (
            _section(match.url_name or "") if match is not None and match.namespace == "web" else ("", "")
        )
        nav = []
        subnav = []
        for key, label, pages in NAVIGATION:
            links = []
            for name, page_label, _names in pages:
                try:
                    url = reverse(f"web:{name}")
                except NoReverseMatch:  # a page this installation does not have
                    continue
                links.append({"name": name, "label": page_label, "url": url, "active": name == current_page})
            if not links:
                continue
            nav.append({"name": key, "label": label, "url": links[0]["url"], "active": key == current_section})
            if key == current_section and len(links) > 1:
                subnav = links
        context["subnav"] = subnav
        context["nav"] = nav
    return context
