"""Mastodon's user stream against mastodon-mock: events as the poll makes them, stored once, reconnected."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.connectors.mastodon.tests.conftest import account_ref
from parvis.networks.errors import AuthExpired
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import AccountRef, EventKind, NetworkEvent
from parvis.networks.services import account_connect, account_poll
from parvis.networks.streaming import AccountStreamRunner
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer, MockAccount, TcpRelay

pytestmark = pytest.mark.network

TIMEOUT = 15.0


def _in_thread(action: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _first_event(connector: MastodonConnector, ref: AccountRef, post: Callable[[], object]) -> NetworkEvent:
    stream = connector.open_stream(ref)
    try:
        post()
        for event in stream:
            if event is not None:
                return event
    finally:
        stream.close()
    raise AssertionError("the stream ended without an event")


def test_a_streamed_mention_is_the_event_the_poll_makes_of_it(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    start = connector.fetch(org_ref, {}).cursor

    streamed = _first_event(
        connector, org_ref, lambda: mastodon_server.client(bob).status_post(f"{org.mention} open on Sunday?")
    )
    [polled] = connector.fetch(org_ref, start).events

    assert streamed.kind == EventKind.MENTION
    assert streamed.text == "@cci open on Sunday?"
    assert streamed == polled


def test_a_streamed_private_message_is_a_direct_message_in_its_conversation(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    streamed = _first_event(
        connector,
        org_ref,
        lambda: mastodon_server.client(bob).status_post(f"{org.mention} in private", visibility="direct"),
    )

    assert streamed.kind == EventKind.DIRECT_MESSAGE
    assert streamed.thread_key == f"direct:bob@{mastodon_server.instance_host}"


def test_a_revoked_token_refuses_the_stream(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount
) -> None:
    with pytest.raises(AuthExpired):
        connector.open_stream(account_ref(mastodon_server, org, token="revoked"))


def test_the_capabilities_say_mastodon_streams_and_cannot_hide() -> None:
    capabilities = MastodonConnector.capabilities

    assert capabilities.streaming
    assert not {"hide", "unhide"} & {kind.value for kind in capabilities.actions}


@pytest.mark.django_db
def test_a_mention_posted_while_the_stream_runs_reaches_the_inbox_once(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    account_poll(account_id=account.pk)  # connected: the backfill is done, the cursor is set
    bob = mastodon_server.create_account("bob")
    runner = AccountStreamRunner(account.pk, until=lambda: Message.objects.filter(account=account).exists())
    _in_thread(
        lambda: (
            _wait(lambda: runner.stats.connections > 0),
            mastodon_server.client(bob).status_post(f"{org.mention} is the stand accessible?"),
        )
    )

    runner.run()
    report = account_poll(account_id=account.pk)  # the poll reads the same notification

    assert runner.stats.stored == 1
    assert report is not None and (report.received, report.stored) == (1, 0)
    [message] = Message.objects.filter(account=account)
    assert message.text == f"{org.mention} is the stand accessible?"


@pytest.mark.django_db
def test_the_stream_reconnects_after_the_server_drops_it(
    mastodon_server: MastodonMockServer, camille: Membership
) -> None:
    org = mastodon_server.create_account("org")
    bob = mastodon_server.create_account("bob")
    with TcpRelay(mastodon_server.port) as relay:
        account = account_connect(
            membership=camille,
            network="mastodon",
            instance_url=relay.base_url,
            credentials={"access_token": org.access_token},
        )
        account_poll(account_id=account.pk)
        runner = AccountStreamRunner(
            account.pk,
            backoff_base=0.05,
            backoff_cap=0.2,
            until=lambda: Message.objects.filter(account=account).exists(),
        )

        def network() -> None:
            _wait(lambda: runner.stats.connections > 0)
            relay.drop_all()
            _wait(lambda: runner.stats.connections > 1)
            mastodon_server.client(bob).status_post(f"{org.mention} still there?")

        _in_thread(network)
        runner.run()

    assert runner.stats.drops >= 1 and runner.stats.connections >= 2
    assert Message.objects.filter(account=account).count() == 1
    ConnectedAccount.objects.get(pk=account.pk)


def test_closing_the_stream_from_another_thread_ends_a_blocked_read_at_once(connector: MastodonConnector) -> None:
    with MastodonMockServer(stream_heartbeat=30) as quiet:  # Mastodon's keep-alives are 15 s apart
        org = quiet.create_account("org")
        stream = connector.open_stream(account_ref(quiet, org))
        timer = threading.Timer(0.5, stream.close)
        timer.start()
        started = time.monotonic()

        items = list(stream)

        assert time.monotonic() - started < 5
        assert items == [None]  # the ":connected" comment, then nothing: closed, no error
