"""Connecting an X account: the app registration, then OAuth 2.0 with PKCE, then `account_connect`.

1. The app (client id and secret from the X developer portal, with the callback URL
   PARVIS_BASE_URL + /accounts/x/callback/ registered there) comes from the operator's
   environment (PARVIS_X_CLIENT_ID, PARVIS_X_CLIENT_SECRET) or from what a workspace owner
   typed on the X page (`x_app_save`, stored encrypted).
2. `x_authorization_start` builds the authorize URL (state + S256 code challenge); the view
   keeps the `PendingAuthorization` in the Django session.
3. `x_authorization_finish` checks the state, trades the code (with the code verifier) for
   tokens, and connects the account through `networks.services.account_connect`, which asks
   X whose account it is (GET /2/users/me).

Endpoints can be overridden (tests, a proxy): PARVIS_X_API_URL (https://api.x.com),
PARVIS_X_AUTHORIZE_URL (https://x.com/i/oauth2/authorize), PARVIS_X_TOKEN_URL
(<api>/2/oauth2/token), as Django settings or environment variables.
"""

from __future__ import annotations

from collections.abc import Mapping

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks import oauth2
from parvis.networks.connectors.x.client import DEFAULT_API_URL
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

NETWORK = "x"
CALLBACK_ROUTE = "web:x_callback"
# Read mentions and search, post, answer, quote, repost, like, upload pictures, and keep access (refresh token);
# for the inbox: read and send direct messages, hide replies, follow and mute people.
# https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code (scopes)
SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "like.write",
    "media.write",
    "dm.read",
    "dm.write",
    "tweet.moderate.write",
    "follows.write",
    "mute.write",
)


def api_url() -> str:
    return oauth2.setting("PARVIS_X_API_URL", DEFAULT_API_URL).rstrip("/")


def provider() -> oauth2.OAuth2Provider:
    return oauth2.OAuth2Provider(
        network=NETWORK,
        authorize_url=oauth2.setting("PARVIS_X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize"),
        token_url=oauth2.setting("PARVIS_X_TOKEN_URL", api_url() + "/2/oauth2/token"),
        scopes=SCOPES,
        pkce=True,
        # Confidential clients authenticate with HTTP Basic; public ones (no secret) send their id.
        token_auth_method="",
        display_name="X",
    )


def redirect_uri() -> str:
    return oauth2.callback_url(CALLBACK_ROUTE)


def x_app() -> oauth2.AppCredentials | None:
    return oauth2.app_credentials(network=NETWORK, instance_url=api_url(), redirect_uri=redirect_uri())


def x_app_save(*, membership: Membership, client_id: str, client_secret: str) -> oauth2.AppCredentials:
    return oauth2.app_credentials_save(
        membership=membership,
        network=NETWORK,
        instance_url=api_url(),
        redirect_uri=redirect_uri(),
        client_id=client_id,
        client_secret=client_secret,
    )


def x_authorization_start(*, membership: Membership) -> tuple[str, oauth2.PendingAuthorization]:
    """The URL to send the person to, and what to remember until they come back."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = x_app()
    if app is None:
        raise PermanentError("Parvis is not registered with X yet: an owner must enter the app's client id first.")
    return oauth2.authorization_start(
        provider=provider(), app=app, redirect_uri=redirect_uri(), data={"api_url": api_url()}
    )


def x_authorization_finish(
    *, membership: Membership, pending: oauth2.PendingAuthorization, params: Mapping[str, str]
) -> ConnectedAccount:
    """Check X's answer, trade the code for tokens and connect the account."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = x_app()
    if app is None:
        raise PermanentError("Parvis is no longer registered with X. Start again.")
    credentials = oauth2.authorization_finish(provider=provider(), app=app, pending=pending, params=params)
    return account_connect(
        membership=membership,
        network=NETWORK,
        instance_url=pending.data.get("api_url") or api_url(),
        credentials=credentials,
    )
