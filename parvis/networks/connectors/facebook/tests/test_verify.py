"""Whose Page a token belongs to."""

from __future__ import annotations

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID, page_ref
from parvis.networks.connectors.facebook.tests.graph_testing import serve
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer


def test_verify_names_the_page(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "GET", "me", "me_page.json")

    profile = connector.verify(page)

    assert profile.external_id == PAGE_ID
    assert profile.handle == "@ccilyon"
    assert profile.display_name == "CCI Lyon Métropole"
    assert profile.url == "https://www.facebook.com/ccilyon"


def test_a_token_of_another_page_is_refused(connector: FacebookConnector, graph: ScriptedServer) -> None:
    serve(graph, "GET", "me", "me_page.json")

    with pytest.raises(PermanentError, match="another Facebook Page"):
        connector.verify(page_ref(graph, page_id="999"))


def test_the_character_count_is_the_text_length(connector: FacebookConnector) -> None:
    assert connector.count_characters("Assemblée 🎉") == 11
    assert connector.capabilities.max_characters == 63206
    assert connector.capabilities.first_comment and connector.capabilities.read_back
    assert not connector.capabilities.threads
