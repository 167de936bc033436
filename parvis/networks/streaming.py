"""Events pushed by a network (a stream), stored through the same in-pipe as polling.

A connector with `Capabilities.streaming` also has `open_stream(account) -> EventStream`: an
open connection to the network that yields `NetworkEvent`s as they happen, and `None` for each
keep-alive (so the runner can check that the connection is alive and whether it must stop).
Iterating raises a `ConnectorError` when the connection fails or drops; `close()`, from any
thread, ends the iteration.

The runner (`AccountStreamRunner`, one per account, started by the `parvis_stream` command):

1. opens the stream; on a refusal, waits with a backoff (1 s, 2 s, 4 s... capped at a minute,
   with jitter) and tries again; an expired token stops the account's stream (the poll marks
   the account for reconnection, and the command starts the stream again once it is active);
2. asks the scheduler to poll the account at once (`next_poll_at = now`) each time the stream is
   (re)opened: whatever happened while the stream was down comes in through the poll;
3. hands each streamed event to `stream_ingest`, which stores it with `route_events`, the very
   function `account_poll` uses, inside a transaction: the handlers are idempotent (same account
   and external id → stored once), so an event that the poll also fetches is stored once. The
   poll cursor is not touched: the poll stays the safety net that never loses anything;
4. on a drop (error, end of stream, no keep-alive for `idle_timeout`), reconnects with the
   backoff; a connection that stayed up `stable_after` seconds resets the backoff;
5. stops when its `stop` event is set (SIGTERM / SIGINT in the command).

Each runner writes a Heartbeat "stream:<account id>" when it connects and at most once a minute
while the stream is alive, so the health of streams can be shown next to the scheduler's.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from parvis.networks.errors import AuthExpired, ConnectorError
from parvis.networks.ingest import IngestReport, prepared, route_events, warm_up_routes
from parvis.networks.models import AccountStatus, ConnectedAccount, Heartbeat
from parvis.networks.protocol import AccountRef, NetworkEvent
from parvis.networks.registry import UnknownNetwork, get_connector

logger = logging.getLogger("parvis.streaming")

# Reconnection backoff: 1 s, 2 s, 4 s... capped at one minute, with jitter.
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
# A connection that stayed up this long was healthy: the next drop starts the backoff again.
STABLE_AFTER_SECONDS = 30.0
# Accounts whose streams are running (or to start) are looked up again this often by the command.
RESCAN_SECONDS = 30.0
# The stream's liveness is written at most this often.
HEARTBEAT_EVERY_SECONDS = 60.0
HEARTBEAT_PREFIX = "stream:"
# Accounts a stream runs for: the poll runs for these too (an account in error keeps being tried).
STREAMABLE = (AccountStatus.ACTIVE, AccountStatus.ERROR)


@runtime_checkable
class EventStream(Protocol):
    """An open stream: iterate for events (None: a keep-alive); `close()` ends it from any thread."""

    def __iter__(self) -> Iterator[NetworkEvent | None]: ...

    def close(self) -> None: ...


@runtime_checkable
class StreamingConnector(Protocol):
    def open_stream(self, account: AccountRef) -> EventStream:
        """Connect to the network's stream for `account`; raise a ConnectorError when refused."""
        ...


