"""Inbox models of the welcome area: per-account rules for new followers, and the log of what was done."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.community.models import Identity
from parvis.core.models import Workspace
from parvis.networks.models import Action, ConnectedAccount

__all__ = ["ThanksMode", "WelcomeDecision", "WelcomeLog", "WelcomeRule"]


class ThanksMode(models.TextChoices):
    NONE = "none", _("Do not thank")
    MENTION = "mention", _("A public post mentioning them")
    DIRECT = "direct", _("A private message")


class WelcomeRule(models.Model):
    """How one account welcomes its new followers: follow back, thank, within rate limits."""

    account = models.OneToOneField(ConnectedAccount, on_delete=models.CASCADE, related_name="welcome_rule")
    enabled = models.BooleanField(_("enabled"), default=False)
    follow_back = models.BooleanField(_("follow back"), default=True)
    thanks = models.CharField(_("thank them by"), max_length=10, choices=ThanksMode.choices, default=ThanksMode.NONE)
    mention_template = models.TextField(
        _("public thanks"),
        default="Bienvenue {handle}, merci de nous suivre !",
        help_text=_("Variables: {handle}, {name}, {account}."),
    )
    direct_template = models.TextField(
        _("private thanks"),
        default="Bonjour {name}, merci de nous suivre ! Une question ? Écrivez-nous ici.",
        help_text=_("Variables: {handle}, {name}, {account}."),
    )
    # Likely spam accounts are skipped: each test can be turned off.
    skip_bots = models.BooleanField(_("skip accounts marked as bots"), default=True)
    skip_no_display_name = models.BooleanField(_("skip accounts without a display name"), default=True)
    skip_digit_handles = models.BooleanField(_("skip handles full of digits"), default=True)
    skip_default_avatar = models.BooleanField(_("skip accounts with the default avatar"), default=True)
    skip_spam_class = models.BooleanField(_("skip authors of messages classed as spam"), default=True)
    per_hour = models.PositiveIntegerField(_("at most per hour"), default=10)
    per_day = models.PositiveIntegerField(_("at most per day"), default=50)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("welcome rule")
        verbose_name_plural = _("welcome rules")

    def __str__(self) -> str:
        return f"welcome rule of {self.account_id}"


class WelcomeDecision(models.TextChoices):
    WELCOMED = "welcomed", _("Welcomed")
    DEFERRED = "deferred", _("Welcomed later (rate limit or quiet hours)")
    SKIPPED = "skipped", _("Skipped (likely spam)")
    NOTHING = "nothing", _("Nothing to do")


class WelcomeLog(models.Model):
    """One new follower and what the welcome rule did about them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="welcome_logs")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="welcome_logs")
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="welcome_logs"
    )
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handle = models.CharField(_("handle"), max_length=300)
    decision = models.CharField(_("decision"), max_length=10, choices=WelcomeDecision.choices)
    reasons = models.JSONField(default=list, blank=True)  # why skipped, deferred, or what the network could not do
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    follow_action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    thanks_action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("welcome log entry")
        verbose_name_plural = _("welcome log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "due_at"], name="welcome_log_due_idx")]

    def __str__(self) -> str:
        return f"{self.decision} {self.handle}"
