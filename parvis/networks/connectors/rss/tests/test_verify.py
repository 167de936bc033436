"""verify(): a feed address becomes a Profile, and anything that is not a feed says so clearly."""

from __future__ import annotations

import pytest

from parvis.networks.connectors.rss.connector import RssConnector
from parvis.networks.connectors.rss.tests.conftest import ATOM_TYPE, FIXTURES, HTML_TYPE, FeedServer
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef


def feed_account(url: str) -> AccountRef:
    return AccountRef(id=0, network="rss", instance_url=url, external_id="", handle="", credentials={})


def test_it_names_an_rss_feed_after_its_title(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites/feed.xml", "rss20_fr.xml")

    profile = RssConnector().verify(feed_account(url))

    assert profile.external_id == url
    assert profile.handle == "Actualités de la CCI de Lyon"
    assert profile.display_name == "Actualités de la CCI de Lyon"
    assert profile.url == "https://cci-lyon.example/actualites/"


def test_it_names_an_atom_feed_after_its_title(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/blog/atom.xml", "atom10_fr.xml", content_type=ATOM_TYPE)

    profile = RssConnector().verify(feed_account(url))

    assert profile.display_name == "Le blog de l’Union des commerçants du Vieux-Lyon"  # noqa: RUF001 - the French apostrophe
    assert profile.url == "https://commercants-vieux-lyon.example/blog/"


def test_it_names_a_feed_without_title_after_its_host(feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/untitled.xml",
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><item><guid>a</guid></item></channel></rss>',
    )

    profile = RssConnector().verify(feed_account(url))

    assert profile.handle == "127.0.0.1"
    assert profile.url == url


def test_it_refuses_a_page_that_is_not_a_feed_and_names_the_feed_the_page_links_to(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/actualites", "page_with_feed_link.html", content_type=HTML_TYPE)

    with pytest.raises(PermanentError) as refused:
        RssConnector().verify(feed_account(url))

    assert refused.value.message == (
        "This address returns a web page, not an RSS or Atom feed. "
        f"The page links to its feed at {feed_server.url('/actualites/feed.xml')}: connect that address instead."
    )


def test_it_refuses_a_page_that_links_to_no_feed(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/", "page_without_feed.html", content_type=HTML_TYPE)

    with pytest.raises(PermanentError) as refused:
        RssConnector().verify(feed_account(url))

    assert refused.value.message.startswith("This address returns a web page, not an RSS or Atom feed.")
    assert "does not link to a feed" in refused.value.message


def test_it_recognises_a_web_page_served_with_a_wrong_content_type(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed", "page_without_feed.html", content_type="application/octet-stream")

    with pytest.raises(PermanentError, match="returns a web page"):
        RssConnector().verify(feed_account(url))


def test_it_refuses_bytes_that_are_not_xml(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "garbage.bin", content_type="application/xml")

    with pytest.raises(PermanentError) as refused:
        RssConnector().verify(feed_account(url))

    assert refused.value.message == (
        "This address does not return an RSS or Atom feed: its content cannot be read as one. "
        "Check the address, or ask the site for its feed."
    )


def test_it_refuses_an_empty_response(feed_server: FeedServer) -> None:
    url = feed_server.serve("/empty.xml", body=b"  \n")

    with pytest.raises(PermanentError, match="empty response"):
        RssConnector().verify(feed_account(url))


def test_it_never_reads_a_local_file_named_by_the_response(feed_server: FeedServer) -> None:
    # feedparser opens a bytes argument that names an existing file; the connector hands it a stream.
    local_feed = str(FIXTURES / "rss20_fr.xml").encode()
    url = feed_server.serve("/feed.xml", body=local_feed, content_type="text/plain")

    with pytest.raises(PermanentError, match="does not return an RSS or Atom feed"):
        RssConnector().verify(feed_account(url))


def test_it_accepts_a_feed_with_a_wrong_encoding_declaration(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_wrong_encoding.xml", content_type="text/xml")

    profile = RssConnector().verify(feed_account(url))

    assert profile.display_name == "Actualités de la CCI de Lyon"


def test_it_asks_for_an_address_when_none_is_given() -> None:
    with pytest.raises(PermanentError, match="Enter the address of an RSS or Atom feed"):
        RssConnector().verify(feed_account(""))


def test_it_uses_a_digest_as_identity_for_a_very_long_feed_address(feed_server: FeedServer) -> None:
    path = "/feed.xml?" + "x" * 300
    url = feed_server.serve_fixture(path, "rss20_fr.xml")

    profile = RssConnector().verify(feed_account(url))

    assert profile.external_id.startswith("sha256:")
    assert len(profile.external_id) <= 200


def test_it_asks_for_a_full_address_when_the_scheme_is_missing() -> None:
    with pytest.raises(PermanentError, match=r"This is not a valid web address .*Perhaps you meant https://"):
        RssConnector().verify(feed_account("cci-lyon.example/actualites/feed.xml"))
