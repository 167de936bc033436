"""The composer (one text, several accounts, now or later) and the list of posts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.networks.selectors import account_list
from parvis.publishing.models import Post
from parvis.publishing.selectors import post_list, post_status_of
from parvis.publishing.services import CompositionError, media_upload, post_create
from parvis.web.forms import CharacterCountForm, ComposeForm
from parvis.web.network_info import can_publish, character_counts
from parvis.web.views.base import member_view, refusal, render_page

TEMPLATE = "web/compose.html"


def _publishable_accounts(membership: Membership) -> list[Any]:
    return [account for account in account_list(membership.workspace) if can_publish(account)]


def _publish(membership: Membership, data: dict[str, Any]) -> Post:
    """Upload the image (if any) and create the post in one transaction: a refused post leaves no media row."""
    with transaction.atomic():
        media = []
        if data.get("image"):
            media.append(media_upload(membership=membership, upload=data["image"], alt_text=data["alt_text"]))
        return post_create(
            membership=membership,
            text=data["text"],
            accounts=list(data["accounts"]),
            scheduled_at=data["publish_at"],
            media=media,
        )


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def compose(request: HttpRequest, membership: Membership) -> HttpResponse:
    accounts = _publishable_accounts(membership)
    workspace = membership.workspace
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, workspace=workspace, accounts=accounts)
        if form.is_valid():
            try:
                post = _publish(membership, form.cleaned_data)
            except PermissionDenied as exc:
                form.add_error(None, refusal(exc.perm))
                status = 403
            except CompositionError as exc:
                problems = exc.problems
                status = 400
            else:
                return _published(request, post, scheduled=form.cleaned_data["publish_at"] is not None)
        else:
            status = 400
    else:
        form = ComposeForm(workspace=workspace, accounts=accounts)
    context = {
        "form": form,
        "problems": problems,
        "publishable_accounts": accounts,
        "max_upload_bytes": settings.PARVIS_MAX_UPLOAD_BYTES,
    }
    return render_page(request, TEMPLATE, context, status=status)


def _published(request: HttpRequest, post: Post, *, scheduled: bool) -> HttpResponse:
    count = post.deliveries.count()
    if scheduled:
        when = date_format(timezone.localtime(post.scheduled_at), "DATETIME_FORMAT")
        messages.success(
            request,
            ngettext(
                "Post scheduled for %(when)s on %(count)d account.",
                "Post scheduled for %(when)s on %(count)d accounts.",
                count,
            )
            % {"when": when, "count": count},
        )
        return redirect("web:posts")
    messages.success(
        request,
        ngettext(
            "Your post is on its way to %(count)d account. Follow its delivery below.",
            "Your post is on its way to %(count)d accounts. Follow its delivery below.",
            count,
        )
        % {"count": count},
    )
    return redirect("web:ledger")


@require_POST
@member_view(Perm.VIEW_INBOX)
def compose_count(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Per selected account: length of the text as its network counts it, and the network's limit."""
    form = CharacterCountForm(request.POST, workspace=membership.workspace)
    counts = character_counts(form.cleaned_data["accounts"], form.cleaned_data["text"]) if form.is_valid() else []
    return render_page(request, TEMPLATE, {"counts": counts}, partial="char_counts")


@require_GET
@member_view(Perm.VIEW_INBOX)
def posts(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = [(post, post_status_of(post)) for post in post_list(membership.workspace)]
    return render_page(request, "web/posts.html", {"rows": rows})
