"""The organisation's account on Bluesky's reference servers, as the connector sees it, and people around it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from parvis.networks.connectors.bluesky.client import BlueskyClient
from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.atproto import AtprotoDevEnv, DevAccount

FIXTURES = Path(__file__).parent / "fixtures"


class SavedCredentials:
    """Stands for ConnectedAccount._save_credentials: remembers every session the connector stored."""

    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []

    def __call__(self, credentials: dict[str, Any]) -> None:
        self.saved.append(dict(credentials))


def signed_in_ref(
    network: AtprotoDevEnv, account: DevAccount, *, save: SavedCredentials | None = None, **changes: Any
) -> AccountRef:
    """What Parvis stores for a connected account (an app-password session), built without the database."""
    with BlueskyClient(network.pds_url) as client:
        credentials = client.login(account.handle, account.app_password)
    credentials.update(changes)
    return AccountRef(
        id=1,
        network="bluesky",
        instance_url=network.pds_url,
        external_id=account.did,
        handle=f"@{account.handle}",
        credentials=credentials,
        save_credentials=save,
    )


@pytest.fixture
def connector() -> BlueskyConnector:
    return BlueskyConnector()


@pytest.fixture
def org(atproto_network: AtprotoDevEnv) -> DevAccount:
    """The organisation's account."""
    return atproto_network.create_account("cci")


@pytest.fixture
def saved() -> SavedCredentials:
    return SavedCredentials()


@pytest.fixture
def org_ref(atproto_network: AtprotoDevEnv, org: DevAccount, saved: SavedCredentials) -> AccountRef:
    return signed_in_ref(atproto_network, org, save=saved)


@pytest.fixture
def bob(atproto_network: AtprotoDevEnv) -> DevAccount:
    return atproto_network.create_account("bob")


@pytest.fixture
def square_png(tmp_path: Path) -> Path:
    """A PNG image of 4 by 3 pixels."""
    path = tmp_path / "square.png"
    Image.new("RGB", (4, 3), (200, 30, 60)).save(path, format="PNG")
    return path
