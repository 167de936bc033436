"""The organisation's account on mastodon-mock, as the connector sees it, and a few people who talk to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.mastodon import MastodonMockServer, MockAccount

FIXTURES = Path(__file__).parent / "fixtures"


def account_ref(server: MastodonMockServer, account: MockAccount, *, token: str | None = None) -> AccountRef:
    """What Parvis stores for a connected account, built without the database."""
    return AccountRef(
        id=1,
        network="mastodon",
        instance_url=server.base_url,
        external_id=account.id,
        handle=server.handle_of(account),
        credentials={"access_token": account.access_token if token is None else token},
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    """Personas get a password; the real hasher would dominate the time of these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def connector() -> MastodonConnector:
    return MastodonConnector()


@pytest.fixture
def org(mastodon_server: MastodonMockServer) -> MockAccount:
    """The organisation's account on the instance."""
    return mastodon_server.create_account("cci", display_name="CCI Lyon")


@pytest.fixture
def org_ref(mastodon_server: MastodonMockServer, org: MockAccount) -> AccountRef:
    return account_ref(mastodon_server, org)


@pytest.fixture
def bob(mastodon_server: MastodonMockServer) -> MockAccount:
    return mastodon_server.create_account("bob", display_name="Bob")


@pytest.fixture
def carol(mastodon_server: MastodonMockServer) -> MockAccount:
    return mastodon_server.create_account("carol", display_name="Carol")


@pytest.fixture
def square_png() -> Path:
    """A PNG image of 2 by 2 pixels."""
    return FIXTURES / "square.png"
