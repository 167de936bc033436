"""Moderation under a published charter: versions and clauses, rules, ban list, decisions, appeals.

Every removal points at the clause of the charter it applies and says who (a person) or
what (a rule) decided it. Published versions never change: a new text is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parvis.community.models import Identity
from parvis.core.models import Workspace
from parvis.networks.models import Action

__all__ = [
    "Appeal",
    "AppealChannel",
    "AppealStatus",
    "BanListEntry",
    "Charter",
    "CharterClause",
    "CharterVersion",
    "DecisionAction",
    "DecisionOutcome",
    "ExplanationMode",
    "ModerationDecision",
    "ModerationRule",
    "ModerationSettings",
    "RemovalAction",
]


class Charter(models.Model):
    """The workspace's code of conduct, published at /charter/<slug>/. The draft is edited, versions are published."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="moderation_charter")
    slug = models.SlugField(_("public address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    draft_body = models.TextField(_("draft"), blank=True)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community charter")
        verbose_name_plural = _("community charters")

    def __str__(self) -> str:
        return self.title


class CharterVersion(models.Model):
    """One published text of the charter. Immutable: `save()` refuses to change a stored version."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(editable=False)  # rendered once at publication, raw HTML escaped
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["charter", "number"], name="charter_version_unique")]

    def __str__(self) -> str:
        return f"{self.charter_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError(_("A published charter version cannot be changed: publish a new version."))
        super().save(*args, **kwargs)


class CharterClause(models.Model):
    """A numbered clause of one version ("3.2 No insults"), read from the version's headings."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="clauses")
    code = models.CharField(_("clause"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("charter clause")
        verbose_name_plural = _("charter clauses")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="charter_clause_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def anchor(self) -> str:
        """The fragment of the clause on the public page: "3.2" → "clause-3-2"."""
        return "clause-" + "-".join(part for part in self.code.replace(".", "-").split("-") if part)


class ExplanationMode(models.TextChoices):
    REPLY = "reply", _("A public reply to the message")
    DIRECT = "direct", _("A private message to its author")
    NONE = "none", _("No explanation")


class ModerationSettings(models.Model):
    """Per-workspace moderation policy."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="moderation_settings")
    # "Never delete, hide only": every delete becomes a hide, and a DELETE is never written.
    hide_only = models.BooleanField(_("never delete, hide only"), default=True)
    explanation_mode = models.CharField(
        _("explain removals by"), max_length=10, choices=ExplanationMode.choices, default=ExplanationMode.REPLY
    )
    explanation_template = models.TextField(
        _("explanation"),
        default=(
            "{author} your message was hidden under clause {clause_code} ({clause_title}) of our community "
            "charter: {clause_url}"
        ),
        help_text=_("Variables: {author}, {clause_code}, {clause_title}, {charter_url}, {clause_url}, {workspace}."),
    )
    # Empty: Parvis's own public page of the charter (PARVIS_BASE_URL + /charter/<slug>/).
    charter_url = models.URLField(_("charter address"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return f"moderation settings of {self.workspace_id}"


class RemovalAction(models.TextChoices):
    NONE = "", _("Leave it visible")
    HIDE = "hide", _("Hide")
    DELETE = "delete", _("Delete")


class ModerationRule(models.Model):
    """Conditions on an incoming message and what to do when they all hold. Disabled or dry-run rules act on nothing."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="moderation_rules")
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Log what the rule would do, do nothing on the network.")
    )
    # Conditions: every condition that is set must hold; a rule with no condition matches nothing.
    categories = models.JSONField(_("classes"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    patterns = models.JSONField(_("patterns"), default=list, blank=True)
    has_links = models.BooleanField(_("holds a link"), default=False)
    mentions_only = models.BooleanField(_("only @mentions"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    author_banned = models.BooleanField(_("author on the ban list"), default=False)
    repeat_count = models.PositiveIntegerField(_("repeated messages"), default=0)
    repeat_window_minutes = models.PositiveIntegerField(_("within (minutes)"), default=60)
    # Actions
    removal = models.CharField(_("removal"), max_length=10, choices=RemovalAction.choices, blank=True, default="")
    explain = models.BooleanField(_("explain the removal"), default=True)
    reply_template = models.TextField(_("reply"), blank=True)
    label = models.ForeignKey(
        "inbox.Label", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("label")
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assign to"),
    )
    mute = models.BooleanField(_("mute the author"), default=False)
    block = models.BooleanField(_("block the author"), default=False)
    ban = models.BooleanField(_("add the author to the ban list"), default=False)
    ban_days = models.PositiveIntegerField(_("ban for (days, 0: no end)"), default=0)
    escalate = models.BooleanField(_("notify the managers"), default=False)
    clause = models.ForeignKey(
        CharterClause,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rules",
        verbose_name=_("charter clause"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("moderation rule")
        verbose_name_plural = _("moderation rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class BanListEntry(models.Model):
    """Someone whose messages rules may act on ("author on the ban list"), until a date or for good."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="moderation_bans")
    network = models.CharField(_("network"), max_length=32)
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handle = models.CharField(_("handle"), max_length=300)
    reason = models.TextField(_("reason"), blank=True)
    clause = models.ForeignKey(CharterClause, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ban list entry")
        verbose_name_plural = _("ban list")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "network", "handle"], name="moderation_ban_handle_idx")]

    def __str__(self) -> str:
        return f"{self.handle} ({self.network})"


class DecisionAction(models.TextChoices):
    HIDE = "hide", _("Hide")
    DELETE = "delete", _("Delete")
    MUTE = "mute", _("Mute")
    BLOCK = "block", _("Block")
    BAN = "ban", _("Ban")
    REPLY = "reply", _("Reply")
    LABEL = "label", _("Label")
    ASSIGN = "assign", _("Assign")
    ESCALATE = "escalate", _("Escalate")
    UNHIDE = "unhide", _("Make visible again")


class DecisionOutcome(models.TextChoices):
    """What actually happened, whatever was asked: never claim a hide the network did not do."""

    NETWORK = "network", _("Done on the network")
    PARVIS_ONLY = "parvis_only", _("Hidden in Parvis only (the network cannot hide it)")
    NONE = "none", _("Nothing removed")
    DRY_RUN = "dry_run", _("Dry run: nothing done")


class ModerationDecision(models.Model):
    """One moderation decision on one message: which clause, who or which rule, what reached the network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="moderation_decisions")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="moderation_decisions")
    action = models.CharField(_("decision"), max_length=10, choices=DecisionAction.choices)
    requested = models.CharField(_("asked"), max_length=10, choices=DecisionAction.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    clause = models.ForeignKey(CharterClause, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(ModerationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    rule_name = models.CharField(max_length=120, blank=True)  # kept when the rule is deleted
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("what was done"), blank=True)  # fallbacks, in words
    at = models.DateTimeField(_("at"), db_index=True)
    dry_run = models.BooleanField(default=False)
    actions = models.ManyToManyField(Action, blank=True, related_name="moderation_decisions")
    explanation = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reverted = models.BooleanField(_("reverted"), default=False)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"], name="moderation_decision_at_idx")]

    def __str__(self) -> str:
        return f"{self.action} on message {self.message_id}"


class AppealChannel(models.TextChoices):
    REPLY = "reply", _("Public reply")
    DIRECT = "direct", _("Private message")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class AppealStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("appeal", "Open")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class Appeal(models.Model):
    """Someone contests a decision; the answer upholds or overturns it (overturned: made visible again)."""

    decision = models.ForeignKey(ModerationDecision, on_delete=models.CASCADE, related_name="appeals")
    received_at = models.DateTimeField(_("received"))
    channel = models.CharField(_("channel"), max_length=10, choices=AppealChannel.choices)
    text = models.TextField(_("appeal"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"appeal {self.pk} on decision {self.decision_id}"
