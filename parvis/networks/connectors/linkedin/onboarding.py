"""Connecting a LinkedIn organisation page: the app, OAuth 2.0 (3-legged), the choice of page, `account_connect`.

1. The app (client id and secret from the LinkedIn developer portal, with the Community
   Management API product and the callback URL PARVIS_BASE_URL + /accounts/linkedin/callback/
   registered) comes from PARVIS_LINKEDIN_CLIENT_ID / PARVIS_LINKEDIN_CLIENT_SECRET or from
   what a workspace owner typed on the LinkedIn page (stored encrypted).
2. `linkedin_authorization_start` builds the authorize URL with a random state. LinkedIn's
   web flow takes no PKCE; the client authenticates with its secret in the token request body.
3. `linkedin_authorization_finish` checks the state and trades the code for tokens (a refresh
   token when LinkedIn grants programmatic refresh to the app), then lists the pages the member
   administers (`administered_pages`). The tokens wait, encrypted, in the Django session while
   the person chooses a page (`linkedin_page_connect`), which ends in `account_connect`.

Overridable (tests, a proxy), as Django settings or environment variables:
PARVIS_LINKEDIN_API_URL (https://api.linkedin.com), PARVIS_LINKEDIN_AUTHORIZE_URL,
PARVIS_LINKEDIN_TOKEN_URL, PARVIS_LINKEDIN_SCOPES, PARVIS_LINKEDIN_VERSION.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from parvis.core.crypto import decrypt, encrypt
from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks import oauth2
from parvis.networks.connectors.linkedin.client import DEFAULT_API_URL
from parvis.networks.connectors.linkedin.connector import ORGANIZATION_PREFIX, administered_pages
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import AccountRef, Profile
from parvis.networks.services import account_connect

NETWORK = "linkedin"
CALLBACK_ROUTE = "web:linkedin_callback"
# Post, comment and like as the page; read its posts; list the pages the member administers.
DEFAULT_SCOPES = "r_organization_social w_organization_social rw_organization_admin"


def api_url() -> str:
    return oauth2.setting("PARVIS_LINKEDIN_API_URL", DEFAULT_API_URL).rstrip("/")


def provider() -> oauth2.OAuth2Provider:
    return oauth2.OAuth2Provider(
        network=NETWORK,
        authorize_url=oauth2.setting(
            "PARVIS_LINKEDIN_AUTHORIZE_URL", "https://www.linkedin.com/oauth/v2/authorization"
        ),
        token_url=oauth2.setting("PARVIS_LINKEDIN_TOKEN_URL", "https://www.linkedin.com/oauth/v2/accessToken"),
        scopes=tuple(oauth2.setting("PARVIS_LINKEDIN_SCOPES", DEFAULT_SCOPES).split()),
        pkce=False,
        token_auth_method="client_secret_post",  # noqa: S106 - the name of a method, not a secret
        display_name="LinkedIn",
    )


def redirect_uri() -> str:
    return oauth2.callback_url(CALLBACK_ROUTE)


def linkedin_app() -> oauth2.AppCredentials | None:
    return oauth2.app_credentials(network=NETWORK, instance_url=api_url(), redirect_uri=redirect_uri())


def linkedin_app_save(*, membership: Membership, client_id: str, client_secret: str) -> oauth2.AppCredentials:
    return oauth2.app_credentials_save(
        membership=membership,
        network=NETWORK,
        instance_url=api_url(),
        redirect_uri=redirect_uri(),
        client_id=client_id,
        client_secret=client_secret,
    )


def linkedin_authorization_start(*, membership: Membership) -> tuple[str, oauth2.PendingAuthorization]:
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = linkedin_app()
    if app is None:
        raise PermanentError(
            "Parvis is not registered with LinkedIn yet: an owner must enter the app's client id first."
        )
    if not app.client_secret:
        raise PermanentError("LinkedIn needs the app's client secret too: an owner must enter it.")
    return oauth2.authorization_start(
        provider=provider(), app=app, redirect_uri=redirect_uri(), data={"api_url": api_url()}
    )


def _probe(credentials: Mapping[str, Any], api: str) -> AccountRef:
    return AccountRef(id=0, network=NETWORK, instance_url=api, external_id="", handle="", credentials=dict(credentials))


def linkedin_authorization_finish(
    *, membership: Membership, pending: oauth2.PendingAuthorization, params: Mapping[str, str]
) -> tuple[dict[str, Any], list[Profile]]:
    """Check LinkedIn's answer, trade the code for tokens; returns them with the pages the member administers.

    Raises PermanentError when the member administers no page.
    """
    require(membership, Perm.MANAGE_ACCOUNTS)
    app = linkedin_app()
    if app is None:
        raise PermanentError("Parvis is no longer registered with LinkedIn. Start again.")
    credentials = oauth2.authorization_finish(provider=provider(), app=app, pending=pending, params=params)
    credentials["api_url"] = pending.data.get("api_url") or api_url()
    pages = administered_pages(_probe(credentials, credentials["api_url"]))
    if not pages:
        raise PermanentError(
            "This LinkedIn member administers no organisation page. Sign in with an administrator of the page."
        )
    return credentials, pages


def linkedin_page_connect(
    *, membership: Membership, credentials: Mapping[str, Any], organization_id: str
) -> ConnectedAccount:
    """Connect the chosen page with the member's tokens (after checking the member administers it)."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    api = str(credentials.get("api_url") or api_url())
    stored = {key: value for key, value in credentials.items() if key != "api_url"}
    pages = {page.external_id for page in administered_pages(_probe(stored, api))}
    if organization_id not in pages:
        raise PermanentError("This LinkedIn member is not an administrator of that page.")
    stored["organization_urn"] = ORGANIZATION_PREFIX + organization_id
    return account_connect(membership=membership, network=NETWORK, instance_url=api, credentials=stored)


def seal(credentials: Mapping[str, Any], pages: list[Profile]) -> str:
    """Tokens and pages, encrypted, to wait in the Django session while the person chooses."""
    pages_data = [{"id": p.external_id, "name": p.display_name, "handle": p.handle, "url": p.url} for p in pages]
    return encrypt(json.dumps({"credentials": dict(credentials), "pages": pages_data, "at": time.time()}))


def unseal(value: object) -> tuple[dict[str, Any], list[Profile]] | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        data = json.loads(decrypt(value))
        if time.time() - float(data["at"]) > oauth2.PENDING_MAX_AGE:
            return None
        pages = [
            Profile(external_id=str(p["id"]), handle=str(p["handle"]), display_name=str(p["name"]), url=str(p["url"]))
            for p in data["pages"]
        ]
        return dict(data["credentials"]), pages
    except (ValueError, KeyError, TypeError):
        return None
