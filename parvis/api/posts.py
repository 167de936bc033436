"""/posts: compose once (a variant per account), publish now, later, in the queue, or keep a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from parvis.api.auth import acting_membership
from parvis.api.schemas import ERRORS, PageIn, PostIn, PostOut, PostPageOut, next_offset, post_out
from parvis.core.models import Membership, Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.selectors import account_get
from parvis.publishing.models import Campaign, MediaItem
from parvis.publishing.selectors import campaign_get, media_get, post_get, post_list, post_view_get, post_views
from parvis.publishing.services import VariantInput, post_cancel, post_create, post_delete, post_update
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc

router = Router(tags=["posts"])


@router.get("", response={200: PostPageOut, **ERRORS}, summary="List posts, latest publication time first")
def list_posts(request: HttpRequest, page: Query[PageIn]) -> PostPageOut:
    membership = acting_membership(request)
    # One more than asked tells whether another page follows.
    posts = list(post_list(membership.workspace, limit=page.offset + page.limit + 1))[page.offset :]
    shown = posts[: page.limit]
    return PostPageOut(
        limit=page.limit,
        offset=page.offset,
        next_offset=next_offset(page, len(shown), more=len(posts) > page.limit),
        items=[post_out(view) for view in post_views(shown)],
    )


@router.get("/{post_id}", response={200: PostOut, **ERRORS}, summary="One post, its variants and their actions")
def get_post(request: HttpRequest, post_id: int) -> PostOut:
    membership = acting_membership(request)
    return post_out(post_view_get(membership.workspace, post_id))


@router.post(
    "",
    response={201: PostOut, **ERRORS},
    summary="Publish now, schedule, queue, submit for approval or keep a draft",
)
def create_post(request: HttpRequest, payload: PostIn) -> Status[PostOut]:
    membership = acting_membership(request)
    post = post_create(**_arguments(membership, payload))
    return Status(201, post_out(post_view_get(membership.workspace, post.pk)))


@router.put("/{post_id}", response={200: PostOut, **ERRORS}, summary="Replace a post that has not gone out yet")
def update_post(request: HttpRequest, post_id: int, payload: PostIn) -> PostOut:
    membership = acting_membership(request)
    post = post_get(membership.workspace, post_id)
    post_update(post=post, **_arguments(membership, payload))
    return post_out(post_view_get(membership.workspace, post_id))


@router.post("/{post_id}/cancel", response={200: PostOut, **ERRORS}, summary="Stop what has not gone out yet")
def cancel_post(request: HttpRequest, post_id: int) -> PostOut:
    membership = acting_membership(request)
    post_cancel(membership=membership, post=post_get(membership.workspace, post_id))
    return post_out(post_view_get(membership.workspace, post_id))


@router.delete("/{post_id}", response={204: None, **ERRORS}, summary="Delete a post that never went out")
def delete_post(request: HttpRequest, post_id: int) -> Status[None]:
    membership = acting_membership(request)
    post_delete(membership=membership, post=post_get(membership.workspace, post_id))
    return Status(204, None)


def _arguments(membership: Membership, payload: PostIn) -> dict[str, Any]:
    workspace = membership.workspace
    accounts = _accounts(workspace, payload.account_ids)
    chosen = {account.pk for account in accounts}
    variants: dict[int, VariantInput] = {}
    for variant in payload.variants:
        if variant.account_id not in chosen:
            raise HttpError(
                422,
                _("The variant for account %(id)s names an account the post is not for.") % {"id": variant.account_id},
            )
        if variant.media_ids is not None:
            _media(workspace, variant.media_ids)  # 404 for another workspace's media
        variants[variant.account_id] = VariantInput(
            text=variant.text,
            thread=variant.thread,
            first_comment=variant.first_comment,
            media=variant.media_ids,
        )
    return {
        "membership": membership,
        "text": payload.text,
        "accounts": accounts,
        "scheduled_at": None if payload.queued else _instant(payload.scheduled_at, workspace.zone),
        "media": _media(workspace, payload.media_ids),
        "variants": variants,
        "first_comment": payload.first_comment,
        "campaign": _campaign(workspace, payload.campaign_id),
        "queued": payload.queued,
        "submit": payload.submit,
    }


def _accounts(workspace: Workspace, account_ids: list[int]) -> list[ConnectedAccount]:
    accounts = []
    for account_id in dict.fromkeys(account_ids):  # keeps the order, drops repeats
        try:
            accounts.append(account_get(workspace, account_id))
        except ConnectedAccount.DoesNotExist:
            raise HttpError(404, _("Account %(id)s not found.") % {"id": account_id}) from None
    return accounts


def _media(workspace: Workspace, media_ids: list[int]) -> list[MediaItem]:
    media = []
    for media_id in dict.fromkeys(media_ids):
        try:
            media.append(media_get(workspace, media_id))
        except MediaItem.DoesNotExist:
            raise HttpError(404, _("Media %(id)s not found.") % {"id": media_id}) from None
    return media


def _campaign(workspace: Workspace, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    try:
        return campaign_get(workspace, campaign_id)
    except Campaign.DoesNotExist:
        raise HttpError(404, _("Campaign %(id)s not found.") % {"id": campaign_id}) from None


def _instant(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """An ISO time with an offset is an instant; without one, a wall-clock time in the workspace's zone."""
    if value is None:
        return None
    try:
        return local_to_utc(value, zone)
    except InvalidLocalTime:
        raise HttpError(
            422,
            _("%(time)s does not exist in %(zone)s: the clocks change at that time. Choose another time.")
            % {"time": f"{value:%Y-%m-%d %H:%M}", "zone": zone.key},
        ) from None
