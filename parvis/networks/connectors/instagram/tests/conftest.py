"""The Graph API as a scripted local server, and the organisation's Instagram account on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from parvis.networks.connectors.instagram import connector as instagram_connector
from parvis.networks.connectors.instagram.connector import InstagramConnector
from parvis.networks.protocol import AccountRef, MediaFile
from parvis.testing.scripted_http import ScriptedServer

IG_ID = "17841405822304914"
PAGE_ID = "104857194637182"
PAGE_TOKEN = "EAApagetokenCCI"
PUBLIC = "https://parvis.cci-lyon.example/pm"


@pytest.fixture
def graph() -> Iterator[ScriptedServer]:
    server = ScriptedServer.start()
    yield server
    server.stop()


@pytest.fixture
def connector() -> InstagramConnector:
    return InstagramConnector()


def ig_ref(server: ScriptedServer, *, account_id: int = 1, **credentials: str) -> AccountRef:
    return AccountRef(
        id=account_id,
        network="instagram",
        instance_url=server.url,
        external_id=IG_ID,
        handle="@ccilyon",
        credentials={"access_token": PAGE_TOKEN, "page_id": PAGE_ID, "ig_user_id": IG_ID, **credentials},
    )


@pytest.fixture
def account(graph: ScriptedServer) -> AccountRef:
    return ig_ref(graph)


def image(name: str = "affiche.jpg", alt_text: str = "", tmp: Path | None = None) -> MediaFile:
    """A JPEG of the media library as the worker hands it: a path and its signed public address."""
    return MediaFile(
        path=str((tmp or Path("/nonexistent")) / name),
        mime_type="image/jpeg",
        alt_text=alt_text,
        public_url=f"{PUBLIC}/token-{name}/{name}",
    )


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Container polling sleeps between looks; the tests count looks, not seconds."""
    monkeypatch.setattr(instagram_connector, "sleep", lambda seconds: None)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
