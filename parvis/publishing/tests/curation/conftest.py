from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.listening.models import FeedEntry
from parvis.networks.tests.factories import ConnectedAccountFactory


@pytest.fixture
def feed(workspace):
    return ConnectedAccountFactory(
        workspace=workspace, network="rss", handle="Les Echos", instance_url="https://presse.example/rss"
    )


@pytest.fixture
def article(workspace, feed):
    return FeedEntry.objects.create(
        workspace=workspace,
        source=feed,
        external_id="https://presse.example/pme-export",
        title="Les PME lyonnaises exportent davantage",
        url="https://presse.example/pme-export",
        summary="Une étude de la CCI.",
        published_at=timezone.now(),
    )


@pytest.fixture
def demo_account(workspace):
    """An account on the demo network, which can publish, boost and quote."""
    return ConnectedAccountFactory(workspace=workspace, network="fake", handle="@cci_lyon")


@pytest.fixture
def network_post(workspace):
    """An entry that is a post on the demo network (followed through listening)."""
    source = ConnectedAccountFactory(workspace=workspace, network="fake", handle="@veille")
    return FeedEntry.objects.create(
        workspace=workspace,
        source=source,
        external_id="status-4242",
        title="Bravo aux lauréats du prix de l'innovation !",
        url="https://fake.example/@partenaire/4242",
        published_at=timezone.now(),
    )
