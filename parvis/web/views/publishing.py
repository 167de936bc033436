"""The composer (one text, a variant per account, checked live against each network) and the posts.

Routes (declared in parvis/web/urls.py): compose/ (new post, or ?post=<id> to edit one),
compose/count/ (the live check, HTMX), posts/ (the list; POST cancel=<id> or delete=<id>).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import Capabilities
from parvis.networks.selectors import account_list
from parvis.publishing.composition import VariantPlan, thread_to_text
from parvis.publishing.models import MediaItem, Post, PostStage
from parvis.publishing.selectors import PostView, media_list, post_view_get, post_view_list
from parvis.publishing.services import (
    CompositionError,
    approval_needed,
    media_upload,
    post_cancel,
    post_check,
    post_create,
    post_delete,
    post_update,
)
from parvis.publishing.services.posts import network_rules
from parvis.web.forms import ComposeCheckForm, ComposeForm, compose_variants, local_instant_or_none
from parvis.web.network_info import can_publish
from parvis.web.views.base import found, member_view, refusal, render_page

TEMPLATE = "web/compose.html"
LIBRARY_SIZE = 60


@dataclass(frozen=True)
class AccountTab:
    """One publishable account in the composer: its network's rules and the variant typed for it."""

    account: ConnectedAccount
    network: str
    capabilities: Capabilities
    rules: list[str]
    custom: bool = False
    text: str = ""
    first_comment: str = ""


def rules_of(capabilities: Capabilities) -> list[str]:
    """A network's rules in a person's words, for the composer's side panel."""
    caps = capabilities
    lines: list[str] = []
    if caps.max_characters:
        counting = {
            "graphemes": _("%(max)s characters, an emoji counts as one") % {"max": caps.max_characters},
            "weighted": _("%(max)s characters, emoji and some scripts count double") % {"max": caps.max_characters},
        }.get(caps.counting, _("%(max)s characters") % {"max": caps.max_characters})
        lines.append(counting)
    if caps.link_length:
        lines.append(_("every link counts as %(length)s characters") % {"length": caps.link_length})
    if caps.threads:
        lines.append(
            _("long texts become a thread of %(max)s posts at most") % {"max": caps.max_thread_posts}
            if caps.max_thread_posts
            else _("long texts become a thread")
        )
    else:
        lines.append(_("no threads: one post"))
    if caps.max_media:
        formats = ", ".join(sorted(kind.split("/")[1].upper() for kind in caps.media_types)) or _("any format")
        lines.append(
            ngettext("%(count)s image (%(formats)s)", "%(count)s images (%(formats)s)", caps.max_media)
            % {"count": caps.max_media, "formats": formats}
        )
    else:
        lines.append(_("no images"))
    if caps.video_types:
        lines.append(
            _("videos up to %(seconds)s s") % {"seconds": caps.max_video_seconds}
            if caps.max_video_seconds
            else _("videos")
        )
    if caps.media_required:
        lines.append(_("an image or a video is required"))
    if caps.alt_text_max:
        lines.append(_("alt text up to %(max)s characters") % {"max": caps.alt_text_max})
    if caps.first_comment:
        lines.append(_("first comment under the post"))
    return lines


def _publishable_accounts(membership: Membership) -> list[ConnectedAccount]:
    return [account for account in account_list(membership.workspace) if can_publish(account)]


def _tabs(accounts: list[ConnectedAccount], data: QueryDict | None, post: Post | None) -> list[AccountTab]:
    variants = {delivery.account_id: delivery for delivery in post.deliveries.all()} if post else {}
    tabs = []
    for account in accounts:
        rules = network_rules(account.network)
        caps = rules.capabilities if rules else Capabilities()
        prefix = f"variant-{account.pk}-"
        if data is not None:
            custom, text, comment = (
                bool(data.get(prefix + "custom")),
                data.get(prefix + "text", ""),
                data.get(prefix + "first_comment", ""),
            )
        elif account.pk in variants and variants[account.pk].customised:
            delivery = variants[account.pk]
            custom, text, comment = True, thread_to_text(delivery.text, delivery.thread), delivery.first_comment
        else:
            custom, text, comment = False, "", ""
        tabs.append(
            AccountTab(
                account=account,
                network=rules.display_name if rules else account.network,
                capabilities=caps,
                rules=rules_of(caps),
                custom=custom,
                text=text,
                first_comment=comment,
            )
        )
    return tabs


def _editable_post(membership: Membership, raw: Any) -> PostView | None:
    if not raw:
        return None
    try:
        post_id = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    view: PostView = found(post_view_get, membership.workspace, post_id)
    return view


def _initial(post: Post) -> dict[str, Any]:
    local = timezone.localtime(post.scheduled_at)
    return {
        "post": post.pk,
        "text": post.text,
        "accounts": [delivery.account_id for delivery in post.deliveries.all()],
        "library": [item.pk for item in post.media.all()],
        "first_comment": post.first_comment,
        "campaign": post.campaign_id,
        "when": "queue" if post.queued else "schedule",
        "scheduled_at": local.strftime("%Y-%m-%dT%H:%M"),
    }


def _save(membership: Membership, data: dict[str, Any], variants: dict[int, Any], editing: Post | None) -> Post:
    """Upload the file (if any) and create or update the post in one transaction: a refused post leaves no media row."""
    with transaction.atomic():
        media: list[MediaItem] = list(data.get("library") or [])
        if data.get("image"):
            media.append(media_upload(membership=membership, upload=data["image"], alt_text=data["alt_text"]))
        arguments: dict[str, Any] = {
            "membership": membership,
            "text": data["text"],
            "accounts": list(data["accounts"]),
            "scheduled_at": data["publish_at"],
            "media": media,
            "variants": variants,
            "first_comment": data.get("first_comment") or "",
            "campaign": data.get("campaign"),
            "queued": data["queued"],
            "submit": data["submit"],
        }
        if editing is not None:
            return post_update(post=editing, **arguments)
        return post_create(**arguments)


