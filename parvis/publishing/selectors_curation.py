"""Reads for curation: the entries to relay, and the own-versus-relayed counter.

`relay_share` is what the curation page and the composer show: per network, how many of the
last N posts (planned or published) and of this week's were the workspace's own content and how
many were relays. It counts the same posts as the editorial charter's checks
(`parvis.publishing.editorial.post_history`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from parvis.core.models import Workspace
from parvis.listening.models import FeedEntry
from parvis.publishing.editorial import post_history
from parvis.publishing.models import CurationDismissal, Post, PostOrigin
from parvis.strategy.checks import PastPost, RuleKind
from parvis.strategy.selectors import rule_specs

DEFAULT_LAST_N = 9
# How far back the last N posts are looked for.
LOOKBACK = dt.timedelta(weeks=12)


@dataclass(frozen=True)
class ShareCount:
    own: int = 0
    relayed: int = 0

    @property
    def total(self) -> int:
        return self.own + self.relayed

    @property
    def relayed_percent(self) -> int:
        return round(100 * self.relayed / self.total) if self.total else 0


@dataclass(frozen=True)
class NetworkShare:
    """Own and relayed posts of one network ("" for all networks, a post counted once)."""

    network: str
    last: ShareCount  # the last N posts
    week: ShareCount  # this ISO week, in the workspace's time zone
    last_n: int


def charter_window(workspace: Workspace) -> int:
    """How many recent posts the workspace's relay-share rule looks at (the first enabled one)."""
    for rule in rule_specs(workspace):
        if rule.kind == RuleKind.RELAY_SHARE:
            return max(1, int(rule.param("last_n")))
    return DEFAULT_LAST_N


def _count(items: Sequence[PastPost]) -> ShareCount:
    relayed = sum(1 for item in items if item.is_relay)
    return ShareCount(own=len(items) - relayed, relayed=relayed)


def _week_bounds(now: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    local = now.astimezone(zone)
    monday = (local - dt.timedelta(days=local.weekday())).date()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=zone)
    return start, end


def relay_share(
    workspace: Workspace,
    *,
    last_n: int | None = None,
    now: dt.datetime | None = None,
    networks: Sequence[str] = (),
) -> list[NetworkShare]:
    """Own versus relayed posts per network, plus an overall line first (network "").

    The last N posts are those planned or published up to the end of this week (N: the
    charter's relay-share rule if the workspace has one, else 9); the week is the ISO week of
    `now` in the workspace's time zone.
    """
    last_n = last_n or charter_window(workspace)
    moment = now or timezone.now()
    week_start, week_end = _week_bounds(moment, workspace.zone)
    history = [
        item
        for item in post_history(workspace, start=moment - LOOKBACK, end=week_end, networks=networks)
        if item.published_at < week_end
    ]
    per_network: dict[str, list[PastPost]] = defaultdict(list)
    overall: dict[int | None, PastPost] = {}
    for item in history:
        per_network[item.network].append(item)
        overall[item.post_id] = item  # one line per post, whatever the number of networks

    def line(network: str, items: Sequence[PastPost]) -> NetworkShare:
        ordered = sorted(items, key=lambda item: item.published_at)
        return NetworkShare(
            network=network,
            last=_count(ordered[-last_n:]),
            week=_count([item for item in ordered if week_start <= item.published_at < week_end]),
            last_n=last_n,
        )

    lines = [line("", list(overall.values()))]
    lines += [line(network, items) for network, items in sorted(per_network.items())]
    return lines


# --- The entries to relay ---------------------------------------------------------------------

SHOW_CHOICES = ("todo", "relayed", "dismissed", "all")


@dataclass
class CurationRow:
    entry: FeedEntry
    relays: list[Post] = field(default_factory=list)
    dismissed: bool = False


def _relay_posts(workspace: Workspace) -> QuerySet[Post]:
    return Post.objects.filter(workspace=workspace, origin=PostOrigin.RELAY)


def _relayed_exists(workspace: Workspace) -> Exists:
    same_link = Q(relay_url=OuterRef("url")) & ~Q(relay_url="")
    same_post = Q(relay_external_id=OuterRef("external_id"), relay_network=OuterRef("source__network")) & ~Q(
        relay_external_id=""
    )
    return Exists(_relay_posts(workspace).filter(same_link | same_post))


def curation_list(
    workspace: Workspace, *, show: str = "todo", source_id: int | None = None, limit: int = 100
) -> list[CurationRow]:
    """Feed entries with what became of them: relayed (by which posts), dismissed, or to do."""
    entries = (
        FeedEntry.objects.filter(workspace=workspace)
        .select_related("source")
        .annotate(
            is_relayed=_relayed_exists(workspace),
            is_dismissed=Exists(CurationDismissal.objects.filter(workspace=workspace, entry=OuterRef("pk"))),
        )
    )
    if source_id:
        entries = entries.filter(source_id=source_id)
    if show == "todo":
        entries = entries.filter(is_relayed=False, is_dismissed=False)
    elif show == "relayed":
        entries = entries.filter(is_relayed=True)
    elif show == "dismissed":
        entries = entries.filter(is_dismissed=True)
    page = list(entries.order_by("-published_at", "-id")[:limit])
    urls = {entry.url for entry in page if entry.url}
    external_ids = {entry.external_id for entry in page if entry.external_id}
    relays = list(
        _relay_posts(workspace)
        .filter(Q(relay_url__in=urls) | Q(relay_external_id__in=external_ids))
        .order_by("-scheduled_at", "-id")
    )
    rows: list[CurationRow] = []
    for entry in page:
        matching = [
            post
            for post in relays
            if (entry.url and post.relay_url == entry.url)
            or (
                post.relay_external_id
                and post.relay_external_id == entry.external_id
                and post.relay_network == entry.source.network
            )
        ]
        rows.append(CurationRow(entry=entry, relays=matching, dismissed=bool(getattr(entry, "is_dismissed", False))))
    return rows


def curation_entry_get(workspace: Workspace, entry_id: int) -> FeedEntry:
    """One entry of the workspace (FeedEntry.DoesNotExist otherwise)."""
    return FeedEntry.objects.select_related("source").get(workspace=workspace, pk=entry_id)
