"""Posts, their variants (one delivery per target account), media, campaigns and settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Voice, Workspace
from parvis.networks.models import Action, ActionStatus, ConnectedAccount


class MediaItem(models.Model):
    """An uploaded image or video, with its alt text, reusable across posts (the media library)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to="uploads/%Y/%m/")
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    alt_text = models.TextField(_("alt text"), blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)  # videos
    archived = models.BooleanField(_("archived"), default=False)  # hidden from the library, kept for old posts
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


class Campaign(models.Model):
    """A set of posts with one goal and one UTM campaign name (calendar filter, link statistics)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    utm_campaign = models.SlugField(_("UTM campaign"), max_length=100, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#3b6ea5")
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="campaign_unique_name")]

    def __str__(self) -> str:
        return self.name


class PostStage(models.TextChoices):
    """Where the post is in its editorial life. Only a RELEASED post has actions in the outbox;
    what happens to them then is `post_status` (the worker's axis)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Awaiting approval")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RELEASED = "released", _("Approved")


class PostOrigin(models.TextChoices):
    OWN = "own", _("Own content")
    RELAY = "relay", _("Relayed content")


class RelayKind(models.TextChoices):
    REPOST = "repost", _("Boost / repost")
    QUOTE = "quote", _("Quote")
    LINK = "link", _("Link with a comment")


class Post(models.Model):
    """A message composed once; each target account gets its own variant (a Delivery)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    voice = models.ForeignKey(Voice, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    text = models.TextField(_("text"))
    media = models.ManyToManyField(MediaItem, blank=True, related_name="posts")
    scheduled_at = models.DateTimeField(_("publication time"), db_index=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=PostStage.choices, default=PostStage.RELEASED, db_index=True
    )
    # Bumped by every edit of the text, media, variants or time: an approval holds for one revision.
    revision = models.PositiveIntegerField(default=1)
    approved_revision = models.PositiveIntegerField(null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts", verbose_name=_("campaign")
    )
    first_comment = models.TextField(_("first comment"), blank=True)
    # Put in the queue: the time is the next free slot of the account, chosen when it was queued.
    queued = models.BooleanField(default=False)
    origin = models.CharField(_("origin"), max_length=10, choices=PostOrigin.choices, default=PostOrigin.OWN)
    relay_kind = models.CharField(max_length=10, choices=RelayKind.choices, blank=True)
    relay_url = models.URLField(max_length=1000, blank=True)  # what is relayed (article, post)
    relay_network = models.CharField(max_length=32, blank=True)  # a post relayed on its own network
    relay_external_id = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class Delivery(models.Model):
    """The post's variant for one account, and the one Action that publishes it.

    `text` is the first post; `thread` holds the following posts of a thread (already split to
    the network's limit); the first comment and the thread's posts are child actions of `action`
    (networks.Action.parent), so each goes out once, after the post it answers. `action` is null
    until the post is released (drafts and posts awaiting approval have nothing in the outbox).
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="deliveries")
    text = models.TextField(_("text"))
    thread = models.JSONField(default=list, blank=True)  # list[str]: the rest of the thread
    first_comment = models.TextField(_("first comment"), blank=True)
    media = models.ManyToManyField(MediaItem, blank=True, related_name="deliveries")
    customised = models.BooleanField(default=False)  # edited by hand, not derived from the post's text
    action = models.OneToOneField(Action, null=True, blank=True, on_delete=models.PROTECT, related_name="delivery")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="delivery_unique_post_account")]

    def __str__(self) -> str:
        return f"post {self.post_id} → {self.account_id}"


class PublishingSettings(models.Model):
    """A workspace's publishing rules: approvals, lateness cutoff, UTM tagging."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="publishing_settings")
    # Posts written by members without the publish permission always need approval; with this on,
    # every post does.
    approval_for_everyone = models.BooleanField(_("every post needs approval"), default=False)
    approval_steps = models.PositiveSmallIntegerField(_("approval steps"), default=1)
    late_cutoff_minutes = models.PositiveIntegerField(_("lateness cutoff (minutes)"), default=60)
    utm_enabled = models.BooleanField(_("add UTM parameters to links"), default=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=50, default="social")
    shorten_links = models.BooleanField(_("shorten links"), default=True)

    class Meta:
        verbose_name = _("publishing settings")
        verbose_name_plural = _("publishing settings")

    def __str__(self) -> str:
        return f"publishing settings of {self.workspace_id}"


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
