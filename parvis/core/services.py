"""Writes for workspaces, memberships, voices, the audit log and API tokens."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parvis.core.models import ApiToken, AuditEntry, Membership, Notification, Role, Voice, VoiceKind, Workspace
from parvis.core.permissions import Perm, PermissionDenied, role_has

logger = logging.getLogger(__name__)

UserLike = User | AnonymousUser


def audit_record(
    *,
    workspace: Workspace,
    actor: UserLike | None,
    verb: str,
    target: Any,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the workspace's audit log (call inside the writing transaction)."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        verb=verb,
        target_type=type(target).__name__ if not isinstance(target, str) else target,
        target_id=str(getattr(target, "pk", "") or ""),
        summary=summary[:2000],
        data=data or {},
    )


def require(membership: Membership, perm: Perm) -> None:
    if not role_has(membership.role, perm):
        raise PermissionDenied(perm)


@transaction.atomic
def workspace_create(*, name: str, owner: User, timezone_name: str = "Europe/Paris") -> Workspace:
    """Create a workspace, make `owner` its owner and give it an organisation voice."""
    base = slugify(name)[:60] or "workspace"
    slug = base
    suffix = 1
    while Workspace.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    workspace = Workspace(name=name, slug=slug, timezone=timezone_name)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    Voice.objects.create(workspace=workspace, name=name, kind=VoiceKind.ORGANISATION)
    audit_record(workspace=workspace, actor=owner, verb="workspace.create", target=workspace, summary=name)
    return workspace


@transaction.atomic
def membership_add(*, workspace: Workspace, user: User, role: str, actor: Membership | None) -> Membership:
    """Add `user` to the workspace with `role`, or change their role. `actor=None` is the system (setup, demo).

    Only an owner may make someone an owner or change an owner's role (a manager could otherwise
    promote themselves), and the workspace always keeps at least one owner.
    """
    new_role = Role(role)
    current = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if actor is not None:
        if actor.workspace_id != workspace.pk:
            raise PermissionError("Not your workspace")
        require(actor, Perm.MANAGE_TEAM)
        if new_role == Role.OWNER or (current is not None and current.role == Role.OWNER):
            require(actor, Perm.MANAGE_WORKSPACE)
    if current is not None and current.role == Role.OWNER and new_role != Role.OWNER:
        owners = Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=current.pk)
        if not owners.exists():
            raise ValueError(_("A workspace keeps at least one owner."))
    membership, _created = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": new_role}
    )
    audit_record(
        workspace=workspace,
        actor=actor.user if actor else None,
        verb="membership.set",
        target=membership,
        summary=f"{user} → {role}",
    )
    return membership


@transaction.atomic
def voice_create(*, workspace: Workspace, name: str, kind: str, actor: Membership, description: str = "") -> Voice:
    if actor.workspace_id != workspace.pk:
        raise PermissionError("Not your workspace")
    require(actor, Perm.MANAGE_ACCOUNTS)
    voice = Voice.objects.create(workspace=workspace, name=name, kind=VoiceKind(kind), description=description)
    audit_record(workspace=workspace, actor=actor.user, verb="voice.create", target=voice, summary=name)
    return voice


@transaction.atomic
def api_token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a token for the member's user in the member's workspace; the raw value is shown once."""
    raw = "pv_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=membership.user,
        workspace=membership.workspace,
        name=name,
        prefix=raw[:10],
        digest=ApiToken.digest_for(raw),
    )
    audit_record(
        workspace=membership.workspace, actor=membership.user, verb="api_token.create", target=token, summary=name
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> Membership | None:
    """Return the membership a raw token acts as, or None when unknown, revoked or orphaned."""
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(digest=ApiToken.digest_for(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = (
        Membership.objects.filter(workspace=token.workspace, user=token.user)
        .select_related("workspace", "user")
        .first()
    )
    if membership is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return membership


def notification_send(
    *,
    workspace: Workspace,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    perm: Perm | None = None,
    recipients: list[User] | None = None,
    level: str = "info",
    email: bool = False,
    dedupe_key: str = "",
) -> list[Notification]:
    """Tell team members something: one in-app notification each, and an e-mail when `email`.

    Recipients are `recipients`, or else every member whose role has `perm`. With `dedupe_key`,
    a member who still has an unread notification with that key gets no second one (an alert about
    one ongoing condition is sent once, not every minute). E-mail goes out after the transaction
    commits; a mail server that is down is logged, never fails the caller.
    """
    if recipients is None:
        members = Membership.objects.filter(workspace=workspace).select_related("user")
        recipients = [m.user for m in members if perm is None or role_has(m.role, perm)]
    created: list[Notification] = []
    for user in recipients:
        if (
            dedupe_key
            and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key, read_at__isnull=True).exists()
        ):
            continue
        created.append(
            Notification.objects.create(
                workspace=workspace,
                recipient=user,
                kind=kind,
                title=title[:300],
                body=body,
                url=url,
                level=level,
                dedupe_key=dedupe_key,
            )
        )
    if email and created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _notifications_email(ids), robust=True)
    return created


def _notifications_email(notification_ids: list[int]) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("recipient"):
        address = notification.recipient.email
        if not address:
            continue
        link = f"{settings.PARVIS_BASE_URL.rstrip('/')}{notification.url}" if notification.url else ""
        try:
            send_mail(
                subject=f"[Parvis] {notification.title}",
                message="\n\n".join(part for part in (notification.body, link) if part),
                from_email=None,
                recipient_list=[address],
            )
        except OSError:
            logger.warning("could not e-mail notification %s to %s", notification.pk, address, exc_info=True)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when `notification_ids` is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
