"""Reading: verify, and notifications turned into events, against mastodon-mock on loopback."""

from __future__ import annotations

import pytest

from parvis.networks.connectors.mastodon import connector as connector_module
from parvis.networks.connectors.mastodon.connector import CURSOR_KEY, MastodonConnector
from parvis.networks.connectors.mastodon.schemas import id_sort_key
from parvis.networks.connectors.mastodon.tests.conftest import account_ref
from parvis.networks.errors import AuthExpired
from parvis.networks.protocol import AccountRef, EventKind
from parvis.testing.mastodon import MastodonMockServer, MockAccount

pytestmark = pytest.mark.network


def _start(connector: MastodonConnector, org_ref: AccountRef) -> dict[str, str]:
    """The cursor of an account connected before anything happened."""
    first = connector.fetch(org_ref, {})
    assert first.events == []
    return first.cursor


def test_verify_says_whose_token_it_is(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount
) -> None:
    probe = account_ref(mastodon_server, org)
    profile = connector.verify(probe)

    assert profile.external_id == org.id
    assert profile.handle == f"@cci@127.0.0.1:{mastodon_server.port}"
    assert profile.display_name == "CCI Lyon"
    assert profile.url.endswith("/@cci")


def test_verify_with_an_unknown_token_asks_for_reconnection(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount
) -> None:
    with pytest.raises(AuthExpired, match="reconnect"):
        connector.verify(account_ref(mastodon_server, org, token="revoked-token"))


