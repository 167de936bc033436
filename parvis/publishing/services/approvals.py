"""Approvals: submitting a post for review, approving or rejecting it in one or several steps,
signed review links for people without an account, and the notifications that go with them.

Rules (docs/approvals.md):
- approvers are the members whose role has the publish permission; the author never approves
  their own post, and one person (or one review link) approves at most one step of a revision;
- `PublishingSettings.approval_steps` distinct approvals of the *current* revision release the
  post (H4's `post_release`); an edit bumps the revision, so older approvals stop counting;
- a request for changes sends the post back to its author with the comment;
- a review link's raw token is shown once; only its HMAC digest is stored.
"""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm, role_has
from parvis.core.services import audit_record, notification_send, require
from parvis.publishing.models import (
    Post,
    PostStage,
    PublishingSettings,
    Review,
    ReviewDecision,
    ReviewLink,
)
from parvis.publishing.services.posts import post_release

MIN_LINK_LIFETIME = timedelta(hours=1)
MAX_LINK_LIFETIME = timedelta(days=30)
_LINK_DIGEST_PURPOSE = "parvis.publishing.review_link"


class ReviewError(ValueError):
    """The review cannot be recorded; the message says why, in the user's words."""


class ReviewLinkInvalid(ValueError):
    """A review link that cannot be used. `reason` is "unknown", "expired" or "revoked"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- reads --------------------------------------------------------------------------------


def approval_steps_of(workspace: Workspace) -> int:
    found = PublishingSettings.objects.filter(workspace=workspace).first()
    return max(1, found.approval_steps) if found is not None else 1


def approvals_of(post: Post) -> QuerySet[Review]:
    """The approvals that count: those given on the post's current revision."""
    return Review.objects.filter(post=post, revision=post.revision, decision=ReviewDecision.APPROVE)


def approvers_of(post: Post, *, exclude: User | None = None) -> list[User]:
    """Members of the post's workspace who may approve it (publish permission), never its author."""
    members = Membership.objects.filter(workspace_id=post.workspace_id).select_related("user")
    users = [m.user for m in members if role_has(m.role, Perm.PUBLISH) and m.user.is_active]
    excluded = {post.created_by_id, exclude.pk if exclude is not None else None}
    return [user for user in users if user.pk not in excluded]


def approval_queue(membership: Membership) -> list[Post]:
    """Posts of the workspace awaiting this member's approval: in review, not theirs, and not
    already approved by them on the current revision. Empty for a member who cannot approve."""
    if not role_has(membership.role, Perm.PUBLISH):
        return []
    posts = list(
        Post.objects.filter(workspace=membership.workspace, stage=PostStage.IN_REVIEW)
        .exclude(created_by=membership.user)
        .select_related("created_by", "campaign")
        .prefetch_related("deliveries__account")
        .order_by("scheduled_at", "id")
    )
    mine = set(
        Review.objects.filter(post__in=posts, reviewer=membership.user, decision=ReviewDecision.APPROVE).values_list(
            "post_id", "revision"
        )
    )
    return [post for post in posts if (post.pk, post.revision) not in mine]


def my_posts_in_review(membership: Membership) -> QuerySet[Post]:
    """The member's own posts awaiting approval or sent back to them, soonest first."""
    return (
        Post.objects.filter(
            workspace=membership.workspace,
            created_by=membership.user,
            stage__in=[PostStage.IN_REVIEW, PostStage.CHANGES_REQUESTED],
        )
        .prefetch_related("deliveries__account")
        .order_by("scheduled_at", "id")
    )


def review_history(post: Post) -> QuerySet[Review]:
    return Review.objects.filter(post=post).select_related("reviewer", "link").order_by("created_at", "id")


def post_snapshot(post: Post) -> dict[str, Any]:
    """What a reviewer reads, as plain data: kept with each review to show later what changed."""
    deliveries = post.deliveries.select_related("account").order_by("account__handle", "account_id")
    return {
        "text": post.text,
        "first_comment": post.first_comment,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else "",
        "campaign": post.campaign.name if post.campaign_id and post.campaign else "",
        "media": [f"{item.file.name} — {item.alt_text}" for item in post.media.all()],
        "variants": [
            {
                "account": delivery.account.handle,
                "network": delivery.account.network,
                "text": "\n\n".join([delivery.text, *[str(part) for part in delivery.thread or []]]),
                "first_comment": delivery.first_comment,
            }
            for delivery in deliveries
        ],
    }


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    segments: list[Segment]


