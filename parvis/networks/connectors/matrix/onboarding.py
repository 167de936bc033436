"""Connecting a Matrix account: a homeserver and an access token, or a user id and password to get one.

1. `token_connect` stores the pasted token; `password_connect` first logs in (`m.login.password`,
   outside any database transaction) and keeps only the token the homeserver gives, for a new
   device named "Parvis". The password is not stored.
2. Both end in `networks.services.account_connect`, which asks the homeserver whose token it is
   (`/account/whoami`) before storing anything.

Logging out the "Parvis" device (in Element: Settings, Sessions) revokes the token; the account then
asks to be reconnected.
"""

from __future__ import annotations

from typing import Any

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks.connectors.matrix.client import MatrixClient
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

NETWORK = "matrix"
DEVICE_NAME = "Parvis"


def _settings(*, default_room: str, auto_join: bool) -> dict[str, Any]:
    return {"default_room": default_room.strip(), "auto_join": bool(auto_join)}


def token_connect(
    *, membership: Membership, homeserver: str, access_token: str, default_room: str = "", auto_join: bool = False
) -> ConnectedAccount:
    """Connect with a pasted access token. Raises PermissionDenied or a ConnectorError."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    credentials = {"access_token": access_token.strip(), **_settings(default_room=default_room, auto_join=auto_join)}
    with MatrixClient(homeserver, credentials["access_token"]) as client:
        whoami = client.get("/account/whoami")
    credentials.update({"user_id": str(whoami.get("user_id", "")), "device_id": str(whoami.get("device_id", ""))})
    return account_connect(
        membership=membership, network=NETWORK, instance_url=homeserver.rstrip("/"), credentials=credentials
    )


def password_connect(
    *,
    membership: Membership,
    homeserver: str,
    user: str,
    password: str,
    default_room: str = "",
    auto_join: bool = False,
) -> ConnectedAccount:
    """Log in with the password for a new access token, then connect. Raises PermissionDenied or a ConnectorError."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    with MatrixClient(homeserver) as client:
        answer = client.call(
            "POST",
            "/login",
            body={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user.strip()},
                "password": password,
                "initial_device_display_name": DEVICE_NAME,
            },
            authenticated=False,
        )
    token = str(answer.get("access_token", ""))
    if not token:
        raise PermanentError("The Matrix homeserver did not give an access token.")
    credentials = {
        "access_token": token,
        "user_id": str(answer.get("user_id", "")),
        "device_id": str(answer.get("device_id", "")),
        **_settings(default_room=default_room, auto_join=auto_join),
    }
    return account_connect(
        membership=membership, network=NETWORK, instance_url=homeserver.rstrip("/"), credentials=credentials
    )
