"""Hiding replies with a threadgate, follows, blocks, mutes and reports, against Bluesky's reference servers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.atproto import AtprotoDevEnv, DevAccount

pytestmark = pytest.mark.atproto

THREADGATE = "app.bsky.feed.threadgate"


def _request(kind: ActionKind, **fields: Any) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)


def _reply(client: Any, parent: Any, text: str) -> Any:
    ref = {"uri": parent.uri, "cid": parent.cid}
    return client.send_post(text, reply_to={"root": ref, "parent": ref})


def _threadgate(network: AtprotoDevEnv, post_uri: str) -> dict[str, Any] | None:
    repo, _collection, rkey = post_uri.removeprefix("at://").split("/")
    found = network.record(f"at://{repo}/{THREADGATE}/{rkey}")
    return None if found is None else dict(found["value"])


def _thread_replies(client: Any, root_uri: str) -> tuple[set[str], set[str]]:
    """What the AppView shows a reader of the thread: (replies shown, replies under "hidden")."""
    shown = client.app.bsky.unspecced.get_post_thread_v2({"anchor": root_uri})
    other = client.app.bsky.unspecced.get_post_thread_other_v2({"anchor": root_uri})
    shown_uris = {item.uri for item in shown.thread if item.uri != root_uri}
    other_uris = {item.uri for item in other.thread}
    return shown_uris, other_uris


def test_hiding_a_reply_writes_it_in_the_threadgate_and_the_appview_hides_it(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org: DevAccount,
    org_ref: AccountRef,
    bob: DevAccount,
) -> None:
    carol = atproto_network.create_account("carol")
    root = atproto_network.client(org).send_post("Our programme for Saturday.")
    insult = _reply(atproto_network.client(bob), root, "You are all idiots")
    kind = _reply(atproto_network.client(carol), root, "Looks great!")

    result = connector.execute(org_ref, _request(ActionKind.HIDE, target_id=insult.uri))
    connector.execute(org_ref, _request(ActionKind.HIDE, target_id=insult.uri))  # again: no duplicate
    atproto_network.process_all()

    gate = _threadgate(atproto_network, root.uri)
    assert gate is not None
    assert gate["post"] == root.uri
    assert gate["hiddenReplies"] == [insult.uri]
    assert "allow" not in gate  # anyone may still reply
    assert result.data["hidden"] is True
    shown, hidden = _thread_replies(atproto_network.client(carol), root.uri)
    assert kind.uri in shown and insult.uri not in shown
    assert insult.uri in hidden


def test_unhiding_takes_the_reply_out_and_keeps_the_reply_rules(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org: DevAccount,
    org_ref: AccountRef,
    bob: DevAccount,
) -> None:
    org_client = atproto_network.client(org)
    root = org_client.send_post("Questions welcome.")
    first = _reply(atproto_network.client(bob), root, "Spam spam spam")
    second = _reply(atproto_network.client(bob), root, "More spam")
    # The organisation already limited replies to people it follows (a rule set in the Bluesky app).
    rkey = root.uri.rsplit("/", 1)[1]
    org_client.com.atproto.repo.put_record(
        {
            "repo": org.did,
            "collection": THREADGATE,
            "rkey": rkey,
            "record": {
                "$type": THREADGATE,
                "post": root.uri,
                "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
                "createdAt": "2026-01-01T00:00:00.000Z",
            },
        }
    )

    connector.execute(org_ref, _request(ActionKind.HIDE, target_id=first.uri))
    connector.execute(org_ref, _request(ActionKind.HIDE, target_id=second.uri))
    connector.execute(org_ref, _request(ActionKind.UNHIDE, target_id=first.uri))

    gate = _threadgate(atproto_network, root.uri)
    assert gate is not None
    assert gate["hiddenReplies"] == [second.uri]
    assert gate["allow"] == [{"$type": "app.bsky.feed.threadgate#followingRule"}]


def test_a_reply_in_someone_elses_thread_cannot_be_hidden(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org_ref: AccountRef,
    bob: DevAccount,
) -> None:
    bobs_post = atproto_network.client(bob).send_post("My own thread")
    reply = _reply(atproto_network.client(bob), bobs_post, "and a reply")

    with pytest.raises(PermanentError, match="first post"):
        connector.execute(org_ref, _request(ActionKind.HIDE, target_id=reply.uri))
    with pytest.raises(PermanentError, match="not a reply"):
        connector.execute(org_ref, _request(ActionKind.HIDE, target_id=bobs_post.uri))


def test_follow_block_unblock_mute_unmute(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org: DevAccount,
    org_ref: AccountRef,
    bob: DevAccount,
) -> None:
    org_client = atproto_network.client(org)

    def viewer() -> Any:
        atproto_network.process_all()
        return org_client.app.bsky.actor.get_profile({"actor": bob.did}).viewer

    follow = _request(ActionKind.FOLLOW, target_id=bob.did)
    followed = connector.execute(org_ref, follow)
    assert connector.execute(org_ref, follow).external_id == followed.external_id  # a retry: one record
    assert viewer().following == followed.external_id
    assert len(atproto_network.records(org, "app.bsky.graph.follow")) == 1

    connector.execute(org_ref, _request(ActionKind.MUTE, target_handle=f"@{bob.handle}"))
    assert viewer().muted is True
    connector.execute(org_ref, _request(ActionKind.UNMUTE, target_id=bob.did))
    assert viewer().muted is False

    blocked = connector.execute(org_ref, _request(ActionKind.BLOCK, target_id=bob.did))
    assert viewer().blocking == blocked.external_id
    unblocked = connector.execute(org_ref, _request(ActionKind.UNBLOCK, target_id=bob.did))
    assert unblocked.data["was_blocked"] is True
    assert not viewer().blocking
    assert atproto_network.records(org, "app.bsky.graph.block") == []
    assert connector.execute(org_ref, _request(ActionKind.UNBLOCK, target_id=bob.did)).data["was_blocked"] is False


def test_report_goes_to_the_moderation_service(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org: DevAccount,
    org_ref: AccountRef,
    bob: DevAccount,
) -> None:
    insult = atproto_network.client(bob).send_post(f"{org.mention} you are all idiots")
    atproto_network.process_all()

    result = connector.execute(
        org_ref, _request(ActionKind.REPORT, target_id=insult.uri, text="Insult (charter clause 2)")
    )

    assert result.external_id  # the report's id at the moderation service (Ozone)
    assert result.data["subject"] == insult.uri
    assert result.data["reported_by"] == org.did


def test_a_new_account_backfills_its_notifications_beyond_one_page(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org: DevAccount,
    org_ref: AccountRef,
    bob: DevAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from atproto_client.utils import TextBuilder

    from parvis.networks.connectors.bluesky import connector as connector_module

    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)
    people = atproto_network.client(bob)
    sent = [people.send_post(TextBuilder().text(f"question {n} ").mention(org.mention, org.did)).uri for n in range(5)]
    atproto_network.process_all()

    first = connector.fetch(org_ref, {})

    assert [event.external_id for event in first.events] == sent
    assert connector.fetch(org_ref, first.cursor).events == []
