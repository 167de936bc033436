"""The X API as a scripted local server, and the organisation's account on it as the connector sees it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.x.connector import XConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer

FIXTURES = Path(__file__).parent / "fixtures"
OWN_ID = "2244994945"


def fixture(name: str) -> Any:
    """A recorded X answer (see fixtures/README.md for where each comes from)."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def x_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer.start()
    yield server
    server.stop()


@pytest.fixture
def connector() -> XConnector:
    return XConnector()


@pytest.fixture
def saved() -> list[dict[str, Any]]:
    """Credentials the connector handed to save_credentials."""
    return []


def make_ref(server: ScriptedServer, saved: list[dict[str, Any]], **credentials: Any) -> AccountRef:
    values: dict[str, Any] = {
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "expires_at": int(time.time()) + 7200,
        "token_type": "bearer",
        "token_url": f"{server.url}/2/oauth2/token",
        "token_auth_method": "",
        "client_id": "x-client",
        "client_secret": "x-secret",
    }
    values.update(credentials)
    return AccountRef(
        id=1,
        network="x",
        instance_url=server.url,
        external_id=OWN_ID,
        handle="@ccilyon",
        credentials=values,
        save_credentials=saved.append,
    )


@pytest.fixture
def org(x_server: ScriptedServer, saved: list[dict[str, Any]]) -> AccountRef:
    return make_ref(x_server, saved)


@pytest.fixture
def square_png() -> Path:
    return FIXTURES / "square.png"
