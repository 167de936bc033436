"""End to end through the networks services: connect a feed, poll it, store its entries once, lose nothing."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.listening.models import FeedEntry
from parvis.networks.connectors.rss.tests.conftest import HTML_TYPE, FeedServer
from parvis.networks.errors import PermanentError
from parvis.networks.models import AccountStatus, ConnectedAccount, PollCursor
from parvis.networks.services import account_connect, account_poll

GARBAGE_MESSAGE = (
    "This address does not return an RSS or Atom feed: its content cannot be read as one. "
    "Check the address, or ask the site for its feed."
)


def connect(camille: Membership, url: str) -> ConnectedAccount:
    return account_connect(membership=camille, network="rss", instance_url=url, credentials={})


def test_a_community_manager_connects_a_feed_under_its_title(camille: Membership, feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml", etag='"v1"')

    account = connect(camille, url)

    assert account.network == "rss"
    assert account.instance_url == url
    assert account.handle == "Actualités de la CCI de Lyon"
    assert account.credentials == {}
    assert account.status == AccountStatus.ACTIVE


def test_connecting_a_web_page_creates_no_account_and_names_the_feed(
    camille: Membership, feed_server: FeedServer
) -> None:
    url = feed_server.serve_fixture("/actualites", "page_with_feed_link.html", content_type=HTML_TYPE)

    with pytest.raises(PermanentError, match=r"The page links to its feed at http://127\.0\.0\.1:\d+/actualites/feed"):
        connect(camille, url)

    assert not ConnectedAccount.objects.exists()


def test_polling_a_feed_stores_each_entry_once(camille: Membership, feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml", etag='"v1"')
    account = connect(camille, url)

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert report.stored == 4
    forum = FeedEntry.objects.get(source=account, external_id="https://cci-lyon.example/actualites/forum-2025")
    assert forum.workspace == camille.workspace
    assert forum.title == "Forum des entrepreneurs : les inscriptions sont ouvertes"
    assert forum.summary == "Rendez-vous le jeudi 13 mars au Palais de la Bourse.\n\nEntrée libre."
    assert forum.author == "Élodie Martin"
    assert forum.language == "fr"


def test_polling_an_unchanged_feed_stores_nothing_more(camille: Membership, feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml", etag='"v1"')
    account = connect(camille, url)
    account_poll(account_id=account.pk)

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert report.stored == 0
    assert FeedEntry.objects.filter(source=account).count() == 4
    assert feed_server.hits("/actualites/feed.xml")[-1].headers["If-None-Match"] == '"v1"'


def test_polling_a_feed_that_changed_stores_only_the_new_entry(camille: Membership, feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml", etag='"v1"')
    account = connect(camille, url)
    account_poll(account_id=account.pk)
    feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr_next.xml", etag='"v2"')

    report = account_poll(account_id=account.pk)

    assert report is not None
    assert report.stored == 1
    assert FeedEntry.objects.filter(source=account).count() == 5


def test_a_feed_turned_to_garbage_puts_the_account_in_error_and_loses_nothing(
    camille: Membership, feed_server: FeedServer
) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml", etag='"v1"')
    account = connect(camille, url)
    account_poll(account_id=account.pk)
    cursor_before = PollCursor.objects.get(account=account).value
    feed_server.serve_fixture("/actualites/feed.xml", "garbage.bin", content_type="application/xml")

    report = account_poll(account_id=account.pk)

    account.refresh_from_db()
    assert report is None
    assert account.status == AccountStatus.ERROR
    assert account.last_error == GARBAGE_MESSAGE
    assert FeedEntry.objects.filter(source=account).count() == 4
    assert PollCursor.objects.get(account=account).value == cursor_before


def test_a_feed_in_error_recovers_at_the_next_good_poll(camille: Membership, feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "garbage.bin", content_type="application/xml")
    account = ConnectedAccount.objects.create(
        workspace=camille.workspace, network="rss", instance_url=url, external_id=url, handle="CCI"
    )
    account_poll(account_id=account.pk)
    feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml")

    report = account_poll(account_id=account.pk)

    account.refresh_from_db()
    assert report is not None
    assert report.stored == 4
    assert account.status == AccountStatus.ACTIVE
    assert account.last_error == ""
