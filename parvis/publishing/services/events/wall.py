"""The live wall: what everyone posts with the hashtag, read through the networks that can search."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.errors import ConnectorError
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import NetworkEvent
from parvis.networks.search import account_can_search, account_search
from parvis.publishing.models import LiveEvent, WallItem
from parvis.publishing.services.events.common import require_own_event
from parvis.publishing.services.events.texts import looks_like_question

logger = logging.getLogger(__name__)


# The wall is read at most this often per event, whatever the number of open pages polling it.
WALL_REFRESH_SECONDS = 15


@dataclass
class WallRefreshReport:
    skipped: bool = False  # read less than WALL_REFRESH_SECONDS ago
    searched: int = 0  # accounts searched
    added: int = 0
    errors: list[str] = field(default_factory=list)


def _search_accounts(event: LiveEvent) -> list[ConnectedAccount]:
    """One account per network and instance (two accounts on one instance see the same posts); the
    event's own accounts first."""
    chosen = {account.pk for account in event.accounts.all()}
    candidates = sorted(
        ConnectedAccount.objects.filter(workspace=event.workspace).order_by("pk"),
        key=lambda account: (account.pk not in chosen, account.pk),
    )
    picked: dict[tuple[str, str], ConnectedAccount] = {}
    for account in candidates:
        key = (account.network, account.instance_url.rstrip("/").lower())
        if key not in picked and account_can_search(account):
            picked[key] = account
    return list(picked.values())


def _claim_refresh(event: LiveEvent, now: datetime, force: bool) -> bool:
    """Take the right to read the wall now (a conditional UPDATE: two pages polling at once read it once)."""
    rows = LiveEvent.objects.filter(pk=event.pk)
    if not force:
        rows = rows.filter(
            Q(wall_refreshed_at__isnull=True) | Q(wall_refreshed_at__lte=now - timedelta(seconds=WALL_REFRESH_SECONDS))
        )
    return rows.update(wall_refreshed_at=now) == 1


def event_wall_refresh(*, event: LiveEvent, force: bool = False, now: datetime | None = None) -> WallRefreshReport:
    """Read what everyone posted with the hashtag since the last time, and store it on the wall once.

    1. Claim the refresh (at most one every WALL_REFRESH_SECONDS per event unless `force`).
    2. Search "#hashtag" with one account per network and instance that can search, each from
       its own cursor; a network's error is kept for the page, the others go on.
    3. Store the new posts (unique per event, network and external id; the same post seen
       through two instances once, by its URL) with their cursors, in one transaction.
    Network calls happen outside the transaction: nothing is locked while a network answers.
    """
    instant = now or timezone.now()
    report = WallRefreshReport()
    if not _claim_refresh(event, instant, force):
        report.skipped = True
        return report
    # Read after the claim: another process may have moved the cursors since `event` was loaded.
    cursors = dict(LiveEvent.objects.values_list("wall_cursors", flat=True).get(pk=event.pk) or {})
    found: list[tuple[ConnectedAccount, NetworkEvent]] = []
    for account in _search_accounts(event):
        key = str(account.pk)
        try:
            result = account_search(account_id=account.pk, query=event.tag, cursor=cursors.get(key) or {})
        except ConnectorError as error:
            logger.warning("wall search of event %s on account %s failed: %s", event.pk, account.pk, error.message)
            report.errors.append(f"{account.handle}: {error.message}")
            continue
        report.searched += 1
        cursors[key] = result.cursor
        found.extend((account, item) for item in result.events)
    with transaction.atomic():
        report.added = _wall_store(event, found)
        LiveEvent.objects.filter(pk=event.pk).update(wall_cursors=cursors, wall_error="\n".join(report.errors))
    event.wall_cursors = cursors
    event.wall_error = "\n".join(report.errors)
    event.wall_refreshed_at = instant
    return report


def _wall_store(event: LiveEvent, found: Sequence[tuple[ConnectedAccount, NetworkEvent]]) -> int:
    if not found:
        return 0
    own_handles = {
        handle.lower()
        for handle in ConnectedAccount.objects.filter(workspace=event.workspace).values_list("handle", flat=True)
    }
    sessions = list(event.sessions.order_by("-starts_at", "id"))
    known_urls = set(
        WallItem.objects.filter(event=event, url__in=[item.url for _account, item in found if item.url]).values_list(
            "url", flat=True
        )
    )
    rows: list[WallItem] = []
    for account, item in found:
        if item.url and item.url in known_urls:
            continue
        if item.url:
            known_urls.add(item.url)
        author = item.author
        handle = author.handle if author else ""
        rows.append(
            WallItem(
                event=event,
                network=account.network,
                account=account,
                external_id=item.external_id[:300],
                author_handle=handle[:300],
                author_name=(author.display_name if author else "")[:300],
                author_url=(author.url if author else "")[:1000],
                text=item.text,
                url=item.url[:1000],
                occurred_at=item.occurred_at,
                session=next((s for s in sessions if s.starts_at <= item.occurred_at < s.ends_at), None),
                own=handle.lower() in own_handles,
                is_question=looks_like_question(item.text),
            )
        )
    before = WallItem.objects.filter(event=event).count()
    WallItem.objects.bulk_create(rows, ignore_conflicts=True)
    return WallItem.objects.filter(event=event).count() - before


@transaction.atomic
def wall_item_update(
    *,
    membership: Membership,
    item: WallItem,
    starred: bool | None = None,
    hidden: bool | None = None,
    is_question: bool | None = None,
) -> WallItem:
    """Star a question for the speakers, hide a post from the wall, or say whether it is a question."""
    require(membership, Perm.REPLY)
    require_own_event(membership, item.event)
    changes: dict[str, bool] = {}
    if starred is not None:
        changes["starred"] = starred
        if starred:
            changes["is_question"] = True  # a starred post goes to the speakers' questions
    if hidden is not None:
        changes["hidden"] = hidden
    if is_question is not None:
        changes["is_question"] = is_question
        if not is_question:
            changes["starred"] = False
    for name, value in changes.items():
        setattr(item, name, value)
    item.save(update_fields=list(changes))
    audit_record(
        workspace=item.event.workspace,
        actor=membership.user,
        verb="event.wall_item",
        target=item,
        summary=item.text[:200],
        data=changes,
    )
    return item
