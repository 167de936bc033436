"""Groups of messages that ask the same thing, answered once; questions that keep coming back (FAQ)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.core.models import Workspace

__all__ = [
    "AnswerMode",
    "FaqEntry",
    "FaqReason",
    "FaqSuggestion",
    "FaqSuggestionStatus",
    "GroupStatus",
    "MessageGroup",
    "MessageVector",
]


class GroupStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("group status", "Open")
    ANSWERED = "answered", pgettext_lazy("group status", "Answered")
    CLOSED = "closed", pgettext_lazy("group status", "Closed")


class AnswerMode(models.TextChoices):
    EACH = "each", _("Reply to each person")
    POINT = "point", _("Answer one, point the others to it")


class MessageGroup(models.Model):
    """Messages across accounts and networks that ask the same thing (near-duplicates and paraphrases).

    Every message that may be grouped gets a group, alone at first: a group is shown once it holds
    two messages or more. `centroid` is the mean of the members' content embeddings (float32 bytes,
    little-endian, no pickle; empty for a group of near-duplicates only), `samples` a few normalised
    texts for the near-duplicate comparison.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="message_groups")
    representative_text = models.TextField(_("question"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    size = models.PositiveIntegerField(_("messages"), default=0)
    centroid = models.BinaryField(null=True, blank=True)
    embedded = models.PositiveIntegerField(default=0)  # members that contributed to the centroid
    samples = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    first_message_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_text = models.TextField(_("answer"), blank=True)
    answer_mode = models.CharField(_("answered how"), max_length=10, choices=AnswerMode.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("group of similar messages")
        verbose_name_plural = _("groups of similar messages")
        indexes = [
            models.Index(fields=["workspace", "status", "-last_message_at"], name="inbox_group_open_idx"),
        ]

    def __str__(self) -> str:
        return self.representative_text[:60]


class MessageVector(models.Model):
    """A grouped message's content embedding, kept so a group's centroid can be recomputed without the model."""

    message = models.OneToOneField("inbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="+")
    vector = models.BinaryField()

    class Meta:
        verbose_name = _("message embedding")
        verbose_name_plural = _("message embeddings")

    def __str__(self) -> str:
        return f"embedding of message {self.message_id}"


class FaqReason(models.TextChoices):
    RECURRING = "recurring", _("Asked again and again")
    SIMILAR_ANSWERS = "similar-answers", _("Answered the same way several times")


class FaqSuggestionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("faq suggestion status", "To review")
    ACCEPTED = "accepted", pgettext_lazy("faq suggestion status", "Accepted")
    DISMISSED = "dismissed", pgettext_lazy("faq suggestion status", "Dismissed")


class FaqSuggestion(models.Model):
    """A question that keeps coming back: a candidate entry for the FAQ, accepted or dismissed by a person."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="faq_suggestions")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    reason = models.CharField(_("why"), max_length=20, choices=FaqReason.choices)
    groups = models.ManyToManyField(MessageGroup, related_name="faq_suggestions")
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FaqSuggestionStatus.choices, default=FaqSuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ suggestion")
        verbose_name_plural = _("FAQ suggestions")
        indexes = [models.Index(fields=["workspace", "status", "-created_at"], name="inbox_faq_sugg_idx")]

    def __str__(self) -> str:
        return self.question[:60]


class FaqEntry(models.Model):
    """A question and its answer, published by the organisation (from a suggestion or written by hand)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    suggestion = models.OneToOneField(
        FaqSuggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="entry"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.question[:60]
