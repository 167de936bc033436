"""Whose Instagram account a token reaches, and the capabilities the composer reads."""

from __future__ import annotations

import pytest

from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.connectors.instagram.connector import InstagramConnector
from parvis.networks.connectors.instagram.tests.conftest import IG_ID, PAGE_TOKEN
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind
from parvis.testing.scripted_http import ScriptedServer


def test_verify_names_the_instagram_account(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "GET", IG_ID, "ig_user.json")

    profile = connector.verify(account)

    assert profile.external_id == IG_ID
    assert profile.handle == "@ccilyon"
    assert profile.display_name == "CCI Lyon Métropole"
    assert profile.url == "https://www.instagram.com/ccilyon/"
    request = graph.only("GET", v(IG_ID))
    assert request.header("Authorization") == f"Bearer {PAGE_TOKEN}"
    assert request.arg("fields") == "id,username,name"


def test_verify_without_an_instagram_account_is_refused(connector: InstagramConnector, graph: ScriptedServer) -> None:
    account = AccountRef(
        id=1, network="instagram", instance_url=graph.url, external_id="", handle="", credentials={"access_token": "t"}
    )

    with pytest.raises(PermanentError, match="which Instagram account"):
        connector.verify(account)


def test_the_capabilities_say_what_instagram_requires(connector: InstagramConnector) -> None:
    capabilities = connector.capabilities

    assert capabilities.media_required
    assert capabilities.max_media == 10
    assert capabilities.max_characters == 2200
    assert capabilities.daily_publish_limit == 100
    assert capabilities.first_comment and capabilities.read_back
    assert not capabilities.threads
    assert capabilities.actions == frozenset(
        {ActionKind.PUBLISH, ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE}
    )
