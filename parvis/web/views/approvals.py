"""Approval pages: the review queue, a post's review page (decisions, history, what changed, review
links) and the public review page `/review/<token>/` for people without an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.publishing.models import Post, PostStage, Review, ReviewDecision, ReviewLink
from parvis.publishing.selectors import post_get
from parvis.publishing.services.approvals import (
    ReviewError,
    ReviewLinkInvalid,
    approval_queue,
    approval_steps_of,
    approvals_of,
    changes_since_last_review,
    my_posts_in_review,
    post_review,
    post_submit,
    review_history,
    review_link_create,
    review_link_list,
    review_link_open,
    review_link_review,
    review_link_revoke,
)
from parvis.web.views.base import found, member_view, refusal, render_page

DECISIONS = [
    (ReviewDecision.APPROVE.value, gettext_lazy("Approve")),
    (ReviewDecision.REJECT.value, gettext_lazy("Request changes")),
    (ReviewDecision.COMMENT.value, gettext_lazy("Comment only")),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PublicDecisionForm(DecisionForm):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)


class ReviewLinkForm(forms.Form):
    reviewer_name = forms.CharField(label=gettext_lazy("Reviewer's name"), max_length=200, required=False)
    reviewer_email = forms.EmailField(
        label=gettext_lazy("Reviewer's e-mail (the link is sent to it)"), required=False, max_length=254
    )
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=30, initial=7)


def _post(membership: Membership, pk: int) -> Post:
    post: Post = found(post_get, membership.workspace, pk)
    return post


def _progress(post: Post) -> dict[str, Any]:
    approvals = list(approvals_of(post).select_related("reviewer"))
    return {"approvals": approvals, "steps": approval_steps_of(post.workspace), "given": len(approvals)}


def _post_context(membership: Membership, post: Post, **extra: Any) -> dict[str, Any]:
    previous_revision, changes = changes_since_last_review(post)
    is_author = post.created_by_id == membership.user_id
    can_decide = role_has(membership.role, Perm.PUBLISH) and not is_author and post.stage == PostStage.IN_REVIEW
    return {
        "post": post,
        "history": review_history(post),
        "progress": _progress(post),
        "previous_revision": previous_revision,
        "changes": changes,
        "is_author": is_author,
        "can_decide": can_decide,
        "can_submit": role_has(membership.role, Perm.DRAFT)
        and post.stage in {PostStage.DRAFT, PostStage.CHANGES_REQUESTED},
        "can_links": role_has(membership.role, Perm.PUBLISH),
        "links": review_link_list(post) if role_has(membership.role, Perm.PUBLISH) else [],
        "decision_form": extra.pop("decision_form", None)
        or DecisionForm(initial={"revision": post.revision, "decision": ReviewDecision.APPROVE.value}),
        "link_form": extra.pop("link_form", None) or ReviewLinkForm(),
        "now": timezone.now(),
        **extra,
    }


@require_GET
@member_view()
def approval_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Posts awaiting my approval, and my own posts in review or sent back to me."""
    waiting = [(post, changes_since_last_review(post)[0], _progress(post)) for post in approval_queue(membership)]
    mine = my_posts_in_review(membership)
    context = {"waiting": waiting, "mine": mine, "can_approve": role_has(membership.role, Perm.PUBLISH)}
    return render_page(request, "web/approvals.html", context)


