"""The one place a connector is registered. Imported lazily, so a broken SDK only breaks its network."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from parvis.networks.protocol import ActionKind, Connector

CONNECTORS: dict[str, str] = {
    "mastodon": "parvis.networks.connectors.mastodon.connector.MastodonConnector",
    "rss": "parvis.networks.connectors.rss.connector.RssConnector",
    "bluesky": "parvis.networks.connectors.bluesky.connector.BlueskyConnector",
    "x": "parvis.networks.connectors.x.connector.XConnector",
    "facebook": "parvis.networks.connectors.facebook.connector.FacebookConnector",
    "instagram": "parvis.networks.connectors.instagram.connector.InstagramConnector",
    "linkedin": "parvis.networks.connectors.linkedin.connector.LinkedInConnector",
    "youtube": "parvis.networks.connectors.youtube.connector.YouTubeConnector",
    "matrix": "parvis.networks.connectors.matrix.connector.MatrixConnector",
    "email": "parvis.networks.connectors.email.connector.EmailConnector",
    "fake": "parvis.networks.connectors.fake.connector.FakeConnector",
}

# Networks offered in the interface (the fake one is for tests and templates).
PUBLIC_NETWORKS = ("mastodon", "bluesky", "x", "facebook", "instagram", "linkedin", "youtube", "matrix", "email", "rss")


class UnknownNetwork(KeyError):
    pass


@cache
def get_connector_class(network: str) -> type[Connector]:
    try:
        dotted = CONNECTORS[network]
    except KeyError as exc:
        raise UnknownNetwork(network) from exc
    module_name, class_name = dotted.rsplit(".", 1)
    cls: type[Connector] = getattr(import_module(module_name), class_name)
    return cls


def get_connector(network: str) -> Connector:
    return get_connector_class(network)()


def display_name(network: str) -> str:
    """The network's name as people know it; its key when this installation cannot load the connector."""
    try:
        return get_connector_class(network).display_name
    except (UnknownNetwork, ImportError, AttributeError):
        return network


@cache
def publishing_networks() -> tuple[str, ...]:
    """Networks Parvis can publish on (feeds are read, never written), in registry order."""
    networks = []
    for network in CONNECTORS:
        try:
            capabilities = get_connector_class(network).capabilities
        except (ImportError, AttributeError):
            continue
        if ActionKind.PUBLISH in capabilities.actions:
            networks.append(network)
    return tuple(networks)
