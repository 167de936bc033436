"""Connecting a YouTube channel: the Google app registration, then OAuth 2.0 with PKCE, then `account_connect`.

1. The app (an OAuth client of type "Web application" in the Google Cloud console, with the
   YouTube Data API v3 enabled and the callback URL PARVIS_BASE_URL + /accounts/youtube/callback/
   as an authorised redirect URI) comes from the operator's environment
   (PARVIS_YOUTUBE_CLIENT_ID, PARVIS_YOUTUBE_CLIENT_SECRET) or from what a workspace owner typed
   on the YouTube page (`youtube_app_save`, stored encrypted).
2. `youtube_authorization_start` builds Google's authorize URL (state, S256 code challenge,
   `access_type=offline` and `prompt=consent` so Google grants a refresh token:
   https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient).
3. `youtube_authorization_finish` checks the state, trades the code for tokens
   (client_secret_post) and connects the channel through `networks.services.account_connect`,
   which asks YouTube which channel the token manages (channels.list mine=true). A person who
   manages several channels (brand accounts) picks one on Google's own consent screen.

Scope: https://www.googleapis.com/auth/youtube.force-ssl, the one comments.insert,
comments.setModerationStatus and comments.delete require
(https://developers.google.com/youtube/v3/guides/auth/server-side-web-apps).

Endpoints can be overridden (tests, a proxy): PARVIS_YOUTUBE_API_URL (https://www.googleapis.com),
PARVIS_YOUTUBE_AUTHORIZE_URL (https://accounts.google.com/o/oauth2/v2/auth),
PARVIS_YOUTUBE_TOKEN_URL (https://oauth2.googleapis.com/token).
"""

from __future__ import annotations

from collections.abc import Mapping

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks import oauth2
from parvis.networks.connectors.youtube.client import DEFAULT_API_URL
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

NETWORK = "youtube"
CALLBACK_ROUTE = "web:youtube_callback"
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)


def api_url() -> str:
    return oauth2.setting("PARVIS_YOUTUBE_API_URL", DEFAULT_API_URL).rstrip("/")


def provider() -> oauth2.OAuth2Provider:
    return oauth2.OAuth2Provider(
        network=NETWORK,
        authorize_url=oauth2.setting("PARVIS_YOUTUBE_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth"),
        token_url=oauth2.setting("PARVIS_YOUTUBE_TOKEN_URL", "https://oauth2.googleapis.com/token"),
        scopes=SCOPES,
        pkce=True,
        token_auth_method="client_secret_post",  # noqa: S106 - a method name, not a secret
        display_name="YouTube",
        extra_authorize_params=(("access_type", "offline"), ("prompt", "consent")),
    )


def redirect_uri() -> str:
    return oauth2.callback_url(CALLBACK_ROUTE)


def youtube_app() -> oauth2.AppCredentials | None:
    return oauth2.app_credentials(network=NETWORK, instance_url=api_url(), redirect_uri=redirect_uri())


def youtube_app_save(*, membership: Membership, client_id: str, client_secret: str) -> oauth2.AppCredentials:
    return oauth2.app_credentials_save(
        membership=membership,
        network=NETWORK,
        instance_url=api_url(),
        redirect_uri=redirect_uri(),
        client_id=client_id,
        client_secret=client_secret,
    )


def youtube_authorization_start(*, membership: Membership) -> tuple[str, oauth2.PendingAuthorization]:
    """The URL to send the person to, and what to remember until they come back."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = youtube_app()
    if app is None:
        raise PermanentError("Parvis is not registered with Google yet: an owner must enter the app's client id first.")
    return oauth2.authorization_start(
        provider=provider(), app=app, redirect_uri=redirect_uri(), data={"api_url": api_url()}
    )


def youtube_authorization_finish(
    *, membership: Membership, pending: oauth2.PendingAuthorization, params: Mapping[str, str]
) -> ConnectedAccount:
    """Check Google's answer, trade the code for tokens and connect the channel."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = youtube_app()
    if app is None:
        raise PermanentError("Parvis is no longer registered with Google. Start again.")
    credentials = oauth2.authorization_finish(provider=provider(), app=app, pending=pending, params=params)
    if not credentials.get("refresh_token"):
        raise PermanentError(
            "Google did not grant lasting access (no refresh token). Remove Parvis from the Google account's "
            "third-party access, then connect again."
        )
    return account_connect(
        membership=membership,
        network=NETWORK,
        instance_url=pending.data.get("api_url") or api_url(),
        credentials=credentials,
    )
