"""Working the inbox: labels, internal notes, saved replies, saved views and assignment rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace

__all__ = ["AssignmentRule", "Label", "Note", "SavedReply", "SavedView"]


class Label(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_labels")
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="inbox_label_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """An internal note on a conversation: for the team only, never sent to any network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_notes")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class SavedReply(models.Model):
    """An answer written once and reused; `{name}`-style variables are filled for the message answered."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_replies")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    shortcut = models.SlugField(_("shortcut"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "shortcut"],
                condition=~models.Q(shortcut=""),
                name="inbox_saved_reply_unique_shortcut",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A named set of inbox filters (the list's query string); `owner=None` means shared with the team."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_views")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class AssignmentRule(models.Model):
    """Who gets a new conversation. Rules are tried in `position` order; the first that matches wins.

    Every condition left empty matches anything; the keyword is looked for in the message text
    (case-insensitive). The action is one member, or each of `members` in turn (round-robin).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assignment_rules")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Conditions
    account = models.ForeignKey(
        "networks.ConnectedAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    network = models.CharField(_("network"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    category = models.CharField(_("class"), max_length=24, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    keyword = models.CharField(_("keyword"), max_length=120, blank=True)
    # Action
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    round_robin = models.BooleanField(_("each in turn"), default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    round_robin_last = models.PositiveIntegerField(default=0)  # user id given the last conversation
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
