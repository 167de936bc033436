"""Members of the community (one per person) and their identities on each network."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace


class Member(models.Model):
    """A person of the community, across networks."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="community_members")
    display_name = models.CharField(_("name"), max_length=200)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("community member")
        verbose_name_plural = _("community members")

    def __str__(self) -> str:
        return self.display_name


class Identity(models.Model):
    """One person's handle on one network. `external_id` is stable across the organisation's accounts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="identities")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(_("network"), max_length=32)
    external_id = models.CharField(max_length=300)
    handle = models.CharField(_("handle"), max_length=300)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    is_bot = models.BooleanField(default=False)
    follows_since = models.DateTimeField(_("follows us since"), null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["workspace", "network", "external_id"], name="identity_unique")]

    def __str__(self) -> str:
        return f"{self.handle} ({self.network})"
