"""YouTube as a scripted local server, and the organisation's channel on it as the connector sees it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.youtube.connector import YouTubeConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer

FIXTURES = Path(__file__).parent / "fixtures"
CHANNEL_ID = "UCx9Jm2CciLyonMetropole1"
API = "/youtube/v3"


def fixture(name: str) -> Any:
    """A body shaped after YouTube's reference (see fixtures/README.md)."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def yt_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer.start()
    yield server
    server.stop()


@pytest.fixture
def connector() -> YouTubeConnector:
    return YouTubeConnector()


@pytest.fixture
def saved() -> list[dict[str, Any]]:
    return []


def make_ref(server: ScriptedServer, saved: list[dict[str, Any]], **credentials: Any) -> AccountRef:
    values: dict[str, Any] = {
        "access_token": "ya29.access-1",
        "refresh_token": "1//refresh-1",
        "expires_at": int(time.time()) + 3600,
        "token_type": "Bearer",
        "token_url": f"{server.url}/token",
        "token_auth_method": "client_secret_post",
        "client_id": "yt-client.apps.googleusercontent.com",
        "client_secret": "yt-secret",
    }
    values.update(credentials)
    return AccountRef(
        id=1,
        network="youtube",
        instance_url=server.url,
        external_id=CHANNEL_ID,
        handle="@ccilyon",
        credentials=values,
        save_credentials=saved.append,
    )


@pytest.fixture
def channel(yt_server: ScriptedServer, saved: list[dict[str, Any]]) -> AccountRef:
    return make_ref(yt_server, saved)