def test_a_mention_arrives_with_its_author_qualified_by_the_instance(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    status = mastodon_server.client(bob).status_post(f"{org.mention} are the workshops open?")

    result = connector.fetch(org_ref, cursor)

    [event] = result.events
    host = mastodon_server.instance_host
    assert event.kind == EventKind.MENTION
    assert event.external_id == str(status["id"])
    assert event.text == "@cci are the workshops open?"
    assert event.author is not None
    assert event.author.external_id == f"bob@{host}"
    assert event.author.handle == f"@bob@{host}"
    assert event.author.display_name == "Bob"
    assert event.url == status["url"]
    assert event.thread_key == str(status["id"])
    assert event.visibility == "public"
    assert event.occurred_at.tzinfo is not None


def test_a_reply_to_one_of_our_posts_arrives_as_a_reply_in_the_posts_thread(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    ours = mastodon_server.client(org).status_post("Our spring programme is out.")
    cursor = _start(connector, org_ref)
    reply = mastodon_server.client(bob).status_post(f"{org.mention} great news", in_reply_to_id=ours["id"])

    [event] = connector.fetch(org_ref, cursor).events

    assert event.kind == EventKind.REPLY
    assert event.external_id == str(reply["id"])
    assert event.in_reply_to_id == str(ours["id"])
    assert event.thread_key == str(ours["id"])


def test_a_mention_answering_someone_else_stays_a_mention(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    carol: MockAccount,
) -> None:
    carols = mastodon_server.client(carol).status_post("Where can I learn about exports?")
    cursor = _start(connector, org_ref)
    mastodon_server.client(bob).status_post(f"{carol.mention} ask {org.mention}", in_reply_to_id=carols["id"])

    [event] = connector.fetch(org_ref, cursor).events

    assert event.kind == EventKind.MENTION
    assert event.in_reply_to_id == str(carols["id"])


def test_a_direct_message_arrives_as_a_direct_message(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    mastodon_server.client(bob).status_post(f"{org.mention} a private question", visibility="direct")

    [event] = connector.fetch(org_ref, cursor).events

    assert event.kind == EventKind.DIRECT_MESSAGE
    assert event.visibility == "direct"
    assert event.text == "@cci a private question"
    assert event.thread_key == f"direct:bob@{mastodon_server.instance_host}"


def test_private_messages_between_the_same_people_share_one_thread(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    carol: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    people = mastodon_server.client(bob)
    people.status_post(f"{org.mention} first private question", visibility="direct")
    people.status_post(f"{org.mention} and a second one", visibility="direct")
    people.status_post(f"{org.mention} {carol.mention} all three of us", visibility="direct")

    first, second, group = connector.fetch(org_ref, cursor).events

    assert first.thread_key == second.thread_key == f"direct:bob@{mastodon_server.instance_host}"
    host = mastodon_server.instance_host
    assert group.thread_key == f"direct:bob@{host},carol@{host}"


def test_a_follow_arrives_as_a_follow(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    mastodon_server.client(bob).account_follow(org.id)

    [event] = connector.fetch(org_ref, cursor).events

    assert event.kind == EventKind.FOLLOW
    assert event.external_id.startswith("follow:")
    assert event.author is not None
    assert event.author.handle == f"@bob@{mastodon_server.instance_host}"


def test_favourites_and_boosts_are_read_so_the_cursor_moves_past_them(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    ours = mastodon_server.client(org).status_post("Thank you all!")
    cursor = _start(connector, org_ref)
    people = mastodon_server.client(bob)
    people.status_favourite(ours["id"])
    people.status_reblog(ours["id"])

    result = connector.fetch(org_ref, cursor)

    assert [event.kind for event in result.events] == [EventKind.FAVOURITE, EventKind.REBLOG]
    assert all(event.in_reply_to_id == str(ours["id"]) for event in result.events)
    assert connector.fetch(org_ref, result.cursor).events == []


def test_fetch_reads_every_page_oldest_first(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 5)
    cursor = _start(connector, org_ref)
    people = mastodon_server.client(bob)
    posted = [str(people.status_post(f"{org.mention} question {number}")["id"]) for number in range(12)]

    result = connector.fetch(org_ref, cursor)

    assert [event.external_id for event in result.events] == posted
    assert [event.text for event in result.events][-1] == "@cci question 11"


def test_a_poll_reads_at_most_max_pages_and_the_next_one_goes_on(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(connector_module, "MAX_PAGES", 2)
    cursor = _start(connector, org_ref)
    people = mastodon_server.client(bob)
    posted = [str(people.status_post(f"{org.mention} n{number}")["id"]) for number in range(6)]

    first = connector.fetch(org_ref, cursor)
    second = connector.fetch(org_ref, first.cursor)

    assert [event.external_id for event in first.events] == posted[:4]
    assert [event.external_id for event in second.events] == posted[4:]


def test_a_second_fetch_with_the_new_cursor_is_empty(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    mastodon_server.client(bob).status_post(f"{org.mention} hello")
    first = connector.fetch(org_ref, cursor)

    second = connector.fetch(org_ref, first.cursor)

    assert len(first.events) == 1
    assert second.events == []
    assert second.cursor == first.cursor
    assert id_sort_key(first.cursor[CURSOR_KEY]) > id_sort_key(cursor[CURSOR_KEY])


def test_a_new_account_backfills_its_history_page_after_page(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)
    people = mastodon_server.client(bob)
    posted = [str(people.status_post(f"{org.mention} old {number}")["id"]) for number in range(5)]

    result = connector.fetch(org_ref, {})

    assert [event.external_id for event in result.events] == posted  # oldest first, all pages
    assert connector.fetch(org_ref, result.cursor).events == []


def test_the_backfill_stops_at_its_item_limit_keeping_the_newest(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(connector_module, "BACKFILL_MAX_ITEMS", 3)
    people = mastodon_server.client(bob)
    posted = [str(people.status_post(f"{org.mention} old {number}")["id"]) for number in range(5)]

    result = connector.fetch(org_ref, {})

    assert [event.external_id for event in result.events] == posted[-3:]


def test_the_backfill_stops_at_its_age_limit(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = mastodon_server.client(bob)
    people.status_post(f"{org.mention} already there")
    monkeypatch.setattr(connector_module, "BACKFILL_DAYS", -1)  # everything is "older" than the window

    result = connector.fetch(org_ref, {})

    assert result.events == []
    assert id_sort_key(result.cursor[CURSOR_KEY]) > id_sort_key("0")  # and the next poll starts after it


def test_markup_in_a_comment_arrives_as_plain_text(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    cursor = _start(connector, org_ref)
    mastodon_server.client(bob).status_post(f"{org.mention} <script>alert(1)</script> & <b>bold</b>")

    [event] = connector.fetch(org_ref, cursor).events

    # The mock escapes it into HTML, as Mastodon does; Parvis keeps what the person typed, as text.
    assert event.text == "@cci <script>alert(1)</script> & <b>bold</b>"
