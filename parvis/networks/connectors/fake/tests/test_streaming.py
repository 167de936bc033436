"""The generic stream runner on the fake network: streamed events land once, drops reconnect, stop stops."""

from __future__ import annotations

import threading
import time

import pytest

from parvis.inbox.models import Message
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import AuthExpired, TransientError
from parvis.networks.models import ConnectedAccount, Heartbeat
from parvis.networks.services import account_poll
from parvis.networks.streaming import AccountStreamRunner, backoff_delay, stream_ingest, streamable_accounts
from parvis.networks.tests.factories import ConnectedAccountFactory, NetworkEventFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 10.0


@pytest.fixture
def account() -> ConnectedAccount:
    return ConnectedAccountFactory()


def _later(delay: float, action: object) -> threading.Thread:
    """Run `action()` in a thread after `delay` seconds (the network, while the runner streams)."""

    def run() -> None:
        time.sleep(delay)
        action()  # type: ignore[operator]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _runner(account: ConnectedAccount, until: object, **kwargs: object) -> AccountStreamRunner:
    deadline = time.monotonic() + TIMEOUT

    def done() -> bool:
        return bool(until()) or time.monotonic() > deadline  # type: ignore[operator]

    return AccountStreamRunner(account.pk, until=done, backoff_base=0.01, backoff_cap=0.05, **kwargs)  # type: ignore[arg-type]


def _wait_for_stream() -> None:
    deadline = time.monotonic() + TIMEOUT
    while FakeConnector.open_streams() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_streamed_mention_reaches_the_inbox_once_even_when_the_poll_reads_it_too(account: ConnectedAccount) -> None:
    event = NetworkEventFactory.build(text="Bonjour, le salon ouvre à quelle heure ?")
    _later(0, lambda: (_wait_for_stream(), FakeConnector.push(event)))
    runner = _runner(account, lambda: Message.objects.filter(account=account).exists())

    runner.run()
    report = account_poll(account_id=account.pk)  # the poll, the safety net, reads the same event

    assert runner.stats.events == 1 and runner.stats.stored == 1
    assert report is not None and (report.received, report.stored) == (1, 0)
    assert list(Message.objects.filter(account=account).values_list("text", flat=True)) == [event.text]
    assert Heartbeat.objects.filter(name=f"stream:{account.pk}").exists()


def test_a_dropped_stream_reconnects_and_asks_for_a_catch_up_poll(account: ConnectedAccount) -> None:
    first, second = NetworkEventFactory.build_batch(2)

    def network() -> None:
        _wait_for_stream()
        FakeConnector.push(first)
        time.sleep(0.1)
        FakeConnector.drop_streams()
        FakeConnector.inbox.append(NetworkEventFactory.build())  # while the stream is down: for the poll
        _wait_for_stream()
        FakeConnector.push(second)

    _later(0, network)
    ConnectedAccount.objects.filter(pk=account.pk).update(next_poll_at=None)
    runner = _runner(account, lambda: Message.objects.filter(account=account).count() >= 2)

    runner.run()

    assert runner.stats.connections == 2 and runner.stats.drops == 1
    assert set(Message.objects.filter(account=account).values_list("external_id", flat=True)) == {
        first.external_id,
        second.external_id,
    }
    account.refresh_from_db()
    assert account.next_poll_at is not None  # the scheduler polls it now: the gap is read by the poll


def test_refused_connections_are_retried_with_a_backoff(account: ConnectedAccount) -> None:
    FakeConnector.stream_fail_next.extend([TransientError("down"), TransientError("still down")])
    opened: list[int] = []
    runner = _runner(account, lambda: bool(opened) or bool(FakeConnector.open_streams() and opened.append(1)))

    runner.run()

    assert runner.failures == 2 and runner.stats.connections == 1


def test_an_expired_token_ends_the_stream_of_the_account(account: ConnectedAccount) -> None:
    FakeConnector.stream_fail_next.append(AuthExpired("revoked"))

    assert _runner(account, lambda: False).run() == "auth"


def test_a_disconnected_account_is_not_streamed(account: ConnectedAccount) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(status="disabled")

    assert account.pk not in streamable_accounts()
    assert _runner(account, lambda: False).run() == "gone"
    assert stream_ingest(account_id=account.pk, events=NetworkEventFactory.build_batch(1)) is None


def test_request_stop_ends_a_blocked_stream_at_once(account: ConnectedAccount) -> None:
    runner = AccountStreamRunner(account.pk)
    _later(0, lambda: (_wait_for_stream(), runner.request_stop()))
    started = time.monotonic()

    assert runner.run() == "stopped"
    assert time.monotonic() - started < TIMEOUT


def test_the_backoff_doubles_up_to_its_cap() -> None:
    delays = [backoff_delay(n, base=1.0, cap=60.0) for n in range(1, 10)]

    assert 0.8 <= delays[0] <= 1.2 and 3.2 <= delays[2] <= 4.8
    assert max(delays) <= 60.0
