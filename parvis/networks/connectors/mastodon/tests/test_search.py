"""Searching public posts (the live wall): the hashtag timeline and full-text search, against mastodon-mock."""

from __future__ import annotations

import pytest

from parvis.networks.connectors.mastodon.connector import MAX_PAGES, PAGE_SIZE, MastodonConnector
from parvis.networks.connectors.mastodon.tests.conftest import account_ref
from parvis.networks.errors import AuthExpired, RateLimited
from parvis.networks.protocol import AccountRef
from parvis.testing.mastodon import MastodonMockServer, MockAccount

pytestmark = pytest.mark.network


def test_mastodon_says_it_can_search() -> None:
    assert MastodonConnector.capabilities.search is True


def test_a_hashtag_search_finds_the_public_posts_with_that_tag_oldest_first(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org_ref: AccountRef,
    bob: MockAccount,
    carol: MockAccount,
) -> None:
    first = mastodon_server.client(bob).status_post("La table ronde commence #Rencontres26")
    second = mastodon_server.client(carol).status_post("Une question pour la salle ? #rencontres26")

    result = connector.search(org_ref, "#Rencontres26", {})

    assert [event.external_id for event in result.events] == [str(first["id"]), str(second["id"])]
    host = mastodon_server.instance_host
    assert result.events[0].author is not None
    assert result.events[0].author.handle == f"@bob@{host}"
    assert result.events[1].text == "Une question pour la salle ? #rencontres26"
    assert result.events[1].url


def test_a_hashtag_search_leaves_out_other_tags_private_messages_and_followers_only_posts(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    client = mastodon_server.client(bob)
    client.status_post("Autre salon #Rencontres2025")
    client.status_post(f"{org.mention} en privé #Rencontres26", visibility="direct")
    client.status_post("Pour mes abonnés #Rencontres26", visibility="private")
    client.status_post("Pas de tag du tout, Rencontres26")

    assert connector.search(org_ref, "#Rencontres26", {}).events == []


def test_a_second_search_from_the_cursor_returns_only_the_new_posts(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    client = mastodon_server.client(bob)
    client.status_post("Déjà vu #Salon")
    cursor = connector.search(org_ref, "#Salon", {}).cursor
    new = client.status_post("Tout neuf #Salon")

    again = connector.search(org_ref, "#Salon", cursor)

    assert [event.external_id for event in again.events] == [str(new["id"])]
    assert connector.search(org_ref, "#Salon", again.cursor).events == []


def test_a_search_with_nothing_yet_keeps_a_cursor_that_finds_the_first_post_later(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    empty = connector.search(org_ref, "#Salon", {})
    post = mastodon_server.client(bob).status_post("Premier #Salon")

    later = connector.search(org_ref, "#Salon", empty.cursor)

    assert empty.events == []
    assert [event.external_id for event in later.events] == [str(post["id"])]


def test_a_search_walks_forward_over_several_pages(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    client = mastodon_server.client(bob)
    cursor = connector.search(org_ref, "#Salon", {}).cursor
    posted = [str(client.status_post(f"Message {number} #Salon")["id"]) for number in range(PAGE_SIZE + 5)]

    result = connector.search(org_ref, "#Salon", cursor)

    assert MAX_PAGES > 1
    assert [event.external_id for event in result.events] == posted


def test_a_hashtag_with_accents_is_found(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    post = mastodon_server.client(bob).status_post("On y est ! #JournéeÉco")

    result = connector.search(org_ref, "#JournéeÉco", {})

    assert [event.external_id for event in result.events] == [str(post["id"])]


def test_words_are_searched_in_the_public_posts(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    client = mastodon_server.client(bob)
    post = client.status_post("La facturation électronique arrive")
    client.status_post("Rien à voir")
    client.status_post("facturation en privé", visibility="direct")

    result = connector.search(org_ref, "facturation", {})

    assert [event.external_id for event in result.events] == [str(post["id"])]
    assert connector.search(org_ref, "facturation", result.cursor).events == []


def test_a_search_refused_for_the_token_asks_for_reconnection(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    # mastodon-mock serves public timelines to any token; real Mastodon answers 401 to a revoked one.
    body = {"error": "The access token is invalid"}
    rule = {"effect": "status", "status": 401, "body": body, "path": "/api/v1/timelines/tag/*"}
    with mastodon_server.fault(**rule), pytest.raises(AuthExpired):
        connector.search(org_ref, "#Salon", {})


def test_a_search_without_a_token_asks_for_reconnection(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount
) -> None:
    with pytest.raises(AuthExpired):
        connector.search(account_ref(mastodon_server, org, token=""), "#Salon", {})


def test_a_rate_limited_search_says_when_to_try_again(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    rule = {"effect": "ratelimit", "path": "/api/v1/timelines/tag/*", "headers": {"Retry-After": "42"}}
    with mastodon_server.fault(**rule), pytest.raises(RateLimited) as raised:
        connector.search(org_ref, "#Salon", {})

    assert raised.value.retry_after == 42
