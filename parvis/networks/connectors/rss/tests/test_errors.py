"""How the feed server's refusals and failures reach the user: one ConnectorError each, with a clear message."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from parvis.networks.connectors.rss import connector as rss
from parvis.networks.connectors.rss.connector import RssConnector
from parvis.networks.connectors.rss.tests.conftest import FeedServer, fixture_bytes
from parvis.networks.errors import PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef


def feed_account(url: str) -> AccountRef:
    return AccountRef(id=1, network="rss", instance_url=url, external_id=url, handle="feed", credentials={})


def test_it_reports_a_missing_feed_as_permanent(feed_server: FeedServer) -> None:
    with pytest.raises(PermanentError, match=r"There is no feed at this address \(HTTP 404 Not Found\)"):
        RssConnector().fetch(feed_account(feed_server.url("/nothing-here.xml")), {})


def test_it_reports_a_removed_feed_as_permanent(feed_server: FeedServer) -> None:
    url = feed_server.serve("/old.xml", status=410, body=b"Gone", content_type="text/plain")

    with pytest.raises(PermanentError, match=r"This feed has been removed by its site \(HTTP 410 Gone\)"):
        RssConnector().fetch(feed_account(url), {})


@pytest.mark.parametrize("status", [401, 403])
def test_it_reports_a_denied_feed_as_permanent(feed_server: FeedServer, status: int) -> None:
    url = feed_server.serve("/private.xml", status=status, body=b"No", content_type="text/plain")

    with pytest.raises(PermanentError) as refused:
        RssConnector().fetch(feed_account(url), {})

    assert refused.value.message == (
        f"Access to this feed is denied (HTTP {status}). Parvis reads public feeds only, without a password."
    )


def test_it_passes_on_the_delay_a_rate_limiting_server_asks_for(feed_server: FeedServer) -> None:
    url = feed_server.serve("/busy.xml", status=429, body=b"Slow down", headers={"Retry-After": "120"})

    with pytest.raises(RateLimited) as limited:
        RssConnector().fetch(feed_account(url), {})

    assert limited.value.retry_after == 120


def test_it_reads_a_retry_after_given_as_a_date(feed_server: FeedServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)
    url = feed_server.serve("/busy.xml", status=429, body=b"Slow down", headers={"Retry-After": later})

    with pytest.raises(RateLimited) as limited:
        RssConnector().fetch(feed_account(url), {})

    assert limited.value.retry_after is not None
    assert 280 <= limited.value.retry_after <= 300


def test_it_rate_limits_without_a_delay_when_the_server_gives_none(feed_server: FeedServer) -> None:
    url = feed_server.serve("/busy.xml", status=429, body=b"Slow down")

    with pytest.raises(RateLimited) as limited:
        RssConnector().fetch(feed_account(url), {})

    assert limited.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_it_reports_a_server_error_as_transient(feed_server: FeedServer, status: int) -> None:
    url = feed_server.serve("/feed.xml", status=status, body=b"Oops", content_type="text/plain")

    with pytest.raises(TransientError, match=rf"The feed server has a problem \(HTTP {status}\)"):
        RssConnector().fetch(feed_account(url), {})


def test_it_reports_an_unexpected_client_error_as_permanent(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", status=400, body=b"Bad", content_type="text/plain")

    with pytest.raises(PermanentError, match=r"The feed server refused the request \(HTTP 400\)"):
        RssConnector().fetch(feed_account(url), {})


def test_it_reports_a_server_too_slow_to_answer_as_transient(feed_server: FeedServer, settings: Any) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.2
    url = feed_server.serve_fixture("/slow.xml", "rss20_fr.xml", delay=1.5)

    with pytest.raises(TransientError, match="did not answer in time"):
        RssConnector().fetch(feed_account(url), {})


def test_it_gives_up_on_a_feed_that_trickles_in_too_slowly(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each piece arrives well within the socket timeout; only the whole-download deadline stops it.
    monkeypatch.setattr(rss, "MAX_DOWNLOAD_SECONDS", 0.3)
    url = feed_server.serve_fixture("/trickle.xml", "rss20_fr.xml", drip_delay=0.1)
    started = time.monotonic()

    with pytest.raises(TransientError, match="did not answer in time"):
        RssConnector().fetch(feed_account(url), {})

    assert time.monotonic() - started < 1.0  # the whole body would take 1.6 s


def test_it_reports_a_refused_connection_as_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the socket is closed

    with pytest.raises(TransientError, match="Cannot reach the feed server"):
        RssConnector().fetch(feed_account(f"http://127.0.0.1:{port}/feed.xml"), {})


def test_it_refuses_a_private_address_with_the_reason(feed_server: FeedServer, settings: Any) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    with pytest.raises(PermanentError) as refused:
        RssConnector().fetch(feed_account(url), {})

    assert refused.value.message.startswith("This feed address is not allowed: 127.0.0.1 resolves to the non-public")
    assert feed_server.hits("/feed.xml") == []


def test_it_refuses_an_address_that_is_not_http() -> None:
    with pytest.raises(PermanentError, match="not allowed: Only http and https URLs are allowed, not 'file'"):
        RssConnector().fetch(feed_account("file:///etc/passwd"), {})


def test_it_refuses_a_feed_larger_than_the_limit_it_announces(feed_server: FeedServer) -> None:
    url = feed_server.serve("/huge.xml", body=b" " * (rss.MAX_FEED_BYTES + 1))

    with pytest.raises(PermanentError) as refused:
        RssConnector().fetch(feed_account(url), {})

    assert refused.value.message == "This feed is too large: Parvis reads feeds of up to 5 MB."


def test_it_stops_reading_a_feed_that_grows_past_the_limit(feed_server: FeedServer) -> None:
    total = 50 * 1024 * 1024
    url = feed_server.serve("/endless.xml", stream_bytes=total)

    with pytest.raises(PermanentError, match="This feed is too large"):
        RssConnector().fetch(feed_account(url), {})

    assert feed_server.routes["/endless.xml"].finished.wait(timeout=10)
    assert feed_server.routes["/endless.xml"].bytes_sent < total


def test_it_refuses_to_act_on_a_feed(feed_server: FeedServer) -> None:
    from parvis.networks.protocol import ActionKind, ActionRequest

    with pytest.raises(PermanentError, match="A feed is read-only"):
        RssConnector().execute(
            feed_account(feed_server.url("/feed.xml")), ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="k")
        )


def test_it_reads_a_feed_just_under_the_limit(feed_server: FeedServer) -> None:
    feed = fixture_bytes("rss20_fr.xml")
    padded = feed.replace(b"<channel>", b"<channel><!--" + b" " * (rss.MAX_FEED_BYTES - len(feed) - 20) + b"-->")
    url = feed_server.serve("/big.xml", body=padded)

    result = RssConnector().fetch(feed_account(url), {})

    assert len(result.events) == 4
