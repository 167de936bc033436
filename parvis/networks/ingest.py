"""The in-pipe's dispatch table: domain apps register a handler per event kind.

`networks` cannot import the domain apps (they sit above it), so each domain
app registers its handlers in its AppConfig.ready(). A kind with no handler
and not in IGNORED_KINDS is an error: a new kind must be routed or ignored
on purpose, never dropped by accident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parvis.networks.protocol import EventKind, NetworkEvent

if TYPE_CHECKING:
    from parvis.networks.models import ConnectedAccount

# A handler stores the events it is given idempotently and returns how many were new.
Handler = Callable[["ConnectedAccount", Sequence[NetworkEvent]], int]

IGNORED_KINDS: frozenset[EventKind] = frozenset()

# A preparer does a batch's slow enrichment (triage: embeddings, classes) before the write transaction
# opens, keeps it where its handler will look, and returns the function that forgets it.
Preparer = Callable[["ConnectedAccount", Sequence[NetworkEvent]], Callable[[], None]]

_ROUTES: dict[EventKind, Handler] = {}
_WARM_UPS: list[Callable[[], object]] = []
_PREPARERS: list[Preparer] = []


class UnroutedEventKind(LookupError):
    pass


def register_warm_up(warm_up: Callable[[], object]) -> None:
    """Something slow a handler needs (a model to load), run before the ingest transaction opens."""
    if warm_up not in _WARM_UPS:
        _WARM_UPS.append(warm_up)


def warm_up_routes() -> None:
    for warm_up in _WARM_UPS:
        warm_up()


def register_preparer(preparer: Preparer) -> None:
    if preparer not in _PREPARERS:
        _PREPARERS.append(preparer)


@contextmanager
def prepared(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> Iterator[None]:
    """Run the preparers for `events` outside any transaction; what they computed lives for the block.

    On SQLite a write transaction blocks every other writer (web requests, workers, the stream) while
    it is open: computing embeddings inside it would hold them for seconds per batch. A handler that
    finds nothing prepared (a preparer failed, or events routed without this block) computes it itself.
    """
    forgets = []
    try:
        for preparer in _PREPARERS:
            forgets.append(preparer(account, events))
        yield
    finally:
        for forget in forgets:
            forget()


def register_route(kind: EventKind, handler: Handler) -> None:
    _ROUTES[kind] = handler


@dataclass
class IngestReport:
    received: int = 0
    stored: int = 0
    ignored: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def route_events(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> IngestReport:
    """Hand each kind's events to its handler, in one batch per kind. Call inside a transaction."""
    report = IngestReport(received=len(events))
    grouped: dict[EventKind, list[NetworkEvent]] = defaultdict(list)
    for event in events:
        if event.kind in IGNORED_KINDS:
            report.ignored += 1
            continue
        if event.kind not in _ROUTES:
            raise UnroutedEventKind(f"No handler for event kind {event.kind!r}")
        grouped[event.kind].append(event)
    for kind, batch in grouped.items():
        stored = _ROUTES[kind](account, batch)
        report.stored += stored
        report.by_kind[kind.value] = stored
    return report
