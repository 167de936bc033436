"""Posts, their media, and one delivery per (post, account)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Voice, Workspace
from parvis.networks.models import Action, ActionStatus, ConnectedAccount


class MediaItem(models.Model):
    """An uploaded image, with its alt text, reusable across posts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to="uploads/%Y/%m/")
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    alt_text = models.TextField(_("alt text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("media")
        verbose_name_plural = _("media")

    def __str__(self) -> str:
        return self.file.name or ""


class PostStatus(models.TextChoices):
    """What the user sees; derived from the deliveries' actions by `post_status`."""

    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    PARTIAL = "partial", _("Partly published")
    FAILED = "failed", _("Failed")
    HELD = "held", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


class Post(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    voice = models.ForeignKey(Voice, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    text = models.TextField(_("text"))
    media = models.ManyToManyField(MediaItem, blank=True, related_name="posts")
    scheduled_at = models.DateTimeField(_("publication time"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class Delivery(models.Model):
    """The post on one account: exactly one Action carries it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="deliveries")
    text = models.TextField(_("text"))
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="delivery")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="delivery_unique_post_account")]

    def __str__(self) -> str:
        return f"post {self.post_id} → {self.account_id}"


def post_status(statuses: list[str]) -> PostStatus:
    """The user-facing status of a post from its actions' statuses.

    A cancelled delivery (its account was disconnected) says nothing of how the rest went; the
    post is cancelled only when every delivery is.
    """
    live = [status for status in statuses if status != ActionStatus.CANCELLED]
    if not live:
        return PostStatus.CANCELLED
    done = live.count(ActionStatus.DONE)
    if done == len(live):
        return PostStatus.PUBLISHED
    if ActionStatus.PROCESSING in live:
        return PostStatus.PUBLISHING
    if ActionStatus.HELD in live:
        return PostStatus.HELD
    if ActionStatus.FAILED in live:
        return PostStatus.PARTIAL if done else PostStatus.FAILED
    return PostStatus.PUBLISHING if done else PostStatus.SCHEDULED