@member_view(Perm.VIEW_INBOX)
def compose(request: HttpRequest, membership: Membership) -> HttpResponse:
    accounts = _publishable_accounts(membership)
    workspace = membership.workspace
    status = 200
    problems: list[str] = []
    warnings: list[str] = []
    source = request.POST if request.method == "POST" else request.GET
    editing = _editable_post(membership, source.get("post"))
    if editing is not None and not editing.editable:
        messages.error(request, _("This post has already gone out: it can no longer be edited."))
        return redirect("web:posts")
    post = editing.post if editing else None
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, workspace=workspace, accounts=accounts)
        if form.is_valid():
            chosen = [account.pk for account in form.cleaned_data["accounts"]]
            try:
                saved = _save(membership, form.cleaned_data, compose_variants(request.POST, chosen), post)
            except PermissionDenied as exc:
                form.add_error(None, refusal(exc.perm))
                status = 403
            except PermissionError:
                form.add_error(None, _("You cannot edit this post."))
                status = 403
            except CompositionError as exc:
                problems, warnings = exc.problems, exc.warnings
                status = 400
            else:
                return _saved(request, saved, edited=post is not None)
        else:
            status = 400
    elif request.method == "GET":
        form = ComposeForm(initial=_initial(post) if post else {}, workspace=workspace, accounts=accounts)
    else:
        return HttpResponse(status=405)
    selected_media = {str(value) for value in (form["library"].value() or [])}
    context = {
        "form": form,
        "problems": problems,
        "warnings": warnings,
        "publishable_accounts": accounts,
        "tabs": _tabs(accounts, request.POST if request.method == "POST" else None, post),
        "library": list(media_list(workspace)[:LIBRARY_SIZE]),
        "selected_media": selected_media,
        "editing": post,
        "needs_approval": approval_needed(membership=membership),
        "max_upload_bytes": settings.PARVIS_MAX_UPLOAD_BYTES,
    }
    return render_page(request, TEMPLATE, context, status=status)


def _saved(request: HttpRequest, post: Post, *, edited: bool) -> HttpResponse:
    count = post.deliveries.count()
    if post.stage == PostStage.DRAFT:
        messages.success(request, _("Draft saved. It goes nowhere until it is submitted."))
        return redirect("web:posts")
    if post.stage == PostStage.IN_REVIEW:
        messages.success(request, _("Post sent for approval: the approvers are told. It goes out once approved."))
        return redirect("web:posts")
    if post.scheduled_at > timezone.now():
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


@member_view(Perm.VIEW_INBOX)
def compose_count(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The live check (HTMX): per selected account, the count as its network counts it, the thread
    the text becomes, the media rules, the preview; and what blocks the post or deserves a look."""
    if request.method != "POST":
        return HttpResponse(status=405)
    workspace = membership.workspace
    form = ComposeCheckForm(request.POST, workspace=workspace)
    plans: list[tuple[ConnectedAccount, VariantPlan]] = []
    problems: list[str] = []
    warnings: list[str] = []
    if form.is_valid():
        accounts = [account for account in form.cleaned_data["accounts"] if can_publish(account)]
        report = post_check(
            workspace=workspace,
            text=form.cleaned_data["text"],
            accounts=accounts,
            media=list(form.cleaned_data["library"]),
            variants=compose_variants(request.POST, [account.pk for account in accounts]),
            first_comment=form.cleaned_data["first_comment"],
            scheduled_at=_scheduled(request.POST, membership),
        )
        plans = [(account, report.plans[account.pk]) for account in accounts if account.pk in report.plans]
        problems, warnings = report.problems, report.warnings
        if not form.cleaned_data["text"].strip() and not form.cleaned_data["library"]:
            problems = [problem for problem in problems if problem != _("The post is empty.")]
    context = {"plans": plans, "problems": problems, "warnings": warnings, "counts": plans}
    return render_page(request, TEMPLATE, context, partial="check")


def _scheduled(data: QueryDict, membership: Membership) -> datetime | None:
    """The chosen time, for the editorial checks that depend on it (frequency per week); None if unreadable."""
    if data.get("when") != "schedule":
        return None
    return local_instant_or_none(data.get("scheduled_at", ""), membership.workspace)


@member_view(Perm.VIEW_INBOX)
def posts(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        return _post_action(request, membership)
    if request.method != "GET":
        return HttpResponse(status=405)
    stage = request.GET.get("stage") or None
    if stage not in {None, *PostStage.values}:
        stage = None
    views = post_view_list(membership.workspace, stage=stage)
    return render_page(request, "web/posts.html", {"views": views, "stage": stage, "stages": PostStage.choices})


def _post_action(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Cancel (POST cancel=<id>) or delete (POST delete=<id>) a post, then back to the list."""
    action = "cancel" if request.POST.get("cancel") else "delete" if request.POST.get("delete") else ""
    if not action:
        return redirect("web:posts")
    view = _editable_post(membership, request.POST.get(action))
    assert view is not None  # noqa: S101 - the id was given
    try:
        if action == "cancel":
            post_cancel(membership=membership, post=view.post)
            messages.success(request, _("Post cancelled: what had not gone out will not."))
        else:
            post_delete(membership=membership, post=view.post)
            messages.success(request, _("Post deleted."))
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except PermissionError:
        messages.error(request, _("You cannot change this post."))
    except CompositionError as exc:
        messages.error(request, " ".join(exc.problems))
    return redirect("web:posts")
