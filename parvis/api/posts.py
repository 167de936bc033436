"""/posts: compose once, publish now or later on several accounts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from parvis.api.auth import acting_membership
from parvis.api.schemas import ERRORS, PageIn, PostIn, PostOut, PostPageOut, next_offset, post_out
from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.selectors import account_get
from parvis.publishing.selectors import post_get, post_list
from parvis.publishing.services import post_create
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
        items=[post_out(post) for post in shown],
    )


@router.get("/{post_id}", response={200: PostOut, **ERRORS}, summary="One post and its deliveries")
def get_post(request: HttpRequest, post_id: int) -> PostOut:
    membership = acting_membership(request)
    return post_out(post_get(membership.workspace, post_id))


@router.post("", response={201: PostOut, **ERRORS}, summary="Publish now or schedule a post")
def create_post(request: HttpRequest, payload: PostIn) -> Status[PostOut]:
    membership = acting_membership(request)
    workspace = membership.workspace
    post = post_create(
        membership=membership,
        text=payload.text,
        accounts=_accounts(workspace, payload.account_ids),
        scheduled_at=_instant(payload.scheduled_at, workspace.zone),
    )
    return Status(201, post_out(post_get(workspace, post.pk)))


def _accounts(workspace: Workspace, account_ids: list[int]) -> list[ConnectedAccount]:
    accounts = []
    for account_id in dict.fromkeys(account_ids):  # keeps the order, drops repeats
        try:
            accounts.append(account_get(workspace, account_id))
        except ConnectedAccount.DoesNotExist:
            raise HttpError(404, _("Account %(id)s not found.") % {"id": account_id}) from None
    return accounts


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
