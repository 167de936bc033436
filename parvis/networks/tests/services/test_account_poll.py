from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.networks import ingest
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.models import AccountStatus, ConnectedAccount, PollCursor
from parvis.networks.protocol import AccountRef, EventKind, FetchResult, NetworkEvent
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import NetworkEventFactory

# What the domain handlers do with the events is tested with each domain (inbox/tests/ingest);
# here they are replaced by a recorder, so these tests are about polling, cursors and health.
ROUTED = (EventKind.MENTION, EventKind.REPLY, EventKind.DIRECT_MESSAGE, EventKind.FOLLOW)


class Routes:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.crash_next = False

    def handle(self, account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
        if self.crash_next:
            self.crash_next = False
            raise RuntimeError("disk full")
        self.received.extend(event.external_id for event in events)
        return len(events)


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> Routes:
    recorder = Routes()
    for kind in ROUTED:
        monkeypatch.setitem(ingest._ROUTES, kind, recorder.handle)
    return recorder


def _poll(account: ConnectedAccount) -> ingest.IngestReport | None:
    report = account_poll(account_id=account.pk)
    account.refresh_from_db()
    return report


def _cursor(account: ConnectedAccount) -> dict[str, object]:
    row = PollCursor.objects.filter(account=account).first()
    return row.value if row else {}


# --- ingest ----------------------------------------------------------------------------------


def test_it_hands_new_events_to_the_ingest_routes_and_reports_them(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.extend([NetworkEventFactory(external_id="s1"), NetworkEventFactory(external_id="s2")])

    report = _poll(account)

    assert report is not None
    assert (report.received, report.stored) == (2, 2)
    assert routes.received == ["s1", "s2"]


def test_the_cursor_advances_with_a_successful_ingest(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(3))

    _poll(account)

    assert _cursor(account) == {"seen": 3}


def test_the_next_poll_only_gets_what_is_new(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))
    _poll(account)
    FakeConnector.inbox.append(NetworkEventFactory(external_id="s3"))

    report = _poll(account)

    assert report is not None
    assert report.received == 1
    assert routes.received[-1] == "s3"


def test_a_failed_ingest_leaves_the_cursor_where_it_was(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.append(NetworkEventFactory())
    _poll(account)
    routes.crash_next = True
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(2))

    assert _poll(account) is None

    assert _cursor(account) == {"seen": 1}


def test_the_poll_after_a_failed_ingest_gets_everything_again(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.extend(NetworkEventFactory.build_batch(3))
    routes.crash_next = True
    _poll(account)

    report = _poll(account)

    assert report is not None
    assert report.received == 3
    assert _cursor(account) == {"seen": 3}


def test_a_failed_ingest_is_recorded_on_the_account(account: ConnectedAccount, routes: Routes) -> None:
    routes.crash_next = True
    FakeConnector.inbox.append(NetworkEventFactory())

    _poll(account)

    assert account.consecutive_failures == 1
    assert account.last_error.startswith("Internal error")
    assert account.status == AccountStatus.ACTIVE
    assert account.last_poll_ok_at is None


def test_an_event_kind_nobody_handles_keeps_the_cursor_where_it_was(
    account: ConnectedAccount, routes: Routes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(ingest._ROUTES, EventKind.FOLLOW)
    FakeConnector.inbox.extend([NetworkEventFactory(), NetworkEventFactory(kind=EventKind.FOLLOW)])

    assert _poll(account) is None

    assert routes.received == []
    assert _cursor(account) == {}
    assert account.consecutive_failures == 1


def test_a_successful_poll_records_when_it_happened(account: ConnectedAccount, routes: Routes) -> None:
    before = timezone.now()

    _poll(account)

    assert account.last_poll_ok_at is not None
    assert account.last_poll_ok_at >= before
    assert account.next_poll_at is not None
    assert account.next_poll_at >= before + timedelta(seconds=30)


# --- connector errors --------------------------------------------------------------------------


def test_a_connector_error_is_recorded_on_the_account(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(TransientError("The instance did not answer."))

    assert _poll(account) is None

    assert account.last_error == "The instance did not answer."
    assert account.last_error_at is not None
    assert account.consecutive_failures == 1
    assert account.status == AccountStatus.ACTIVE


def test_a_connector_error_leaves_the_cursor_where_it_was(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.inbox.append(NetworkEventFactory())
    _poll(account)
    FakeConnector.inbox.append(NetworkEventFactory())
    FakeConnector.fail_next.append(TransientError("Timeout"))

    _poll(account)

    assert _cursor(account) == {"seen": 1}


def test_consecutive_failures_push_the_next_poll_further_away(account: ConnectedAccount) -> None:
    waits = []
    for _ in range(3):
        FakeConnector.fail_next.append(TransientError("Timeout"))
        before = timezone.now()
        _poll(account)
        assert account.next_poll_at is not None
        waits.append((account.next_poll_at - before).total_seconds())

    assert account.consecutive_failures == 3
    assert waits[0] < waits[1] < waits[2]


def test_a_rate_limit_on_a_poll_waits_as_long_as_the_network_asks(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(RateLimited("Slow down.", retry_after=120))
    before = timezone.now()

    _poll(account)

    assert account.next_poll_at is not None
    assert account.next_poll_at >= before + timedelta(seconds=120)
    assert account.status == AccountStatus.ACTIVE


def test_a_permanent_error_puts_the_account_in_error(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(PermanentError("This is not a feed."))

    _poll(account)

    assert account.status == AccountStatus.ERROR
    assert account.last_error == "This is not a feed."
    assert account.next_poll_at is not None
    assert account.next_poll_at > timezone.now()


def test_an_account_in_error_keeps_being_polled_and_recovers(account: ConnectedAccount, routes: Routes) -> None:
    FakeConnector.fail_next.append(PermanentError("This is not a feed."))
    _poll(account)
    FakeConnector.inbox.append(NetworkEventFactory())

    report = _poll(account)

    assert report is not None
    assert report.stored == 1
    assert account.status == AccountStatus.ACTIVE
    assert (account.consecutive_failures, account.last_error) == (0, "")


def test_a_revoked_token_during_a_poll_flags_the_account_and_stops_polling(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(AuthExpired("The access token was revoked."))

    _poll(account)

    assert account.status == AccountStatus.NEEDS_REAUTH
    assert account.next_poll_at is None


def test_an_unexpected_exception_in_the_connector_is_recorded_on_the_account(account: ConnectedAccount) -> None:
    FakeConnector.fail_next.append(KeyError("statuses"))

    assert _poll(account) is None

    assert account.last_error.startswith("Internal error")
    assert account.consecutive_failures == 1


def test_an_account_whose_connector_cannot_be_loaded_is_put_in_error(account: ConnectedAccount) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(network="gopher")

    assert _poll(account) is None

    assert account.status == AccountStatus.ERROR
    assert account.next_poll_at is not None


@pytest.mark.parametrize("status", [AccountStatus.NEEDS_REAUTH, AccountStatus.DISABLED])
def test_it_does_not_poll_an_account_it_must_not_poll(
    account: ConnectedAccount, routes: Routes, status: AccountStatus
) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(status=status)
    FakeConnector.inbox.append(NetworkEventFactory())

    assert _poll(account) is None

    assert routes.received == []


def test_a_poll_ending_after_the_account_was_disconnected_does_not_reconnect_it(
    account: ConnectedAccount, routes: Routes, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FakeConnector.fetch

    def fetch_while_disconnected(self: FakeConnector, ref: AccountRef, cursor: dict[str, object]) -> FetchResult:
        ConnectedAccount.objects.filter(pk=ref.id).update(status=AccountStatus.DISABLED)
        return original(self, ref, cursor)

    monkeypatch.setattr(FakeConnector, "fetch", fetch_while_disconnected)

    _poll(account)

    assert account.status == AccountStatus.DISABLED


def test_a_failed_poll_ending_after_the_account_was_disconnected_does_not_reconnect_it(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fetch_while_disconnected(self: FakeConnector, ref: AccountRef, cursor: dict[str, object]) -> FetchResult:
        ConnectedAccount.objects.filter(pk=ref.id).update(status=AccountStatus.DISABLED)
        raise TransientError("Timeout")

    monkeypatch.setattr(FakeConnector, "fetch", fetch_while_disconnected)

    _poll(account)

    assert account.status == AccountStatus.DISABLED
