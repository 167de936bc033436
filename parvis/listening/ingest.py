"""In-pipe handler for feed entries."""

from __future__ import annotations

from collections.abc import Sequence

from parvis.listening.models import FeedEntry
from parvis.networks.ingest import register_route, register_warm_up
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import EventKind, NetworkEvent
from parvis.nlp.language import detect_languages, warm_up


def register() -> None:
    register_route(EventKind.FEED_ENTRY, ingest_feed_entries)
    register_warm_up(warm_up)


def ingest_feed_entries(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
    ids = [event.external_id for event in events]
    already = set(FeedEntry.objects.filter(source=account, external_id__in=ids).values_list("external_id", flat=True))
    fresh = {event.external_id: event for event in events if event.external_id not in already}
    if not fresh:
        return 0
    languages = detect_languages([f"{event.title}. {event.text}" for event in fresh.values()])
    FeedEntry.objects.bulk_create(
        [
            FeedEntry(
                workspace=account.workspace,
                source=account,
                external_id=event.external_id[:500],
                title=event.title[:500],
                url=event.url[:1000],
                summary=event.text,
                author=event.author.display_name[:300] if event.author else "",
                language=language,
                published_at=event.occurred_at,
            )
            for event, language in zip(fresh.values(), languages, strict=True)
        ],
        ignore_conflicts=True,
    )
    return len(fresh)
