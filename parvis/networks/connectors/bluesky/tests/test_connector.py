"""The connector against Bluesky's reference servers (@atproto/dev-env): what it writes is what the PDS holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.connectors.bluesky.richtext import record_key
from parvis.networks.connectors.bluesky.tests.conftest import SavedCredentials, signed_in_ref
from parvis.networks.errors import AuthExpired, PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, EventKind, MediaFile
from parvis.testing.atproto import AtprotoDevEnv, DevAccount

pytestmark = pytest.mark.atproto


def _request(kind: ActionKind, key: str, **fields: Any) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=key, **fields)


def _record(network: AtprotoDevEnv, uri: str) -> dict[str, Any]:
    """The record's value as the PDS holds it (raw JSON)."""
    found = network.record(uri)
    assert found is not None, f"{uri} is not on the PDS"
    value: dict[str, Any] = found["value"]
    return value


def test_verify_says_whose_session_it_is(connector: BlueskyConnector, org_ref: AccountRef, org: DevAccount) -> None:
    profile = connector.verify(org_ref)

    assert profile.external_id == org.did
    assert profile.handle == f"@{org.handle}"
    assert profile.url == f"https://bsky.app/profile/{org.handle}"


def test_a_wrong_app_password_is_refused_with_bluesky_s_reason(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org: DevAccount
) -> None:
    probe = AccountRef(
        id=0,
        network="bluesky",
        instance_url=atproto_network.pds_url,
        external_id="",
        handle="",
        credentials={"identifier": org.handle, "app_password": "aaaa-bbbb-cccc-dddd"},
    )

    with pytest.raises(AuthExpired, match="Invalid identifier or password"):
        connector.verify(probe)


def test_publish_puts_text_facets_and_an_image_with_alt_text_on_the_pds(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org_ref: AccountRef,
    org: DevAccount,
    bob: DevAccount,
    square_png: Path,
) -> None:
    text = f"Café à 9 h 🎉 avec @{bob.handle} #Lyon2026 https://parvis.example/programme"
    result = connector.execute(
        org_ref,
        _request(
            ActionKind.PUBLISH,
            "publish-1",
            text=text,
            media=(MediaFile(path=str(square_png), mime_type="image/png", alt_text="Un carré rouge"),),
        ),
    )

    record = _record(atproto_network, result.external_id)
    assert result.external_id == f"at://{org.did}/app.bsky.feed.post/{record_key('publish-1')}"
    assert result.url == f"https://bsky.app/profile/{org.handle}/post/{record_key('publish-1')}"
    assert record["text"] == text
    image = record["embed"]["images"][0]
    assert image["alt"] == "Un carré rouge"
    assert image["aspectRatio"] == {"width": 4, "height": 3}
    spans = {
        text.encode()[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record["facets"]
    }
    assert spans[f"@{bob.handle}"]["did"] == bob.did
    assert spans["#Lyon2026"]["tag"] == "Lyon2026"
    assert spans["https://parvis.example/programme"]["uri"] == "https://parvis.example/programme"


def test_the_same_idempotency_key_twice_gives_one_post(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, org: DevAccount
) -> None:
    request = _request(ActionKind.PUBLISH, "once-only", text="Une seule fois")

    first = connector.execute(org_ref, request)
    second = connector.execute(org_ref, request)

    assert second.external_id == first.external_id
    assert second.data["cid"] == first.data["cid"]
    assert [post["value"]["text"] for post in atproto_network.records(org)] == ["Une seule fois"]


def test_a_mention_from_someone_else_is_fetched_after_the_appview_indexed_it(
    connector: BlueskyConnector,
    atproto_network: AtprotoDevEnv,
    org_ref: AccountRef,
    org: DevAccount,
    bob: DevAccount,
) -> None:
    first = connector.fetch(org_ref, {})
    bob_client = atproto_network.client(bob)
    from atproto_client.utils import TextBuilder

    sent = bob_client.send_post(TextBuilder().text("Bonjour ").mention(org.mention, org.did).text(" ça va ?"))
    atproto_network.process_all()

    second = connector.fetch(org_ref, first.cursor)
    third = connector.fetch(org_ref, second.cursor)

    assert first.events == []
    assert [event.kind for event in second.events] == [EventKind.MENTION]
    event = second.events[0]
    assert event.external_id == sent.uri
    assert event.text == f"Bonjour {org.mention} ça va ?"
    assert event.author is not None and event.author.external_id == bob.did
    assert event.author.handle == f"@{bob.handle}"
    assert event.thread_key == sent.uri
    assert third.events == []


def test_an_expired_access_token_is_refreshed_once_and_the_new_session_stored(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org: DevAccount
) -> None:
    saved = SavedCredentials()
    ref = signed_in_ref(atproto_network, org, save=saved, access_jwt=_forged_jwt())

    profile = connector.verify(ref)

    assert profile.external_id == org.did
    assert len(saved.saved) == 1
    assert saved.saved[0]["refresh_jwt"] != ref.credentials["refresh_jwt"]


def test_a_refused_refresh_token_asks_for_reconnection(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org: DevAccount
) -> None:
    ref = signed_in_ref(atproto_network, org, access_jwt=_forged_jwt(), refresh_jwt=_forged_jwt())

    with pytest.raises(AuthExpired, match="reconnect"):
        connector.verify(ref)


def test_deleting_someone_else_s_post_is_refused(
    connector: BlueskyConnector, atproto_network: AtprotoDevEnv, org_ref: AccountRef, bob: DevAccount
) -> None:
    theirs = atproto_network.client(bob).send_post("À moi")

    with pytest.raises(PermanentError, match="another account"):
        connector.execute(org_ref, _request(ActionKind.DELETE, "del", target_id=theirs.uri))


def _forged_jwt() -> str:
    """A JWT that decodes (the SDK reads its expiry) but that no PDS signed: far in the future, refused."""
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part({'exp': 4102444800, 'sub': 'did:plc:x'})}.c2lnbmF0dXJl"


def test_the_reference_servers_listen_on_loopback_only(atproto_network: AtprotoDevEnv) -> None:
    addresses = atproto_network.listening_addresses()

    assert len(addresses) >= 5  # PLC, PDS, AppView, its data plane, bsync, Ozone, the control channel
    assert {address for address, _port in addresses} == {"127.0.0.1"}
