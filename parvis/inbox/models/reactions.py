"""Reactions to the organisation's posts (favourites, boosts): counted, not worked as conversations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.community.models import Identity
from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount

__all__ = ["Reaction", "ReactionKind"]


class ReactionKind(models.TextChoices):
    FAVOURITE = "favourite", _("Favourite")
    REBLOG = "reblog", _("Boost")


class Reaction(models.Model):
    """One person's favourite or boost of one of our posts, stored once (unique per account and network id)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(_("kind"), max_length=12, choices=ReactionKind.choices)
    external_id = models.CharField(max_length=300)
    target_id = models.CharField(max_length=300, blank=True)  # the post reacted to
    author = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="reactions")
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [models.UniqueConstraint(fields=["account", "external_id"], name="reaction_unique")]
        indexes = [models.Index(fields=["account", "target_id"], name="reaction_target_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"
