"""Conversations and messages from every connected account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [models.UniqueConstraint(fields=["account", "thread_key"], name="conversation_unique_thread")]
        indexes = [models.Index(fields=["workspace", "status", "-last_message_at"], name="inbox_list_idx")]

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