def backoff_delay(failures: int, *, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Seconds before reconnection number `failures` (1, 2, 3...): doubling from `base`, at most `cap`."""
    exponent = min(max(0, failures - 1), 30)
    delay = base * 2**exponent
    return float(min(cap, delay * random.uniform(0.8, 1.2)))  # noqa: S311 - jitter, not cryptography


def stream_ingest(*, account_id: int, events: Sequence[NetworkEvent]) -> IngestReport | None:
    """Store streamed events through the poll's own ingest routes, in one transaction.

    The account row is locked first, so two streamed batches of one account never interleave.
    Nothing else changes: the poll cursor stays where the poll left it (the next poll reads
    these events again and the idempotent handlers skip them). None when the account is no
    longer streamed (disconnected, or waiting for a reconnection).
    """
    if not events:
        return IngestReport()
    warm_up_routes()  # slow model loading before the write transaction (SQLite: one writer at a time)
    account_row = ConnectedAccount.objects.filter(pk=account_id).select_related("workspace").first()
    if account_row is None:
        return None
    with prepared(account_row, events), transaction.atomic():  # triage before the write lock
        account = (
            ConnectedAccount.objects.select_for_update()
            .select_related("workspace")
            .filter(pk=account_id, status__in=STREAMABLE)
            .first()
        )
        if account is None:
            return None
        return route_events(account, events)


def poll_soon(account_id: int) -> None:
    """Ask the scheduler to poll the account at its next tick (to catch up after a stream gap)."""
    ConnectedAccount.objects.filter(pk=account_id, status__in=STREAMABLE).update(next_poll_at=timezone.now())


def streaming_connector(network: str) -> StreamingConnector | None:
    """The network's connector if it streams (capability and method), else None."""
    try:
        connector = get_connector(network)
    except (UnknownNetwork, ImportError):
        return None
    if not connector.capabilities.streaming or not isinstance(connector, StreamingConnector):
        return None
    return connector


def streamable_accounts() -> list[int]:
    """Ids of the accounts a stream should run for: active, on a network that streams."""
    rows = ConnectedAccount.objects.filter(status__in=STREAMABLE).values_list("pk", "network")
    return [pk for pk, network in rows if streaming_connector(network) is not None]


@dataclass
class StreamStats:
    connections: int = 0
    drops: int = 0
    events: int = 0
    stored: int = 0


class AccountStreamRunner:
    """The stream of one account: connect, ingest, reconnect with backoff, until `stop` is set.

    `run()` blocks; the command runs one per account in a thread. `until`, checked after each
    event and keep-alive, ends the run as well (tests). `sleep` waits between reconnections and
    returns early when `stop` is set.
    """

    def __init__(
        self,
        account_id: int,
        *,
        stop: threading.Event | None = None,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        stable_after: float = STABLE_AFTER_SECONDS,
        until: Callable[[], bool] | None = None,
    ) -> None:
        self.account_id = account_id
        self.stop = stop or threading.Event()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stable_after = stable_after
        self.until = until
        self.stats = StreamStats()
        self.failures = 0
        self.ended_because = ""
        self._current: EventStream | None = None
        self._lock = threading.Lock()
        self._last_beat = 0.0

    def request_stop(self) -> None:
        """Stop from any thread: set the flag and close the open connection (its read returns at once)."""
        self.stop.set()
        with self._lock:
            current = self._current
        if current is not None:
            try:
                current.close()
            except Exception:  # closing a half-dead connection must not stop the shutdown
                logger.debug("closing the stream of account %s failed", self.account_id, exc_info=True)

    def _done(self) -> bool:
        return self.stop.is_set() or (self.until is not None and self.until())

    def run(self) -> str:
        """Stream until stopped; returns why it ended ("stopped", "until", "auth", "gone")."""
        while not self._done():
            account = ConnectedAccount.objects.filter(pk=self.account_id, status__in=STREAMABLE).first()
            if account is None:
                self.ended_because = "gone"
                return self.ended_because
            connector = streaming_connector(account.network)
            if connector is None:
                self.ended_because = "gone"
                return self.ended_because
            try:
                stream = connector.open_stream(account.as_ref())
            except AuthExpired as error:
                logger.warning("stream of account %s refused the credentials: %s", self.account_id, error.message)
                self.ended_because = "auth"
                return self.ended_because
            except ConnectorError as error:
                self._wait_after_failure(f"could not connect: {error.message}")
                continue
            except Exception:
                logger.exception("stream of account %s crashed while connecting", self.account_id)
                self._wait_after_failure("crashed while connecting")
                continue
            self._consume(stream)
        self.ended_because = "until" if not self.stop.is_set() else "stopped"
        return self.ended_because

    def _consume(self, stream: EventStream) -> None:
        with self._lock:
            self._current = stream
        if self.stop.is_set():  # asked to stop while connecting
            stream.close()
        self.stats.connections += 1
        opened = time.monotonic()
        logger.info("stream of account %s connected", self.account_id)
        self._beat(force=True)
        poll_soon(self.account_id)  # what happened while the stream was down comes in through the poll
        reason = "the network ended the stream"
        try:
            for event in stream:
                if self.stop.is_set():
                    break
                if event is not None:
                    self.stats.events += 1
                    report = stream_ingest(account_id=self.account_id, events=[event])
                    if report is None:  # disconnected meanwhile
                        reason = "the account is no longer active"
                        break
                    self.stats.stored += report.stored
                self._beat()
                if self._done():
                    break
        except ConnectorError as error:
            reason = error.message
        except Exception:
            logger.exception("stream of account %s crashed", self.account_id)
            reason = "crashed"
        finally:
            with self._lock:
                self._current = None
            try:
                stream.close()
            except Exception:
                logger.debug("closing the stream of account %s failed", self.account_id, exc_info=True)
            if not connection.in_atomic_block:  # (tests run inside a transaction)
                close_old_connections()
        if self._done():
            return
        self.stats.drops += 1
        if time.monotonic() - opened >= self.stable_after:
            self.failures = 0
        self._wait_after_failure(f"dropped ({reason})")

    def _wait_after_failure(self, what: str) -> None:
        self.failures += 1
        delay = backoff_delay(self.failures, base=self.backoff_base, cap=self.backoff_cap)
        logger.info("stream of account %s %s; reconnecting in %.1f s", self.account_id, what, delay)
        self.stop.wait(delay)

    def _beat(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < HEARTBEAT_EVERY_SECONDS:
            return
        self._last_beat = now
        Heartbeat.objects.update_or_create(name=f"{HEARTBEAT_PREFIX}{self.account_id}", defaults={"at": timezone.now()})


def stream_heartbeats(*, stale_after: timedelta = timedelta(minutes=3)) -> dict[int, bool]:
    """Account id → whether its stream gave a sign of life recently (for a health page)."""
    now = timezone.now()
    rows = Heartbeat.objects.filter(name__startswith=HEARTBEAT_PREFIX).values_list("name", "at")
    return {int(name.removeprefix(HEARTBEAT_PREFIX)): now - at < stale_after for name, at in rows}


__all__ = [
    "AccountStreamRunner",
    "EventStream",
    "StreamingConnector",
    "backoff_delay",
    "poll_soon",
    "stream_heartbeats",
    "stream_ingest",
    "streamable_accounts",
    "streaming_connector",
]