@require_GET
@member_view()
def approval_post(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post = _post(membership, pk)
    return render_page(request, "web/approvals_post.html", _post_context(membership, post))


@require_POST
@member_view(Perm.DRAFT)
def approval_decide(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post = _post(membership, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            review = post_review(
                membership=membership,
                post=post,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                revision=form.cleaned_data["revision"],
            )
        except PermissionDenied as exc:
            form.add_error(None, refusal(exc.perm))
            status = 403
        except ReviewError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            messages.success(request, _decided_message(review))
            return redirect("web:approval_post", pk=post.pk)
    else:
        status = 400
    post.refresh_from_db()
    return render_page(
        request, "web/approvals_post.html", _post_context(membership, post, decision_form=form), status=status
    )


def _decided_message(review: Review) -> str:
    if review.decision == ReviewDecision.APPROVE:
        if review.post.stage == PostStage.RELEASED:
            return _("Approved: the post is scheduled.")
        return _("Approved (step %(step)s). The post awaits the next approver.") % {"step": review.step}
    if review.decision == ReviewDecision.REJECT:
        return _("Changes requested: the author has been told.")
    return _("Comment added.")


@require_POST
@member_view(Perm.DRAFT)
def approval_submit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post = _post(membership, pk)
    try:
        post_submit(membership=membership, post=post)
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Submitted: the approvers have been told."))
    return redirect("web:approval_post", pk=post.pk)


@require_POST
@member_view(Perm.PUBLISH)
def approval_link_create(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post = _post(membership, pk)
    form = ReviewLinkForm(request.POST)
    if form.is_valid():
        try:
            url = review_link_create(
                membership=membership,
                post=post,
                expires_in=timedelta(days=form.cleaned_data["days"]),
                reviewer_name=form.cleaned_data["reviewer_name"],
                reviewer_email=form.cleaned_data["reviewer_email"],
            )
        except ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            # The raw link is in this response only (never in a redirect, a message or a log).
            context = _post_context(
                membership, post, new_link_url=url, new_link_email=form.cleaned_data["reviewer_email"]
            )
            response = render_page(request, "web/approvals_post.html", context, status=201)
            response["Cache-Control"] = "no-store"
            return response
    return render_page(request, "web/approvals_post.html", _post_context(membership, post, link_form=form), status=400)


@require_POST
@member_view(Perm.PUBLISH)
def approval_link_revoke(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    link = get_object_or_404(ReviewLink.objects.select_related("post"), pk=pk, post__workspace=membership.workspace)
    review_link_revoke(membership=membership, link=link)
    messages.success(request, _("The review link is revoked: it no longer opens."))
    return redirect("web:approval_post", pk=link.post_id)


# --- the public review page (no account) ------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the URL: never send it on as a Referer, never cache or index the page."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


INVALID = {
    "unknown": (
        404,
        gettext_lazy("This review link does not exist. Check that you copied all of it, or ask for a new one."),
    ),
    "expired": (410, gettext_lazy("This review link has expired. Ask the team for a new one.")),
    "revoked": (410, gettext_lazy("This review link was withdrawn by the team. Ask them for a new one.")),
}


@require_http_methods(["GET", "POST"])
def review_public(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = review_link_open(token=token)
    except ReviewLinkInvalid as exc:
        status, reason = INVALID[exc.reason]
        return _private(render_page(request, "web/review_invalid.html", {"reason": reason}, status=status))
    post = link.post
    status = 200
    form = PublicDecisionForm(
        initial={"revision": post.revision, "name": link.reviewer_name, "decision": ReviewDecision.APPROVE.value}
    )
    done: Review | None = None
    if request.method == "POST":
        form = PublicDecisionForm(request.POST)
        if form.is_valid():
            try:
                done = review_link_review(
                    token=token,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    reviewer_name=form.cleaned_data["name"],
                    revision=form.cleaned_data["revision"],
                )
            except ReviewLinkInvalid as exc:
                status, reason = INVALID[exc.reason]
                return _private(render_page(request, "web/review_invalid.html", {"reason": reason}, status=status))
            except ReviewError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                post.refresh_from_db()
                form = PublicDecisionForm(initial={"revision": post.revision, "name": form.cleaned_data["name"]})
        else:
            status = 400
    workspace = post.workspace
    with timezone.override(workspace.zone):
        context = {
            "link": link,
            "post": post,
            "review_workspace": workspace,
            "deliveries": post.deliveries.select_related("account")
            .prefetch_related("media")
            .order_by("account__handle"),
            "media": post.media.all(),
            "progress": _progress(post),
            "own_reviews": Review.objects.filter(link=link).order_by("created_at"),
            "form": form,
            "done": done,
            "open_for_decision": post.stage == PostStage.IN_REVIEW,
        }
        return _private(render_page(request, "web/review_public.html", context, status=status))


urlpatterns: list[URLPattern] = [
    path("approvals/", approval_list, name="approvals"),
    path("approvals/<int:pk>/", approval_post, name="approval_post"),
    path("approvals/<int:pk>/decide/", approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/submit/", approval_submit, name="approval_submit"),
    path("approvals/<int:pk>/links/", approval_link_create, name="approval_link_create"),
    path("approvals/links/<int:pk>/revoke/", approval_link_revoke, name="approval_link_revoke"),
    path("review/<str:token>/", review_public, name="review_public"),
]