def _word_diff(before: str, after: str) -> list[Segment]:
    old, new = before.split(" "), after.split(" ")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", " ".join(new[j1:j2])))
    return segments


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Word-level differences between two snapshots, one entry per field that changed."""
    fields: list[tuple[str, str, str]] = [
        (_("Text"), str(before.get("text", "")), str(after.get("text", ""))),
        (_("First comment"), str(before.get("first_comment", "")), str(after.get("first_comment", ""))),
        (_("Publication time"), str(before.get("scheduled_at", "")), str(after.get("scheduled_at", ""))),
        (_("Campaign"), str(before.get("campaign", "")), str(after.get("campaign", ""))),
        (_("Media"), "; ".join(before.get("media", [])), "; ".join(after.get("media", []))),
    ]
    old_variants = {v["account"]: v for v in before.get("variants", [])}
    new_variants = {v["account"]: v for v in after.get("variants", [])}
    for account in sorted(set(old_variants) | set(new_variants)):
        old_text = str(old_variants.get(account, {}).get("text", ""))
        new_text = str(new_variants.get(account, {}).get("text", ""))
        fields.append((_("Variant for %(account)s") % {"account": account}, old_text, new_text))
    return [FieldChange(label, _word_diff(old, new)) for label, old, new in fields if old != new]


def changes_since_last_review(post: Post) -> tuple[int | None, list[FieldChange]]:
    """The previous revision someone reviewed (or submitted) and what changed since, for the queue."""
    previous = (
        Review.objects.filter(post=post, revision__lt=post.revision)
        .exclude(snapshot={})
        .order_by("-revision", "-id")
        .first()
    )
    if previous is None:
        return None, []
    return previous.revision, snapshot_changes(previous.snapshot, post_snapshot(post))


# --- notifications ------------------------------------------------------------------------


def _approval_url(post: Post) -> str:
    return reverse("web:approval_post", args=[post.pk])


def _notify_author(post: Post, *, kind: str, title: str, body: str, actor: User | None) -> None:
    author = post.created_by
    if author is None or (actor is not None and author.pk == actor.pk):
        return
    if not Membership.objects.filter(workspace_id=post.workspace_id, user=author).exists():
        return
    notification_send(
        workspace=post.workspace,
        kind=kind,
        title=title,
        body=body,
        url=_approval_url(post),
        recipients=[author],
        email=True,
    )


@transaction.atomic
def review_request(*, post: Post, actor: User | None) -> None:
    """A post went IN_REVIEW: tell every approver (in the app and by e-mail), keep a snapshot of
    the revision (for the diff of the next one) and write it in the audit log.

    Called by the composer (post_create / post_update) and by `post_submit`. The author is not
    notified: they cannot approve their own post.
    """
    workspace = post.workspace
    Review.objects.create(
        post=post,
        revision=post.revision,
        decision=ReviewDecision.SUBMIT,
        reviewer=actor if actor is not None and actor.is_authenticated else None,
        snapshot=post_snapshot(post),
    )
    with translation.override(workspace.language):
        title = _("A post awaits your approval (revision %(revision)s)") % {"revision": post.revision}
    notification_send(
        workspace=workspace,
        kind="approval.requested",
        title=title,
        body=post.text[:500],
        url=_approval_url(post),
        recipients=approvers_of(post, exclude=actor),
        email=True,
        dedupe_key=f"approval.requested:{post.pk}:{post.revision}",
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        verb="post.review_requested",
        target=post,
        summary=post.text[:300],
        data={"revision": post.revision},
    )


# --- submit and review --------------------------------------------------------------------


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("workspace", "created_by").get(pk=post.pk)


@transaction.atomic
def post_submit(*, membership: Membership, post: Post) -> Post:
    """A draft (or a post sent back for changes) goes to the approvers."""
    require(membership, Perm.DRAFT)
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    post = _locked(post)
    if post.stage not in {PostStage.DRAFT, PostStage.CHANGES_REQUESTED}:
        raise ReviewError(_("Only a draft or a post sent back for changes can be submitted for approval."))
    post.stage = PostStage.IN_REVIEW
    post.save(update_fields=["stage", "updated_at"])
    review_request(post=post, actor=membership.user)
    return post


def _check_revision(post: Post, revision: int | None) -> None:
    if revision is not None and revision != post.revision:
        raise ReviewError(
            _("The post changed while you were reading it (revision %(new)s, you read %(old)s). Read it again.")
            % {"new": post.revision, "old": revision}
        )


def _record(
    *,
    post: Post,
    decision: str,
    comment: str,
    reviewer: User | None = None,
    link: ReviewLink | None = None,
    external_name: str = "",
    external_email: str = "",
) -> Review:
    """Write one decision and apply it: count the approvals, release, or send back to the author."""
    comment = comment.strip()
    if decision not in {ReviewDecision.APPROVE, ReviewDecision.REJECT, ReviewDecision.COMMENT}:
        raise ReviewError(_("Unknown decision."))
    if decision in {ReviewDecision.REJECT, ReviewDecision.COMMENT} and not comment:
        raise ReviewError(_("Write a comment: the author needs to know what to change."))
    if decision != ReviewDecision.COMMENT and post.stage != PostStage.IN_REVIEW:
        raise ReviewError(_("This post is not awaiting approval."))
    step = None
    required = approval_steps_of(post.workspace)
    if decision == ReviewDecision.APPROVE:
        given = approvals_of(post)
        same_person = given.filter(reviewer=reviewer) if reviewer is not None else given.filter(link=link)
        if external_email:
            same_person = same_person | given.filter(external_email__iexact=external_email)
        if same_person.exists():
            raise ReviewError(_("You already approved this revision: another person must approve the next step."))
        step = given.count() + 1
    review = Review.objects.create(
        post=post,
        revision=post.revision,
        step=step,
        decision=decision,
        comment=comment,
        reviewer=reviewer,
        link=link,
        external_name=external_name[:200],
        external_email=external_email,
        snapshot=post_snapshot(post),
    )
    who = review.reviewer_label
    audit_record(
        workspace=post.workspace,
        actor=reviewer,
        verb=f"post.review.{decision}",
        target=post,
        summary=comment[:300] or post.text[:300],
        data={
            "revision": post.revision,
            "step": step,
            "steps": required,
            "reviewer": who,
            "review_link": link.pk if link is not None else None,
        },
    )
    with translation.override(post.workspace.language):
        if decision == ReviewDecision.REJECT:
            post.stage = PostStage.CHANGES_REQUESTED
            post.save(update_fields=["stage", "updated_at"])
            _notify_author(
                post,
                kind="approval.rejected",
                title=_("%(who)s asks for changes to your post") % {"who": who},
                body=comment,
                actor=reviewer,
            )
        elif decision == ReviewDecision.COMMENT:
            _notify_author(
                post,
                kind="approval.comment",
                title=_("%(who)s commented on your post") % {"who": who},
                body=comment,
                actor=reviewer,
            )
        elif step is not None and step >= required:
            _release(post, actor=reviewer)
            _notify_author(
                post,
                kind="approval.approved",
                title=_("Your post is approved"),
                body=comment or post.text[:500],
                actor=reviewer,
            )
        else:
            _notify_author(
                post,
                kind="approval.step",
                title=_("%(who)s approved step %(step)s of %(steps)s of your post")
                % {"who": who, "step": step, "steps": required},
                body=comment,
                actor=reviewer,
            )
    return review


def _release(post: Post, *, actor: User | None) -> None:
    """Every step is approved: the current revision is the approved one, and it goes to the outbox."""
    post.approved_revision = post.revision
    post.save(update_fields=["approved_revision", "updated_at"])
    post_release(post=post, actor=actor)


@transaction.atomic
def post_review(
    *, membership: Membership, post: Post, decision: str, comment: str = "", revision: int | None = None
) -> Review:
    """An approver approves one step, requests changes (with a comment) or comments.

    `revision` is the revision the reviewer read; when the post changed since, nothing is recorded.
    Members without the publish permission may only comment; nobody approves their own post.
    """
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if decision == ReviewDecision.COMMENT:
        require(membership, Perm.DRAFT)
    else:
        require(membership, Perm.PUBLISH)
    post = _locked(post)
    _check_revision(post, revision)
    if decision != ReviewDecision.COMMENT and post.created_by_id == membership.user_id:
        raise ReviewError(_("You cannot approve or reject your own post: another approver must do it."))
    return _record(post=post, decision=decision, comment=comment, reviewer=membership.user)


# --- review links -------------------------------------------------------------------------


def review_link_digest(token: str) -> str:
    return salted_hmac(_LINK_DIGEST_PURPOSE, token, algorithm="sha256").hexdigest()


def review_link_url(token: str) -> str:
    return f"{str(settings.PARVIS_BASE_URL).rstrip('/')}{reverse('web:review_public', args=[token])}"


@transaction.atomic
def review_link_create(
    *,
    membership: Membership,
    post: Post,
    expires_in: timedelta,
    reviewer_name: str = "",
    reviewer_email: str = "",
    send_email: bool = True,
) -> str:
    """Create a review link for one outside person and return its URL (the only time it is shown).

    Only approvers create links: an outside approval counts as one step. The link is e-mailed to
    `reviewer_email` when given (after commit).
    """
    require(membership, Perm.PUBLISH)
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if expires_in < MIN_LINK_LIFETIME or expires_in > MAX_LINK_LIFETIME:
        raise ReviewError(_("A review link lasts between one hour and 30 days."))
    token = secrets.token_urlsafe(32)
    link = ReviewLink.objects.create(
        post=post,
        digest=review_link_digest(token),
        reviewer_name=reviewer_name.strip()[:200],
        reviewer_email=reviewer_email.strip(),
        created_by=membership.user,
        expires_at=timezone.now() + expires_in,
    )
    url = review_link_url(token)
    audit_record(
        workspace=post.workspace,
        actor=membership.user,
        verb="post.review_link.create",
        target=post,
        summary=link.reviewer_name or link.reviewer_email,
        data={"link": link.pk, "expires_at": link.expires_at.isoformat(), "email": link.reviewer_email},
    )
    if link.reviewer_email and send_email:
        with translation.override(post.workspace.language):
            subject = _("[Parvis] %(workspace)s asks for your opinion on a post") % {"workspace": post.workspace.name}
            body = _(
                "Hello %(name)s,\n\n%(who)s asks you to read a post before it goes out, and to approve it "
                "or comment on it:\n\n%(url)s\n\nThe link works until %(expires)s (%(zone)s) and needs no account."
            ) % {
                "name": link.reviewer_name,
                "who": membership.user.get_full_name() or membership.user.get_username(),
                "url": url,
                "expires": timezone.localtime(link.expires_at, post.workspace.zone).strftime("%Y-%m-%d %H:%M"),
                "zone": post.workspace.timezone,
            }
        address = link.reviewer_email
        transaction.on_commit(
            lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=[address]),
            robust=True,
        )
    return url


def review_link_resolve(token: str) -> ReviewLink:
    """The link a raw token stands for, or ReviewLinkInvalid (unknown, tampered, expired, revoked)."""
    if not token or len(token) > 200:
        raise ReviewLinkInvalid("unknown")
    link = (
        ReviewLink.objects.select_related("post", "post__workspace", "post__created_by")
        .filter(digest=review_link_digest(token))
        .first()
    )
    if link is None:
        raise ReviewLinkInvalid("unknown")
    if link.revoked_at is not None:
        raise ReviewLinkInvalid("revoked")
    if link.expires_at <= timezone.now():
        raise ReviewLinkInvalid("expired")
    return link


@transaction.atomic
def review_link_open(*, token: str) -> ReviewLink:
    """Resolve a link for its public page and note when it was last used."""
    link = review_link_resolve(token)
    link.last_used_at = timezone.now()
    ReviewLink.objects.filter(pk=link.pk).update(last_used_at=link.last_used_at)
    return link


@transaction.atomic
def review_link_review(
    *, token: str, decision: str, comment: str = "", reviewer_name: str, revision: int | None = None
) -> Review:
    """An outside person decides through their review link; an approval counts as one step."""
    link = review_link_resolve(token)
    name = reviewer_name.strip()
    if not name:
        raise ReviewError(_("Give your name: the team needs to know who decided."))
    post = _locked(link.post)
    _check_revision(post, revision)
    ReviewLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return _record(
        post=post,
        decision=decision,
        comment=comment,
        link=link,
        external_name=name,
        external_email=link.reviewer_email,
    )


@transaction.atomic
def review_link_revoke(*, membership: Membership, link: ReviewLink) -> None:
    require(membership, Perm.PUBLISH)
    if link.post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if link.revoked_at is not None:
        return
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="post.review_link.revoke",
        target=link.post,
        summary=link.reviewer_name or link.reviewer_email,
        data={"link": link.pk},
    )


def review_link_list(post: Post) -> QuerySet[ReviewLink]:
    return ReviewLink.objects.filter(post=post).select_related("created_by").order_by("-created_at", "-id")


def review_link_expiry_default() -> datetime:
    return timezone.now() + timedelta(days=7)
