"""Conversations and messages from every connected account."""

from __future__ import annotations

__all__ = [
    "Category",
    "Conversation",
    "ConversationStatus",
    "Direction",
    "LabelSource",
    "Message",
    "MessageKind",
    "ModerationState",
    "Sentiment",
]

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.community.models import Identity
from parvis.core.models import Workspace
from parvis.networks.models import Action, ConnectedAccount


class ConversationStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")


class MessageKind(models.TextChoices):
    MENTION = "mention", _("Mention")
    REPLY = "reply", _("Reply")
    DIRECT_MESSAGE = "direct_message", _("Private message")
    FOLLOW = "follow", _("New follower")
    REVIEW = "review", pgettext_lazy("message kind", "Review")


class Category(models.TextChoices):
    """The triage class of an incoming message (values are parvis.nlp.classes.LABELS)."""

    QUESTION = "question", _("Question")
    PRAISE = "praise", _("Praise")
    CRITICISM = "criticism", _("Criticism")
    AGGRESSIVE = "aggressive", _("Aggressive")
    INSULT_OR_HATE = "insult-or-hate", _("Insult or hate")
    SPAM_OR_ADVERTISING = "spam-or-advertising", _("Spam or advertising")
    OTHER = "other", _("Other")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class LabelSource(models.TextChoices):
    MODEL = "model", _("Model")
    PERSON = "person", _("Person")
    RULE = "rule", _("Rule")


class ModerationState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden")
    DELETED = "deleted", _("Deleted")


class Conversation(models.Model):
    """A thread on one account: the unit the community manager works on."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="conversations")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="conversations")
    thread_key = models.CharField(max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ConversationStatus.choices, default=ConversationStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(db_index=True)
    preview = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Triage: the highest priority among its messages waiting for an answer (0..100).
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    # SLA timers (inbox.sla): the policy that applies and the deadlines it gives, in absolute time.
    sla_policy = models.ForeignKey(
        "inbox.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    awaiting_since = models.DateTimeField(null=True, blank=True)  # oldest incoming message not answered yet
    first_response_due_at = models.DateTimeField(_("first answer due"), null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    labels = models.ManyToManyField("inbox.Label", blank=True, related_name="conversations")

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [models.UniqueConstraint(fields=["account", "thread_key"], name="conversation_unique_thread")]
        indexes = [
            models.Index(fields=["workspace", "status", "-last_message_at"], name="inbox_list_idx"),
            models.Index(fields=["workspace", "status", "-priority", "-last_message_at"], name="inbox_priority_idx"),
            # "Open" (everything not done) is the default view: newest first, or by priority.
            models.Index(fields=["workspace", "-last_message_at", "-id"], name="inbox_newest_idx"),
            models.Index(
                fields=["workspace", "-priority", "-last_message_at", "-id"],
                name="inbox_open_priority_idx",
                condition=~models.Q(status="done"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class Message(models.Model):
    """One comment, mention, private message or follow, received or sent."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.IN)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    external_id = models.CharField(max_length=200, blank=True)
    in_reply_to_id = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    text = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    visibility = models.CharField(max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Sent messages: who wrote them and the Action that carries them to the network.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.OneToOneField(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_message"
    )
    # Triage (incoming messages), filled on arrival by inbox.triage; a person's correction wins.
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    category = models.CharField(_("class"), max_length=24, choices=Category.choices, blank=True, db_index=True)
    category_score = models.FloatField(null=True, blank=True)
    category_source = models.CharField(max_length=10, choices=LabelSource.choices, blank=True)
    signals = models.JSONField(default=dict, blank=True)  # data for people, never a decision on its own
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    # Answering many at once (inbox.grouping): the group of messages that ask the same thing.
    group = models.ForeignKey(
        "inbox.MessageGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Moderation: what the organisation did to it on the network (moderation app decides).
    moderation_state = models.CharField(
        _("moderation"), max_length=10, choices=ModerationState.choices, default=ModerationState.VISIBLE
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=models.Q(direction="in"),
                name="message_unique_incoming",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id or self.pk}"
