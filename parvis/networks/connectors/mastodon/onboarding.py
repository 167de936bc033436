"""Connecting a Mastodon account: with OAuth, or with an access token pasted by the person.

OAuth, in three steps:
1. `oauth_authorization_start`: register Parvis on the instance once (the app is kept,
   encrypted, in `OAuthClient`), then build the instance's authorisation URL with a
   random `state`; the view keeps the returned `PendingAuthorization` in the session.
2. The person signs in on their instance, which sends them back to the callback
   with `code` and `state`.
3. `oauth_authorization_finish`: check the state, trade the code for a token, and
   connect the account through `networks.services.account_connect` (which checks
   the token with the network before storing anything).

Network calls run outside database transactions: a slow instance never holds the
database lock.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any, Self

from django.conf import settings
from django.urls import reverse

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks.connectors.mastodon.client import authorization_url, exchange_code, register_app, require_https
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount, OAuthClient
from parvis.networks.services import account_connect

NETWORK = "mastodon"
CLIENT_NAME = "Parvis"
# Enough to read notifications, post, answer, like, delete and follow back.
SCOPES = ["read", "write", "follow"]
# An authorisation not finished within this many seconds must be started again.
PENDING_MAX_AGE = 15 * 60


@dataclass(frozen=True)
class PendingAuthorization:
    """An OAuth flow started in this browser session and not finished yet."""

    state: str
    instance_url: str
    redirect_uri: str
    started_at: float

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: object) -> Self | None:
        if not isinstance(data, dict):
            return None
        try:
            pending = cls(
                state=str(data["state"]),
                instance_url=str(data["instance_url"]),
                redirect_uri=str(data["redirect_uri"]),
                started_at=float(data["started_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return pending if time.time() - pending.started_at <= PENDING_MAX_AGE else None


def oauth_redirect_uri() -> str:
    """Where instances send people back: PARVIS_BASE_URL + the callback path. Registered with the app."""
    return settings.PARVIS_BASE_URL.rstrip("/") + reverse("web:mastodon_callback")


def oauth_client_get_or_register(*, instance_url: str) -> OAuthClient:
    """Parvis's app on this instance, registered on first use."""
    redirect_uri = oauth_redirect_uri()
    existing = OAuthClient.objects.filter(network=NETWORK, instance_url=instance_url, redirect_uri=redirect_uri).first()
    if existing is not None and existing.credentials.get("client_id") and existing.credentials.get("client_secret"):
        return existing
    client_id, client_secret = register_app(
        instance_url=instance_url,
        client_name=CLIENT_NAME,
        redirect_uri=redirect_uri,
        scopes=SCOPES,
        website=settings.PARVIS_BASE_URL,
    )
    defaults: dict[str, Any] = {"credentials": {"client_id": client_id, "client_secret": client_secret}}
    client, _created = OAuthClient.objects.update_or_create(
        network=NETWORK, instance_url=instance_url, redirect_uri=redirect_uri, defaults=defaults
    )
    return client


def oauth_authorization_start(*, membership: Membership, instance_url: str) -> tuple[str, PendingAuthorization]:
    """The URL to send the person to, and what to remember until they come back.

    Raises PermissionDenied, or a ConnectorError whose message is for the person.
    """
    require(membership, Perm.MANAGE_ACCOUNTS)
    require_https(instance_url)
    client = oauth_client_get_or_register(instance_url=instance_url)
    state = secrets.token_urlsafe(32)
    url = authorization_url(
        instance_url=instance_url,
        client_id=client.credentials["client_id"],
        client_secret=client.credentials["client_secret"],
        redirect_uri=client.redirect_uri,
        scopes=SCOPES,
        state=state,
    )
    pending = PendingAuthorization(
        state=state, instance_url=instance_url, redirect_uri=client.redirect_uri, started_at=time.time()
    )
    return url, pending


def oauth_authorization_finish(
    *, membership: Membership, pending: PendingAuthorization, state: str, code: str
) -> ConnectedAccount:
    """Check the state, trade the code for a token and connect the account."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    if not state or not secrets.compare_digest(state, pending.state):
        raise PermanentError("This answer from Mastodon does not match the sign-in started here. Start again.")
    if not code:
        raise PermanentError("Mastodon did not send an authorisation code. Start again.")
    client = OAuthClient.objects.filter(
        network=NETWORK, instance_url=pending.instance_url, redirect_uri=pending.redirect_uri
    ).first()
    if client is None:
        raise PermanentError("Parvis is no longer registered on this server. Start again.")
    token = exchange_code(
        instance_url=pending.instance_url,
        client_id=client.credentials["client_id"],
        client_secret=client.credentials["client_secret"],
        redirect_uri=pending.redirect_uri,
        scopes=SCOPES,
        code=code,
    )
    return account_connect(
        membership=membership, network=NETWORK, instance_url=pending.instance_url, credentials={"access_token": token}
    )


def token_connect(*, membership: Membership, instance_url: str, access_token: str) -> ConnectedAccount:
    """Connect the account an access token belongs to (made in the instance's settings, Development)."""
    return account_connect(
        membership=membership, network=NETWORK, instance_url=instance_url, credentials={"access_token": access_token}
    )
