"""Replies, likes, reposts, quotes, deletions, read-back and search against Bluesky's reference servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.connectors.bluesky.richtext import record_key
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind
from parvis.testing.atproto import AtprotoDevEnv, DevAccount

pytestmark = pytest.mark.atproto


def _value(network: AtprotoDevEnv, uri: str) -> dict[str, Any]:
    found = network.record(uri)
    assert found is not None, f"{uri} is not on the PDS"
    value: dict[str, Any] = found["value"]
    return value


def _publish(connector: BlueskyConnector, ref: AccountRef, key: str, text: str, **fields: Any) -> str:
    result = connector.execute(ref, ActionRequest(kind=ActionKind.PUBLISH, idempotency_key=key, text=text, **fields))
    return result.external_id


def test_a_reply_names_the_thread_root_and_its_parent_with_their_cids(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, bob: DevAccount
) -> None:
    bob_client = atproto_network.client(bob)
    question = bob_client.send_post("Quand ouvrez-vous ?")
    follow_up = bob_client.send_post(
        "Et le samedi ?",
        reply_to={
            "root": {"uri": question.uri, "cid": question.cid},
            "parent": {"uri": question.uri, "cid": question.cid},
        },
    )

    result = connector.execute(
        org_ref,
        ActionRequest(
            kind=ActionKind.REPLY, idempotency_key="reply-1", text="Oui, de 9 h à 12 h.", in_reply_to_id=follow_up.uri
        ),
    )

    reply = _value(atproto_network, result.external_id)["reply"]
    assert reply["parent"] == {"uri": follow_up.uri, "cid": follow_up.cid}
    assert reply["root"] == {"uri": question.uri, "cid": question.cid}


def test_a_thread_of_three_posts_hangs_from_its_first_post(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef
) -> None:
    first = _publish(connector, org_ref, "thread-1", "1/3 Le programme")
    second = _publish(connector, org_ref, "thread-2", "2/3 Le matin", in_reply_to_id=first, thread_root_id=first)
    third = _publish(connector, org_ref, "thread-3", "3/3 L'après-midi", in_reply_to_id=second, thread_root_id=first)

    first_cid = atproto_network.record(first)["cid"]  # type: ignore[index]
    second_cid = atproto_network.record(second)["cid"]  # type: ignore[index]
    assert _value(atproto_network, second)["reply"] == {
        "root": {"uri": first, "cid": first_cid},
        "parent": {"uri": first, "cid": first_cid},
    }
    assert _value(atproto_network, third)["reply"] == {
        "root": {"uri": first, "cid": first_cid},
        "parent": {"uri": second, "cid": second_cid},
    }


def test_like_repost_and_quote_point_at_the_post_with_its_cid(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, bob: DevAccount
) -> None:
    theirs = atproto_network.client(bob).send_post("Notre salon ouvre demain")
    subject = {"uri": theirs.uri, "cid": theirs.cid}

    like = connector.execute(
        org_ref, ActionRequest(kind=ActionKind.FAVOURITE, idempotency_key="like-1", target_id=theirs.uri)
    )
    repost = connector.execute(
        org_ref, ActionRequest(kind=ActionKind.REPOST, idempotency_key="repost-1", target_id=theirs.uri)
    )
    quote = connector.execute(
        org_ref,
        ActionRequest(
            kind=ActionKind.QUOTE, idempotency_key="quote-1", text="À ne pas manquer !", target_id=theirs.uri
        ),
    )

    assert like.external_id.endswith(f"/app.bsky.feed.like/{record_key('like-1')}")
    assert _value(atproto_network, like.external_id)["subject"] == subject
    assert _value(atproto_network, repost.external_id)["subject"] == subject
    quoted = _value(atproto_network, quote.external_id)
    assert quoted["text"] == "À ne pas manquer !"
    assert quoted["embed"] == {"$type": "app.bsky.embed.record", "record": subject}
    atproto_network.process_all()
    counts = atproto_network.client(bob).get_posts([theirs.uri]).posts[0]
    assert (counts.like_count, counts.repost_count, counts.quote_count) == (1, 1, 1)


def test_delete_removes_the_post_and_locate_then_finds_nothing(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef
) -> None:
    request = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="to-delete", text="Erreur")
    uri = connector.execute(org_ref, request).external_id
    found_before = connector.locate(org_ref, request, external_id=uri)

    connector.execute(org_ref, ActionRequest(kind=ActionKind.DELETE, idempotency_key="delete-1", target_id=uri))

    assert found_before is not None and found_before.external_id == uri
    assert atproto_network.record(uri) is None
    assert connector.locate(org_ref, request, external_id=uri) is None
    assert connector.locate(org_ref, request) is None


def test_locate_finds_what_an_action_created_from_its_idempotency_key_alone(
    connector: BlueskyConnector, org_ref: AccountRef
) -> None:
    request = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="lost-answer", text="Réponse perdue")
    created = connector.execute(org_ref, request)
    never_sent = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="never-sent", text="Réponse perdue")

    found = connector.locate(org_ref, request)

    assert found is not None
    assert found.external_id == created.external_id
    assert found.url == created.url
    assert connector.locate(org_ref, never_sent) is None


def test_replying_to_a_post_that_does_not_exist_fails_for_good(
    connector: BlueskyConnector, org_ref: AccountRef, bob: DevAccount
) -> None:
    missing = f"at://{bob.did}/app.bsky.feed.post/{record_key('nothing')}"

    with pytest.raises(PermanentError, match="no longer exists"):
        connector.execute(
            org_ref, ActionRequest(kind=ActionKind.REPLY, idempotency_key="r", text="?", in_reply_to_id=missing)
        )


def test_a_post_over_300_graphemes_is_refused_before_sending(connector: BlueskyConnector, org_ref: AccountRef) -> None:
    with pytest.raises(PermanentError, match="301 characters"):
        connector.execute(org_ref, ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="long", text="é" * 301))


def test_search_finds_a_hashtag_oldest_first_then_only_what_is_new(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, bob: DevAccount
) -> None:
    bob_client = atproto_network.client(bob)
    bob_client.send_post("Premier jour #Rencontres26")
    bob_client.send_post("Rien à voir")
    bob_client.send_post("Deuxième jour #Rencontres26")
    atproto_network.process_all()

    first = connector.search(org_ref, "#Rencontres26", {})
    bob_client.send_post("Dernier jour #Rencontres26")
    atproto_network.process_all()
    second = connector.search(org_ref, "#Rencontres26", first.cursor)

    assert [event.text for event in first.events] == ["Premier jour #Rencontres26", "Deuxième jour #Rencontres26"]
    assert {event.kind for event in first.events} == {EventKind.MENTION}
    assert first.events[0].author is not None and first.events[0].author.external_id == bob.did
    assert [event.text for event in second.events] == ["Dernier jour #Rencontres26"]


class _Page(BaseHTTPRequestHandler):
    body = (
        b'<html><head><meta property="og:title" content="Rencontres 2026">'
        b'<meta name="description" content="Le programme complet"><title>ignored</title></head><body></body></html>'
    )

    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/programme"
    server.shutdown()
    server.server_close()


def test_a_link_url_becomes_a_card_with_the_page_s_title_and_description(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, web_page: str
) -> None:
    uri = _publish(connector, org_ref, "card-1", "Le programme est en ligne", link_url=web_page)

    assert _value(atproto_network, uri)["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": web_page, "title": "Rencontres 2026", "description": "Le programme complet"},
    }
