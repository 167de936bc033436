"""What each role may do. One table, read by services, views and the API alike."""

from __future__ import annotations

from enum import StrEnum

from parvis.core.models import Role


class Perm(StrEnum):
    MANAGE_WORKSPACE = "manage_workspace"
    MANAGE_TEAM = "manage_team"
    MANAGE_ACCOUNTS = "manage_accounts"
    PUBLISH = "publish"  # publish or schedule without approval
    DRAFT = "draft"  # write drafts
    REPLY = "reply"  # answer and triage the inbox
    MODERATE = "moderate"  # hide, delete, block; write the charter and the moderation rules
    VIEW_INBOX = "view_inbox"
    VIEW_LEDGER = "view_ledger"
    VIEW_ANALYTICS = "view_analytics"
    VIEW_AUDIT = "view_audit"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.MANAGER: frozenset(Perm) - {Perm.MANAGE_WORKSPACE},
    Role.COMMUNITY_MANAGER: frozenset(
        {
            Perm.MANAGE_ACCOUNTS,
            Perm.PUBLISH,
            Perm.DRAFT,
            Perm.REPLY,
            Perm.MODERATE,
            Perm.VIEW_INBOX,
            Perm.VIEW_LEDGER,
            Perm.VIEW_ANALYTICS,
        }
    ),
    Role.CONTRIBUTOR: frozenset({Perm.DRAFT, Perm.VIEW_INBOX, Perm.VIEW_LEDGER}),
    Role.ANALYST: frozenset({Perm.VIEW_INBOX, Perm.VIEW_LEDGER, Perm.VIEW_ANALYTICS, Perm.VIEW_AUDIT}),
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


class PermissionDenied(Exception):
    """Raised by services when the acting member's role lacks a permission."""

    def __init__(self, perm: Perm) -> None:
        super().__init__(f"Missing permission: {perm.value}")
        self.perm = perm
