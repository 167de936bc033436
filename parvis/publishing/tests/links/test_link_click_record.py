from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from parvis.publishing.models import LinkClickDay, ShortLink
from parvis.publishing.services.links import is_bot, link_click_record, links_shorten_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(post, mastodon) -> ShortLink:
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    return ShortLink.objects.get()


def test_a_click_counts_on_the_link_and_on_its_day(link):
    link_click_record(link=link, at=dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC))
    link_click_record(link=link, at=dt.datetime(2025, 3, 4, 11, tzinfo=dt.UTC))
    link_click_record(link=link, at=dt.datetime(2025, 3, 5, 9, tzinfo=dt.UTC))

    link.refresh_from_db()
    assert link.clicks == 3
    assert list(LinkClickDay.objects.values_list("day", "count")) == [
        (dt.date(2025, 3, 4), 2),
        (dt.date(2025, 3, 5), 1),
    ]


def test_the_day_is_the_workspaces_local_day(link):
    # 23:30 UTC on 4 March is already 5 March in Paris.
    link_click_record(link=link, at=dt.datetime(2025, 3, 4, 23, 30, tzinfo=dt.UTC))

    assert LinkClickDay.objects.get().day == dt.date(2025, 3, 5)


def test_an_existing_day_is_incremented_in_the_database_not_from_a_stale_copy(link):
    at = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    link_click_record(link=link, at=at)
    stale = ShortLink.objects.get(pk=link.pk)  # read before the other clicks
    ShortLink.objects.filter(pk=link.pk).update(clicks=41)
    LinkClickDay.objects.filter(link=link).update(count=41)

    link_click_record(link=stale, at=at)

    assert ShortLink.objects.get(pk=link.pk).clicks == 42
    assert LinkClickDay.objects.get().count == 42


def test_a_day_row_created_by_a_concurrent_click_is_incremented_not_lost(link, monkeypatch):
    """Two first clicks of a day: both find no row to update; the other one inserts first."""
    at = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    LinkClickDay.objects.create(link=link, day=dt.date(2025, 3, 4), count=1)  # the other click's row
    real_filter = LinkClickDay.objects.filter
    calls = []

    class BeforeTheOtherClick:
        def update(self, **kwargs):
            return 0  # our update ran before the other click's insert

    def racing_filter(*args, **kwargs):
        calls.append(kwargs)
        return BeforeTheOtherClick() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(LinkClickDay.objects, "filter", racing_filter)

    link_click_record(link=link, at=at)

    assert LinkClickDay.objects.get().count == 2
    assert ShortLink.objects.get().clicks == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_are_all_counted(post, mastodon):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite shares one table lock between threads; run with DATABASE_URL=postgres://...")
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    link = ShortLink.objects.get()
    at = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    errors: list[BaseException] = []

    def click() -> None:
        try:
            for _ in range(10):
                link_click_record(link=link, at=at)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert ShortLink.objects.get().clicks == 40
    assert LinkClickDay.objects.get().count == 40


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "http.rb/5.1.1 (Mastodon/4.2.1; +https://piaille.fr/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "Twitterbot/1.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "curl/8.5.0",
    ],
)
def test_link_preview_fetchers_and_robots_are_recognised(agent):
    assert is_bot(agent)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36",
    ],
)
def test_browsers_are_not_taken_for_robots(agent):
    assert not is_bot(agent)
