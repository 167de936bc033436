"""Connected accounts, polling cursors, the Action outbox and its ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.crypto import EncryptedJSONField
from parvis.core.models import Voice, Workspace
from parvis.networks.protocol import AccountRef, ActionKind


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_REAUTH = "needs_reauth", _("Needs reconnection")
    ERROR = "error", _("Error")
    DISABLED = "disabled", _("Disabled")


class ConnectedAccount(models.Model):
    """One account of the organisation on one network (or one feed)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    voice = models.ForeignKey(
        Voice, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts", verbose_name=_("voice")
    )
    network = models.CharField(_("network"), max_length=32)
    instance_url = models.URLField(_("address"), max_length=500)
    external_id = models.CharField(max_length=200)
    handle = models.CharField(_("handle"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    credentials = EncryptedJSONField(blank=True, default=dict)
    status = models.CharField(_("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_poll_ok_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "instance_url", "external_id"], name="account_unique_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.network})"

    def as_ref(self) -> AccountRef:
        return AccountRef(
            id=self.pk,
            network=self.network,
            instance_url=self.instance_url,
            external_id=self.external_id,
            handle=self.handle,
            credentials=dict(self.credentials),
            save_credentials=self._save_credentials,
        )

    def _save_credentials(self, credentials: dict[str, Any]) -> None:
        # Saved on its own, right away: a rotated refresh token lost in a rolled-back transaction
        # would lock the account out.
        self.credentials = credentials
        ConnectedAccount.objects.filter(pk=self.pk).update(credentials=credentials)


class PollCursor(models.Model):
    """Where the last successful poll of one account stopped."""

    account = models.OneToOneField(ConnectedAccount, on_delete=models.CASCADE, related_name="cursor")
    value = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cursor for {self.account_id}"


class ActionStatus(models.TextChoices):
    """What the worker does with the row. `HELD` waits for a person (reconnection, decision)."""

    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.Model):
    """One thing to do on a network, written in the same transaction as the decision that asks for it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="actions")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.value) for k in ActionKind])
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PENDING, db_index=True
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    external_id = models.CharField(max_length=200, blank=True)
    external_url = models.URLField(max_length=500, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    source = models.CharField(max_length=64, blank=True)  # e.g. "publishing.delivery", "inbox.reply"
    summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A thread's next post or a first comment waits for the action it answers: it runs once its
    # parent is done, answering the parent's external id (payload "reply_to_parent": true).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("after")
    )
    # Past this instant a due action no longer goes out on its own: it is held for a person
    # (a scheduled post published hours late can do more harm than good). Null: no cutoff.
    late_after = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)  # read back from the network

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="action_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.account_id} ({self.status})"


class AttemptOutcome(models.TextChoices):
    OK = "ok", _("Succeeded")
    TRANSIENT = "transient", _("Temporary failure")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    AUTH_EXPIRED = "auth_expired", _("Authorisation expired")
    PERMANENT = "permanent", _("Refused")
    ABANDONED = "abandoned", _("Worker stopped")
    CRASHED = "crashed", _("Internal error")
    LATE = "late", _("Too late to publish on its own")
    FOUND = "found", _("Already on the network")  # a safe retry found the post published: not sent again


class ActionAttempt(models.Model):
    """One try at an action: the ledger's detail."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt on {self.action_id}: {self.outcome}"


class Heartbeat(models.Model):
    """Last sign of life of a long-running process (scheduler, workers)."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at}"


class OAuthClient(models.Model):
    """An app registration on one instance (Mastodon registers one app per instance)."""

    network = models.CharField(max_length=32)
    instance_url = models.URLField(max_length=500)
    redirect_uri = models.URLField(max_length=500)
    credentials = EncryptedJSONField(blank=True, default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "instance_url", "redirect_uri"], name="oauth_client_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network} app on {self.instance_url}"
