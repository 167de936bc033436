"""Connecting a Bluesky account: a handle (or DID, or e-mail) and an app password.

1. `password_connect` signs in on the account's service (https://bsky.social, or a self-hosted
   PDS) with the app password, outside any database transaction.
2. It then connects the account through `networks.services.account_connect`, which asks the
   network whose session this is (the profile, from the AppView) before storing anything.

Only the session is stored (access and refresh tokens, DID, handle, PDS endpoint): the app
password is not kept. When the session can no longer be refreshed (the app password was
revoked, or the account was not used for months), the account asks to be reconnected.
"""

from __future__ import annotations

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks.connectors.bluesky.client import BlueskyClient
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

NETWORK = "bluesky"


def password_connect(
    *, membership: Membership, service_url: str, identifier: str, app_password: str
) -> ConnectedAccount:
    """Sign in with an app password and connect the account. Raises PermissionDenied or a ConnectorError."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    with BlueskyClient(service_url) as client:
        credentials = client.login(identifier, app_password)
    return account_connect(
        membership=membership, network=NETWORK, instance_url=client.service_url, credentials=credentials
    )
