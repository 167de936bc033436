"""The Graph API as a scripted local server, and the organisation's Facebook Page on it as the connector sees it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer

PAGE_ID = "104857194637182"
PAGE_TOKEN = "EAApagetokenCCI"
SQUARE_PNG = Path(__file__).parents[2] / "mastodon" / "tests" / "fixtures" / "square.png"


@pytest.fixture
def graph() -> Iterator[ScriptedServer]:
    server = ScriptedServer.start()
    yield server
    server.stop()


@pytest.fixture
def connector() -> FacebookConnector:
    return FacebookConnector()


def page_ref(server: ScriptedServer, **credentials: str) -> AccountRef:
    return AccountRef(
        id=1,
        network="facebook",
        instance_url=server.url,
        external_id=PAGE_ID,
        handle="@ccilyon",
        credentials={"access_token": PAGE_TOKEN, "page_id": PAGE_ID, **credentials},
    )


@pytest.fixture
def page(graph: ScriptedServer) -> AccountRef:
    return page_ref(graph)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A small JPEG-named image file (content is a PNG: Graph checks nothing here, the server records bytes)."""
    path = tmp_path / "affiche.jpg"
    path.write_bytes(SQUARE_PNG.read_bytes())
    return path


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
