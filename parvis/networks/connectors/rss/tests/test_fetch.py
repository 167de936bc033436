"""fetch(): new entries as FEED_ENTRY events, oldest first, once each, with conditional GET."""

from __future__ import annotations

from datetime import UTC, datetime

from parvis.networks.connectors.rss import connector as rss
from parvis.networks.connectors.rss.connector import RssConnector
from parvis.networks.connectors.rss.tests.conftest import ATOM_TYPE, FeedServer, fixture_bytes
from parvis.networks.protocol import AccountRef, ActionKind, Author, EventKind

LAST_MODIFIED = "Mon, 03 Mar 2025 08:00:00 GMT"


def feed_account(url: str) -> AccountRef:
    return AccountRef(id=1, network="rss", instance_url=url, external_id=url, handle="feed", credentials={})


def titles(result: rss.FetchResult) -> list[str]:
    return [event.title for event in result.events]


def test_it_is_a_read_only_network_polled_every_fifteen_minutes() -> None:
    capabilities = RssConnector.capabilities

    assert capabilities.actions == frozenset()
    assert capabilities.event_kinds == frozenset({EventKind.FEED_ENTRY})
    assert capabilities.poll_interval_seconds == 900
    assert not capabilities.token_paste
    assert not capabilities.oauth
    assert ActionKind.PUBLISH not in capabilities.actions


def test_it_counts_characters_one_by_one() -> None:
    assert RssConnector().count_characters("Élodie 👋") == 8


