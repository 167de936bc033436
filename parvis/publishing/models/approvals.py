"""Approval reviews of posts and signed review links for people without an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.publishing.models.posts import Post

__all__ = ["Review", "ReviewDecision", "ReviewLink"]


class ReviewDecision(models.TextChoices):
    SUBMIT = "submit", _("Submitted for approval")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Changes requested")
    COMMENT = "comment", _("Comment")


class ReviewLink(models.Model):
    """A signed link that lets one outside person (a client, a director) read a post and approve or
    comment on it without an account. Only a digest of the token is stored: the raw link is shown
    (or e-mailed) once, at creation."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_links")
    digest = models.CharField(max_length=64, unique=True)
    reviewer_name = models.CharField(_("reviewer's name"), max_length=200, blank=True)
    reviewer_email = models.EmailField(_("reviewer's e-mail"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review link")
        verbose_name_plural = _("review links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review link {self.pk} for post {self.post_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Review(models.Model):
    """One entry in a post's approval history: a submission, an approval (one step), a request for
    changes or a comment. An approval holds only for the revision it was given on."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reviews")
    revision = models.PositiveIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # approvals only: 1, 2, ...
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An outside reviewer, through a review link: the name and e-mail they gave.
    link = models.ForeignKey(ReviewLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    external_name = models.CharField(max_length=200, blank=True)
    external_email = models.EmailField(blank=True)
    # What the post looked like at this revision (text, first comment, time, variants), for the diff
    # a reviewer sees when a new revision comes back.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "revision", "decision"], name="review_post_revision_idx")]

    def __str__(self) -> str:
        return f"{self.decision} post {self.post_id} r{self.revision}"

    @property
    def reviewer_label(self) -> str:
        if self.reviewer is not None:
            return self.reviewer.get_full_name() or self.reviewer.get_username()
        return self.external_name or str(_("Outside reviewer"))
