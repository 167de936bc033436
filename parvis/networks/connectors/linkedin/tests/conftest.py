"""LinkedIn's REST API as a scripted local server, and the organisation page on it as the connector sees it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.linkedin.connector import LinkedInConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer

FIXTURES = Path(__file__).parent / "fixtures"
ORG_ID = "2414183"
ORG = f"urn:li:organization:{ORG_ID}"


def fixture(name: str) -> Any:
    """A recorded LinkedIn answer (see fixtures/README.md for where each comes from)."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def li_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer.start()
    yield server
    server.stop()


@pytest.fixture
def connector() -> LinkedInConnector:
    return LinkedInConnector()


@pytest.fixture
def saved() -> list[dict[str, Any]]:
    return []


def make_ref(server: ScriptedServer, saved: list[dict[str, Any]], **credentials: Any) -> AccountRef:
    values: dict[str, Any] = {
        "access_token": "li-access-1",
        "refresh_token": "li-refresh-1",
        "expires_at": int(time.time()) + 86400,
        "token_url": f"{server.url}/oauth/v2/accessToken",
        "token_auth_method": "client_secret_post",
        "client_id": "li-client",
        "client_secret": "li-secret",
        "organization_urn": ORG,
    }
    values.update(credentials)
    return AccountRef(
        id=1,
        network="linkedin",
        instance_url=server.url,
        external_id=ORG_ID,
        handle="cci-lyon",
        credentials=values,
        save_credentials=saved.append,
    )


@pytest.fixture
def page(li_server: ScriptedServer, saved: list[dict[str, Any]]) -> AccountRef:
    return make_ref(li_server, saved)


@pytest.fixture
def square_png() -> Path:
    return FIXTURES / "square.png"
