"""Short links served by Parvis (/l/<code>) and their clicks; curation marks on feed entries.

One `ShortLink` per (post, account, original URL): the same article shared on Mastodon and on
LinkedIn gets two codes, so clicks are counted per network. Clicks are rolled up per link and
per day (in the workspace's time zone) in `LinkClickDay`, incremented with F() so concurrent
clicks never lose a count; statistics per network, post and campaign are sums over those rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Workspace
from parvis.listening.models import FeedEntry
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models.posts import Campaign, Post

__all__ = ["CurationDismissal", "LinkClickDay", "ShortLink"]


class ShortLink(models.Model):
    """A short code served by Parvis that redirects to `target_url` (the original URL plus UTM)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="short_links")
    code = models.CharField(_("code"), max_length=16, unique=True)
    # What the author wrote, and where the redirect goes (with UTM parameters when enabled).
    original_url = models.URLField(_("original address"), max_length=2000)
    target_url = models.URLField(_("destination"), max_length=2500)
    # Links outlive their post: the statistics stay when a post is deleted.
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links")
    account = models.ForeignKey(
        ConnectedAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links"
    )
    network = models.CharField(_("network"), max_length=32, blank=True, db_index=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links")
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    last_clicked_at = models.DateTimeField(_("last click"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "account", "original_url"], name="short_link_unique_post_account_url"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.original_url}"


class LinkClickDay(models.Model):
    """How many clicks one short link had on one day (workspace time zone)."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="click_days")
    day = models.DateField(_("day"), db_index=True)
    count = models.PositiveBigIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("clicks of a day")
        verbose_name_plural = _("clicks per day")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="link_click_day_unique")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.day}: {self.count}"


class CurationDismissal(models.Model):
    """A feed entry the team chose not to relay: it leaves the curation list (and can come back).

    Entries already relayed need no row: the relay posts themselves say so (Post.relay_url and
    relay_external_id). Kept here, with the links: both are about what Parvis points people to.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="curation_dismissals")
    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="curation_dismissals")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed feed entry")
        verbose_name_plural = _("dismissed feed entries")
        constraints = [models.UniqueConstraint(fields=["workspace", "entry"], name="curation_dismissal_unique_entry")]

    def __str__(self) -> str:
        return f"dismissed {self.entry_id}"
