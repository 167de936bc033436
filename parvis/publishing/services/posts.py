"""Writes for publishing: compose once, deliver to each chosen account through the outbox."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import get_connector
from parvis.networks.services import action_create
from parvis.publishing.models import Delivery, MediaItem, Post


class CompositionError(ValueError):
    """The post cannot go out as composed; `problems` lists why, per account where relevant."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def composition_check(*, text: str, accounts: Sequence[ConnectedAccount], media: Sequence[MediaItem]) -> list[str]:
    """Every rule the text and media break on each target network, in the user's words."""
    problems: list[str] = []
    if not text.strip() and not media:
        problems.append(_("The post is empty."))
    if not accounts:
        problems.append(_("Choose at least one account."))
    for account in accounts:
        connector = get_connector(account.network)
        caps = connector.capabilities
        if ActionKind.PUBLISH not in caps.actions:
            problems.append(
                _("%(handle)s: %(network)s does not accept posts.")
                % {"handle": account.handle, "network": connector.display_name}
            )
            continue
        if account.status in {AccountStatus.DISABLED}:
            problems.append(_("%(handle)s: the account is disconnected.") % {"handle": account.handle})
        length = connector.count_characters(text)
        if caps.max_characters and length > caps.max_characters:
            problems.append(
                _("%(handle)s: %(length)s characters, %(max)s allowed.")
                % {"handle": account.handle, "length": length, "max": caps.max_characters}
            )
        if len(media) > caps.max_media:
            problems.append(
                _("%(handle)s: %(count)s images, %(max)s allowed.")
                % {"handle": account.handle, "count": len(media), "max": caps.max_media}
            )
        for item in media:
            if caps.media_types and item.mime_type not in caps.media_types:
                problems.append(
                    _("%(handle)s: %(type)s is not accepted.") % {"handle": account.handle, "type": item.mime_type}
                )
            if caps.max_media_bytes and item.size > caps.max_media_bytes:
                problems.append(
                    _("%(handle)s: %(file)s is too large.") % {"handle": account.handle, "file": item.file.name}
                )
            if caps.alt_text_max and len(item.alt_text) > caps.alt_text_max:
                problems.append(
                    _("%(handle)s: alt text longer than %(max)s characters.")
                    % {"handle": account.handle, "max": caps.alt_text_max}
                )
    return problems


@transaction.atomic
def media_upload(*, membership: Membership, upload: UploadedFile[Any], alt_text: str = "") -> MediaItem:
    require(membership, Perm.DRAFT)
    size = upload.size or 0
    if size > settings.PARVIS_MAX_UPLOAD_BYTES:
        limit_mb = settings.PARVIS_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise CompositionError(
            [_("The file is %(size)s KB; the limit is %(limit)s MB.") % {"size": size // 1024, "limit": limit_mb}]
        )
    mime_type = upload.content_type or mimetypes.guess_type(upload.name or "")[0] or "application/octet-stream"
    if not mime_type.startswith("image/"):
        raise CompositionError([_("Only images can be attached for now, not %(type)s.") % {"type": mime_type}])
    item = MediaItem(
        workspace=membership.workspace,
        mime_type=mime_type,
        size=size,
        alt_text=alt_text.strip(),
        uploaded_by=membership.user,
    )
    item.file.save(upload.name or "upload", upload, save=False)
    item.save()
    return item


@transaction.atomic
def post_create(
    *,
    membership: Membership,
    text: str,
    accounts: Sequence[ConnectedAccount],
    scheduled_at: datetime | None = None,
    media: Sequence[MediaItem] = (),
) -> Post:
    """Create a post and one delivery (with its Action) per account, due now or at `scheduled_at`.

    `scheduled_at` is an aware instant (see timeparse.local_to_utc for wall-clock input).
    Raises CompositionError, before writing anything, when a network's rules are broken.
    """
    require(membership, Perm.PUBLISH)
    workspace = membership.workspace
    accounts = list({account.pk: account for account in accounts}.values())  # one delivery per account
    media = list({item.pk: item for item in media}.values())
    if any(account.workspace_id != workspace.pk for account in accounts):
        raise PermissionError("An account does not belong to this workspace")
    if any(item.workspace_id != workspace.pk for item in media):
        raise PermissionError("An image does not belong to this workspace")
    if scheduled_at is not None and timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be timezone-aware")
    problems = composition_check(text=text, accounts=accounts, media=media)
    if problems:
        raise CompositionError(problems)
    now = timezone.now()
    due = scheduled_at if scheduled_at and scheduled_at > now else now
    post = Post.objects.create(
        workspace=workspace,
        voice=accounts[0].voice if accounts else None,
        text=text,
        scheduled_at=due,
        created_by=membership.user,
    )
    post.media.set(media)
    media_payload = [{"path": item.file.name, "mime_type": item.mime_type, "alt_text": item.alt_text} for item in media]
    for account in accounts:
        action = action_create(
            workspace=workspace,
            account=account,
            kind=ActionKind.PUBLISH,
            payload={"text": text, "media": media_payload},
            due_at=due,
            source="publishing.delivery",
            summary=text[:300],
            created_by=membership.user,
        )
        Delivery.objects.create(post=post, account=account, text=text, action=action)
    audit_record(
        workspace=workspace,
        actor=membership.user,
        verb="post.schedule" if due > now else "post.publish",
        target=post,
        summary=text,
        data={"accounts": [account.pk for account in accounts], "due": due.isoformat()},
    )
    return post
