"""Live events: programme, speakers and their handles, prepared posts, the live wall.

An event has one hashtag, written on every post about it (SEEDS §2, live-tweet). Its programme
is a list of sessions with their speakers; each speaker has at most one handle per network,
so the live composer mentions them the right way on each network. The posts Parvis publishes
for the event (announcements ahead, live posts, the recap) stay ordinary `Post`s, linked by
`EventPost`. The live wall holds what everyone posts with the hashtag, as read from the
networks that can search (`WallItem`, one row per post seen).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models.posts import Post

__all__ = [
    "EventPost",
    "EventPostKind",
    "EventSession",
    "EventStatus",
    "LiveEvent",
    "PreparedPost",
    "Speaker",
    "SpeakerHandle",
    "WallItem",
    "normalise_hashtag",
    "validate_hashtag",
]

# Letters, digits and underscores, with at least one letter: what Mastodon, Bluesky and X link as a tag.
_HASHTAG_RE = re.compile(r"^\w*[^\W\d_]\w*$")


def normalise_hashtag(value: str) -> str:
    """The hashtag as stored: without "#" and without surrounding spaces ("#Rencontres26" → "Rencontres26")."""
    return value.strip().lstrip("#").strip()


def validate_hashtag(value: str) -> None:
    if not _HASHTAG_RE.match(normalise_hashtag(value)):
        raise ValidationError(
            _("A hashtag is one word of letters, digits or underscores, with at least one letter (no spaces)."),
            code="invalid_hashtag",
        )


class EventStatus(models.TextChoices):
    """What the team decided; whether it is running is read from its times (`LiveEvent.phase`)."""

    PREPARING = "preparing", _("In preparation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class LiveEvent(models.Model):
    """An event covered live on the networks: a conference, a trade fair, a press conference."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="live_events")
    name = models.CharField(_("name"), max_length=200)
    hashtag = models.CharField(_("hashtag"), max_length=100, validators=[validate_hashtag])
    place = models.CharField(_("place"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.PREPARING)
    # The accounts that cover the event: chosen by default in the live composer and for announcements.
    accounts = models.ManyToManyField(ConnectedAccount, blank=True, related_name="live_events")
    # Live wall: where each account's search stopped ({account id: connector cursor}), when it was
    # last read, and what went wrong then (shown above the wall).
    wall_cursors = models.JSONField(default=dict, blank=True)
    wall_refreshed_at = models.DateTimeField(null=True, blank=True)
    wall_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="live_event_ends_after")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag(self) -> str:
        """The hashtag as written in a post: "#Rencontres26"."""
        return f"#{self.hashtag}"

    def phase(self, now: datetime | None = None) -> str:
        """ "upcoming", "live" or "over", from the event's times."""
        current = now or timezone.now()
        if current < self.starts_at:
            return "upcoming"
        if current < self.ends_at:
            return "live"
        return "over"


class Speaker(models.Model):
    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SpeakerHandle(models.Model):
    """How to mention a speaker on one network ("@marie@piaille.fr" on Mastodon, "marie.bsky.social" on Bluesky)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(_("network"), max_length=32)
    handle = models.CharField(_("handle"), max_length=200)

    class Meta:
        verbose_name = _("speaker handle")
        verbose_name_plural = _("speaker handles")
        ordering = ["network"]
        constraints = [models.UniqueConstraint(fields=["speaker", "network"], name="speaker_handle_one_per_network")]

    def __str__(self) -> str:
        return f"{self.handle} ({self.network})"


class EventSession(models.Model):
    """One slot of the programme: a talk, a round table, a keynote."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions", verbose_name=_("speakers"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PreparedPost(models.Model):
    """A post written before the event, to publish during a session in one keystroke.

    The text may hold placeholders filled for each network when it goes out: {hashtag},
    {speaker} (the session's speakers, mentioned the way the network mentions), {session},
    {room}, {event}.
    """

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="prepared_posts")
    session = models.ForeignKey(
        EventSession, null=True, blank=True, on_delete=models.CASCADE, related_name="prepared_posts"
    )
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prepared post")
        verbose_name_plural = _("prepared posts")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class EventPostKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    LIVE = "live", _("Live post")
    RECAP = "recap", _("Recap")


class EventPost(models.Model):
    """A post published for the event: an announcement ahead, a live post during a session, the recap."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="event_posts")
    session = models.ForeignKey(
        EventSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_posts"
    )
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="event_link")
    kind = models.CharField(_("kind"), max_length=20, choices=EventPostKind.choices)
    # Announcements: which one of the schedule ("J-7", "J-1", "start"), so it is not scheduled twice.
    label = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event post")
        verbose_name_plural = _("event posts")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of event {self.event_id}: post {self.post_id}"


class WallItem(models.Model):
    """One public post carrying the event's hashtag, as a network's search returned it. Text is plain text."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="wall_items")
    network = models.CharField(_("network"), max_length=32)
    account = models.ForeignKey(
        ConnectedAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the account whose search found it
    external_id = models.CharField(max_length=300)
    author_handle = models.CharField(_("handle"), max_length=300)
    author_name = models.CharField(_("name"), max_length=300, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(_("text"))
    url = models.URLField(max_length=1000, blank=True)
    occurred_at = models.DateTimeField(_("posted"), db_index=True)
    # The session running when it was posted: questions are gathered per session for the speakers.
    session = models.ForeignKey(
        EventSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="wall_items"
    )
    own = models.BooleanField(default=False)  # posted by one of the workspace's accounts
    is_question = models.BooleanField(_("question"), default=False)
    starred = models.BooleanField(_("starred"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wall item")
        verbose_name_plural = _("wall items")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "network", "external_id"], name="wall_item_unique_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:60]}"
