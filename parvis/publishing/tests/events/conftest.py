"""An event of the Lyon chamber of commerce, its programme, and a second network to mention speakers on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import Capabilities
from parvis.networks.registry import CONNECTORS, get_connector_class
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import EventSession, LiveEvent, Speaker
from parvis.publishing.services.events import event_create, session_create, speaker_create

# Thursday 11 June 2026 in Lyon (Europe/Paris is UTC+2 in June).
DAY = (2026, 6, 11)


def wall_clock(text: str) -> datetime:
    """A wall-clock time without a zone ("2026-06-11 09:30"): the services read it in the workspace's zone."""
    return datetime.fromisoformat(text)


def paris(hour: int, minute: int = 0) -> datetime:
    """A wall-clock time of the event's day in Lyon."""
    year, month, day = DAY
    return wall_clock(f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}")


def utc(hour: int, minute: int = 0) -> datetime:
    return datetime(*DAY, hour, minute, tzinfo=UTC)


class SkyConnector(FakeConnector):
    """Another in-memory network, where handles look like domain names."""

    network: ClassVar[str] = "fakesky"
    display_name: ClassVar[str] = "Fake sky"
    capabilities: ClassVar[Capabilities] = replace(FakeConnector.capabilities, max_characters=300)


class PageConnector(FakeConnector):
    """A network without mentions by handle (like a company page): speakers are named."""

    network: ClassVar[str] = "fakepage"
    display_name: ClassVar[str] = "Fake page"
    capabilities: ClassVar[Capabilities] = replace(FakeConnector.capabilities, mention_prefix="", search=False)


@pytest.fixture
def other_networks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Register "fakesky" and "fakepage" next to "fake" for the duration of a test."""
    monkeypatch.setitem(CONNECTORS, "fakesky", f"{__name__}.SkyConnector")
    monkeypatch.setitem(CONNECTORS, "fakepage", f"{__name__}.PageConnector")
    get_connector_class.cache_clear()
    yield
    get_connector_class.cache_clear()


@pytest.fixture
def account(camille: Membership) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=camille.workspace, handle="@cci_lyon")
    return created


@pytest.fixture
def sky_account(camille: Membership, other_networks: None) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(
        workspace=camille.workspace, network="fakesky", instance_url="https://sky.example", handle="@cci.sky.example"
    )
    return created


@pytest.fixture
def page_account(camille: Membership, other_networks: None) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(
        workspace=camille.workspace, network="fakepage", instance_url="https://page.example", handle="CCI Lyon"
    )
    return created


@pytest.fixture
def event(camille: Membership, account: ConnectedAccount) -> LiveEvent:
    return event_create(
        membership=camille,
        name="Rencontres de l'export",
        hashtag="#RencontresExport",
        starts_at=paris(9),
        ends_at=paris(18),
        place="Palais de la Bourse, Lyon",
        accounts=[account],
    )


@pytest.fixture
def helene(camille: Membership, event: LiveEvent, other_networks: None) -> Speaker:
    return speaker_create(
        membership=camille,
        event=event,
        name="Hélène Carpentier",
        organisation="Export Rhône",
        handles={"fake": "@helene_c", "fakesky": "helene.sky.example"},
    )


@pytest.fixture
def keynote(camille: Membership, event: LiveEvent, helene: Speaker) -> EventSession:
    return session_create(
        membership=camille,
        event=event,
        title="Exporter en 2026",
        starts_at=paris(9, 30),
        ends_at=paris(10, 30),
        room="Grand amphi",
        speakers=[helene],
    )


@pytest.fixture
def round_table(camille: Membership, event: LiveEvent) -> EventSession:
    return session_create(
        membership=camille, event=event, title="Table ronde", starts_at=paris(11), ends_at=paris(12), room="Salle 2"
    )
