"""Searching public posts through a connected account (live wall, listening).

Only connectors talk to networks, and only networks services call connectors: this module is
the service other apps use to search. A search reads, it changes nothing on the network, so it
is not an Action; its cursor belongs to the caller (one per event and account for the live wall).
"""

from __future__ import annotations

from typing import Any

from parvis.networks.errors import PermanentError
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.protocol import FetchResult
from parvis.networks.registry import UnknownNetwork, get_connector

# Accounts whose credentials may be used to search.
SEARCHABLE = (AccountStatus.ACTIVE, AccountStatus.ERROR)


def account_can_search(account: ConnectedAccount) -> bool:
    """Whether the account is usable and its network can search public posts (capability `search`)."""
    if account.status not in SEARCHABLE:
        return False
    try:
        return get_connector(account.network).capabilities.search
    except (UnknownNetwork, ImportError):
        return False


def account_search(*, account_id: int, query: str, cursor: dict[str, Any]) -> FetchResult:
    """Public posts matching `query` ("#hashtag" or words) seen by one account, newer than `cursor`, oldest first.

    Raises PermanentError when the account is gone or disconnected, or when its network cannot
    search; otherwise whatever the connector raises (AuthExpired, RateLimited, TransientError).
    """
    account = ConnectedAccount.objects.filter(pk=account_id).first()
    if account is None or account.status not in SEARCHABLE:
        raise PermanentError("This account is not connected.")
    try:
        connector = get_connector(account.network)
    except (UnknownNetwork, ImportError) as error:
        raise PermanentError(f"{account.network} is not available here.") from error
    if not connector.capabilities.search:
        raise PermanentError(f"{connector.display_name} does not let Parvis search public posts.")
    return connector.search(account.as_ref(), query, dict(cursor))
