"""What the interface needs to know about networks, read from the connectors' capabilities.

The web layer never branches on a network's name: labels, limits and counting
rules come from the registered connector. A connector that cannot be loaded
(not written yet, or a broken SDK) makes its accounts read-only, not the page.
"""

from __future__ import annotations

from parvis.inbox.services import MAX_REPLY_LENGTH
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind, Capabilities, Connector
from parvis.networks.registry import UnknownNetwork, display_name, get_connector


def connector_for(network: str) -> Connector | None:
    try:
        return get_connector(network)
    except (UnknownNetwork, ImportError, AttributeError):
        return None


network_name = display_name


def capabilities_of(network: str) -> Capabilities:
    connector = connector_for(network)
    return connector.capabilities if connector is not None else Capabilities()


def can_publish(account: ConnectedAccount) -> bool:
    return account.status != AccountStatus.DISABLED and ActionKind.PUBLISH in capabilities_of(account.network).actions


def reply_limit(network: str) -> int:
    return capabilities_of(network).max_characters or MAX_REPLY_LENGTH