def test_it_hands_over_every_entry_of_a_new_feed_oldest_first(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    result = RssConnector().fetch(feed_account(url), {})

    assert titles(result) == [
        "Lien piégé",
        "Formations & ateliers du printemps",
        "Forum des entrepreneurs : les inscriptions sont ouvertes",
        "Une actualité sans date",
    ]
    assert {event.kind for event in result.events} == {EventKind.FEED_ENTRY}


def test_it_turns_an_rss_item_into_a_feed_entry_event(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    forum = RssConnector().fetch(feed_account(url), {}).events[2]

    assert forum.external_id == "https://cci-lyon.example/actualites/forum-2025"
    assert forum.url == "https://cci-lyon.example/actualites/forum-2025"
    assert forum.occurred_at == datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    assert forum.author == Author(external_id="Élodie Martin", handle="Élodie Martin", display_name="Élodie Martin")
    assert forum.raw == {"tags": ["Événements"]}


def test_it_drops_script_content_from_an_html_summary(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    forum = RssConnector().fetch(feed_account(url), {}).events[2]

    assert forum.text == "Rendez-vous le jeudi 13 mars au Palais de la Bourse.\n\nEntrée libre."


def test_it_unescapes_entities_into_plain_text(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    formations = RssConnector().fetch(feed_account(url), {}).events[1]

    assert formations.title == "Formations & ateliers du printemps"
    assert formations.text == "Comptabilité, numérique & export : le programme est en ligne."


def test_it_uses_the_guid_as_identity_and_falls_back_on_the_link(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    events = RssConnector().fetch(feed_account(url), {}).events

    assert events[1].external_id == "cci-lyon-actu-2025-0228"
    assert events[3].external_id == "https://cci-lyon.example/actualites/sans-date"


def test_it_dates_an_undated_entry_now(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")
    before = datetime.now(UTC)

    undated = RssConnector().fetch(feed_account(url), {}).events[3]

    assert before <= undated.occurred_at <= datetime.now(UTC)


def test_it_never_passes_on_a_link_that_is_not_a_web_address(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    trap = RssConnector().fetch(feed_account(url), {}).events[0]

    assert trap.title == "Lien piégé"
    assert trap.url == ""
    assert trap.external_id == "cci-lyon-actu-piege"


def test_it_turns_an_atom_entry_into_a_feed_entry_event(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/blog/atom.xml", "atom10_fr.xml", content_type=ATOM_TYPE)

    braderie = RssConnector().fetch(feed_account(url), {}).events[1]

    assert braderie.external_id == "urn:uuid:0c6e2d4a-1f7b-4d8e-b1a2-6b9f3e5c8d21"
    assert braderie.title == "Braderie de printemps : appel aux exposants"
    assert braderie.url == feed_server.url("/blog/braderie-printemps")  # relative to the feed's address
    assert braderie.occurred_at == datetime(2025, 3, 5, 17, 0, tzinfo=UTC)  # published, not updated
    assert braderie.author == Author(
        external_id="https://commercants-vieux-lyon.example/equipe/raphael",
        handle="Raphaël Dubois",
        display_name="Raphaël Dubois",
        url="https://commercants-vieux-lyon.example/equipe/raphael",
    )


def test_it_drops_script_content_from_an_atom_html_summary(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/blog/atom.xml", "atom10_fr.xml", content_type=ATOM_TYPE)

    braderie = RssConnector().fetch(feed_account(url), {}).events[1]

    assert braderie.text == "Inscrivez votre boutique avant le 20 mars."


def test_it_reads_the_content_and_html_title_of_an_atom_entry_without_summary(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/blog/atom.xml", "atom10_fr.xml", content_type=ATOM_TYPE)

    assemblee = RssConnector().fetch(feed_account(url), {}).events[0]

    assert assemblee.title == "Retour sur l’assemblée générale"  # noqa: RUF001 - the French apostrophe
    assert assemblee.text == "Merci aux 42 adhérents présents.\n\nLe compte rendu arrive."
    assert assemblee.occurred_at == datetime(2025, 2, 20, 20, 0, tzinfo=UTC)  # updated, as nothing was published
    assert assemblee.author is None


def test_it_keeps_a_plain_text_summary_as_written(feed_server: FeedServer) -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title><id>urn:notes</id><updated>2025-03-01T00:00:00Z</updated>
<entry><title>Balises</title><id>urn:notes:1</id><updated>2025-03-01T00:00:00Z</updated>
<summary type="text">Le code &lt;script&gt;alert(1)&lt;/script&gt; est du texte ici.</summary></entry></feed>"""
    url = feed_server.serve("/notes.xml", body=body, content_type=ATOM_TYPE)

    (entry,) = RssConnector().fetch(feed_account(url), {}).events

    # Text, not markup: templates escape it, so it shows as written and never runs.
    assert entry.text == "Le code <script>alert(1)</script> est du texte ici."


def test_it_hands_over_nothing_twice(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")
    connector = RssConnector()
    first = connector.fetch(feed_account(url), {})

    second = connector.fetch(feed_account(url), first.cursor)

    assert second.events == []
    assert len(feed_server.hits("/feed.xml")) == 2  # no validators: the server sent the whole feed again


def test_it_hands_over_only_the_entries_that_appeared_since_the_last_poll(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml", etag='"v1"')
    connector = RssConnector()
    first = connector.fetch(feed_account(url), {})
    feed_server.serve_fixture("/feed.xml", "rss20_fr_next.xml", etag='"v2"')

    second = connector.fetch(feed_account(url), first.cursor)

    assert titles(second) == ["Nouveau : la permanence juridique du mardi"]
    assert second.cursor["etag"] == '"v2"'


def test_it_stores_the_validators_of_the_response_in_the_cursor(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml", etag='"v1"', last_modified=LAST_MODIFIED)

    cursor = RssConnector().fetch(feed_account(url), {}).cursor

    assert cursor["etag"] == '"v1"'
    assert cursor["last_modified"] == LAST_MODIFIED
    assert len(cursor["seen"]) == 4


def test_it_sends_a_conditional_get_with_the_stored_validators(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml", etag='"v1"', last_modified=LAST_MODIFIED)

    RssConnector().fetch(feed_account(url), {"etag": '"v1"', "last_modified": LAST_MODIFIED, "seen": []})

    (request,) = feed_server.hits("/feed.xml")
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED


def test_it_hands_over_nothing_and_keeps_the_cursor_when_the_feed_has_not_changed(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml", etag='"v1"')
    cursor = {"etag": '"v1"', "seen": ["0123456789abcdef"]}

    result = RssConnector().fetch(feed_account(url), cursor)

    assert result.events == []
    assert result.cursor == {"etag": '"v1"', "seen": ["0123456789abcdef"]}


def test_it_honours_last_modified_alone(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml", last_modified=LAST_MODIFIED)
    connector = RssConnector()
    first = connector.fetch(feed_account(url), {})

    second = connector.fetch(feed_account(url), first.cursor)

    assert second.events == []
    assert second.cursor == first.cursor
    assert "If-None-Match" not in feed_server.hits("/feed.xml")[1].headers


def test_it_sends_its_user_agent_and_asks_for_a_feed(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")

    RssConnector().fetch(feed_account(url), {})

    (request,) = feed_server.hits("/feed.xml")
    assert request.headers["User-Agent"].startswith("Parvis/")
    assert request.headers["Accept"].startswith("application/rss+xml, application/atom+xml")


def test_it_accepts_a_feed_with_minor_defects(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_wrong_encoding.xml", content_type="text/xml")

    result = RssConnector().fetch(feed_account(url), {})

    assert titles(result)[2] == "Forum des entrepreneurs : les inscriptions sont ouvertes"
    assert len(result.events) == 4


def test_it_keeps_the_entries_of_a_truncated_feed_and_skips_the_cut_off_one(feed_server: FeedServer) -> None:
    feed = fixture_bytes("rss20_fr.xml")
    cut = feed[: feed.index(b"<title>Une actualit")]
    url = feed_server.serve("/feed.xml", body=cut)

    result = RssConnector().fetch(feed_account(url), {})

    assert titles(result) == [
        "Formations & ateliers du printemps",
        "Forum des entrepreneurs : les inscriptions sont ouvertes",
    ]


def test_it_identifies_an_entry_without_guid_or_link_by_its_content(feed_server: FeedServer) -> None:
    body = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Brèves</title>
<item><title>Fermeture exceptionnelle</title><description>Lundi 10 mars.</description></item>
</channel></rss>""".encode()
    url = feed_server.serve("/breves.xml", body=body)
    connector = RssConnector()

    first = connector.fetch(feed_account(url), {})
    second = connector.fetch(feed_account(url), first.cursor)

    assert first.events[0].external_id.startswith("sha256:")
    assert second.events == []


def test_it_keeps_the_memory_of_seen_entries_bounded(feed_server: FeedServer) -> None:
    url = feed_server.serve_fixture("/feed.xml", "rss20_fr.xml")
    old = [f"{n:016x}" for n in range(rss.SEEN_LIMIT + 500)]

    cursor = RssConnector().fetch(feed_account(url), {"seen": old}).cursor

    assert len(cursor["seen"]) == rss.SEEN_LIMIT
    assert cursor["seen"][4:] == old[: rss.SEEN_LIMIT - 4]  # the entries in the feed come first


def test_it_puts_a_title_spread_over_several_lines_on_one_line(feed_server: FeedServer) -> None:
    body = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Brèves</title>
<item><guid>b1</guid><title>
        Fermeture
        exceptionnelle
    </title></item></channel></rss>""".encode()
    url = feed_server.serve("/breves.xml", body=body)

    (entry,) = RssConnector().fetch(feed_account(url), {}).events

    assert entry.title == "Fermeture exceptionnelle"
