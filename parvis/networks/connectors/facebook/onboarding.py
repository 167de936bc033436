"""Connecting Facebook Pages and Instagram professional accounts: one Meta app, Facebook Login, then a choice.

1. The Meta app (App ID and App Secret, from developers.facebook.com, with the Facebook Login
   product and the callback URL PARVIS_BASE_URL + /accounts/facebook/callback/ among its "Valid
   OAuth Redirect URIs") comes from the operator's environment (PARVIS_FACEBOOK_CLIENT_ID,
   PARVIS_FACEBOOK_CLIENT_SECRET) or from what a workspace owner typed on the Facebook page
   (`meta_app_save`, stored encrypted). Instagram uses the same app and the same callback.
2. `meta_authorization_start` sends the person to the Facebook Login dialog with the scopes of
   the target (Pages, or Instagram); `networks.oauth2` keeps the state in the Django session.
3. `meta_authorization_finish` checks the state, trades the code for a user token
   (`oauth2.authorization_finish`), exchanges it for a long-lived one, and reads the Pages the
   person manages (GET /me/accounts): their Page tokens, which do not expire, and the
   Instagram professional account linked to each. Nothing is connected yet: the choices are
   kept, encrypted, in the Django session (`PageChoices`) for the person to pick from.
4. `facebook_pages_connect` / `instagram_accounts_connect` connect the picked ones through
   `networks.services.account_connect` (which asks Graph whose token it is).

Endpoints can be overridden (tests, a proxy) with Django settings or environment variables:
PARVIS_FACEBOOK_GRAPH_URL (https://graph.facebook.com), PARVIS_FACEBOOK_AUTHORIZE_URL (the
dialog), PARVIS_FACEBOOK_CONFIG_ID (a Facebook Login for Business configuration, used instead
of the scopes when set).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Self

from parvis.core.crypto import decrypt, encrypt
from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks import oauth2
from parvis.networks.connectors.facebook.graph import (
    DIALOG_URL,
    GRAPH_URL,
    GRAPH_VERSION,
    exchange_long_lived_token,
    managed_pages,
)
from parvis.networks.connectors.facebook.schemas import FacebookPage
from parvis.networks.errors import PermanentError
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

APP_NETWORK = "facebook"  # the Meta app is registered once, under this name, for both networks
CALLBACK_ROUTE = "web:facebook_callback"
# https://developers.facebook.com/docs/permissions/reference
PAGE_SCOPES = (
    "pages_show_list",
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_manage_engagement",
    "pages_read_user_content",
    "pages_messaging",  # Messenger conversations and the Send API (inbox)
)
# Instagram API with Facebook Login: the IG Container and IG Media references also require
# pages_read_engagement.
INSTAGRAM_SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "pages_show_list",
    "pages_read_engagement",
)
TARGETS = ("facebook", "instagram")
CHOICES_SESSION_KEY = "parvis_meta_pages"
CHOICES_MAX_AGE = 15 * 60


def graph_url() -> str:
    return oauth2.setting("PARVIS_FACEBOOK_GRAPH_URL", GRAPH_URL).rstrip("/")


def redirect_uri() -> str:
    return oauth2.callback_url(CALLBACK_ROUTE)


def provider(target: str) -> oauth2.OAuth2Provider:
    config_id = oauth2.setting("PARVIS_FACEBOOK_CONFIG_ID", "")
    return oauth2.OAuth2Provider(
        network=APP_NETWORK,
        authorize_url=oauth2.setting("PARVIS_FACEBOOK_AUTHORIZE_URL", DIALOG_URL),
        token_url=f"{graph_url()}/{GRAPH_VERSION}/oauth/access_token",
        scopes=INSTAGRAM_SCOPES if target == "instagram" else PAGE_SCOPES,
        pkce=False,  # Facebook Login's documented manual flow: a confidential client with its secret
        token_auth_method="client_secret_post",  # noqa: S106 - a method name, not a secret
        display_name="Facebook",
        extra_authorize_params=(("config_id", config_id),) if config_id else (),
    )


def meta_app() -> oauth2.AppCredentials | None:
    return oauth2.app_credentials(network=APP_NETWORK, instance_url=graph_url(), redirect_uri=redirect_uri())


def meta_app_save(*, membership: Membership, client_id: str, client_secret: str) -> oauth2.AppCredentials:
    """Store the Meta app's App ID and App Secret (owners only)."""
    return oauth2.app_credentials_save(
        membership=membership,
        network=APP_NETWORK,
        instance_url=graph_url(),
        redirect_uri=redirect_uri(),
        client_id=client_id,
        client_secret=client_secret,
    )


def meta_authorization_start(*, membership: Membership, target: str) -> tuple[str, oauth2.PendingAuthorization]:
    """The Facebook Login URL to send the person to, and the pending sign-in to keep in the session."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    if target not in TARGETS:
        raise PermanentError(f"Unknown Meta network: {target}")
    app = meta_app()
    if app is None:
        raise PermanentError("Parvis is not registered with Meta yet: an owner must enter the app's ID first.")
    return oauth2.authorization_start(
        provider=provider(target), app=app, redirect_uri=redirect_uri(), data={"target": target}
    )


@dataclass(frozen=True)
class PageChoice:
    """A Page the person manages, as offered for connection."""

    id: str
    name: str
    username: str
    link: str
    can_publish: bool
    instagram_id: str
    instagram_username: str
    instagram_name: str

    @classmethod
    def from_page(cls, page: FacebookPage) -> Self:
        return cls(
            id=page.id,
            name=page.name,
            username=page.username,
            link=page.link,
            can_publish=page.can_publish,
            instagram_id=page.instagram_id,
            instagram_username=page.instagram_username,
            instagram_name=page.instagram_name,
        )


@dataclass(frozen=True)
class PageChoices:
    """What Facebook Login gave access to, kept (encrypted: it holds Page tokens) until the person picks."""

    target: str
    pages: tuple[PageChoice, ...]
    tokens: Mapping[str, str]
    started_at: float

    def as_session(self) -> str:
        data = {
            "target": self.target,
            "pages": [asdict(page) for page in self.pages],
            "tokens": dict(self.tokens),
            "started_at": self.started_at,
        }
        return encrypt(json.dumps(data))

    @classmethod
    def from_session(cls, value: object, *, target: str) -> Self | None:
        if not isinstance(value, str):
            return None
        try:
            data = json.loads(decrypt(value))
            choices = cls(
                target=str(data["target"]),
                pages=tuple(PageChoice(**page) for page in data["pages"]),
                tokens={str(k): str(v) for k, v in dict(data["tokens"]).items()},
                started_at=float(data["started_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if choices.target != target or time.time() - choices.started_at > CHOICES_MAX_AGE:
            return None
        return choices

    def page(self, page_id: str) -> PageChoice | None:
        return next((page for page in self.pages if page.id == page_id), None)

    @property
    def with_instagram(self) -> tuple[PageChoice, ...]:
        return tuple(page for page in self.pages if page.instagram_id)

    @property
    def without_instagram(self) -> tuple[PageChoice, ...]:
        return tuple(page for page in self.pages if not page.instagram_id)


def meta_authorization_finish(
    *, membership: Membership, pending: oauth2.PendingAuthorization, params: Mapping[str, str]
) -> PageChoices:
    """Check Facebook's answer, get long-lived access and read the Pages (and Instagram accounts) offered."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    target = pending.data.get("target", "facebook")
    if target not in TARGETS:
        raise PermanentError("This sign-in does not say what to connect. Start again.")
    app = meta_app()
    if app is None:
        raise PermanentError("Parvis is no longer registered with Meta. Start again.")
    credentials = oauth2.authorization_finish(provider=provider(target), app=app, pending=pending, params=params)
    long_lived = exchange_long_lived_token(
        base_url=graph_url(),
        client_id=app.client_id,
        client_secret=app.client_secret,
        short_lived_token=str(credentials["access_token"]),
    )
    raw_pages = managed_pages(base_url=graph_url(), user_token=long_lived.access_token)
    pages: list[PageChoice] = []
    tokens: dict[str, str] = {}
    for raw in raw_pages:
        try:
            page = FacebookPage.from_api(raw)
        except ValueError:
            continue
        if not page.access_token:
            continue  # Facebook gives no token for a Page the person cannot act for
        pages.append(PageChoice.from_page(page))
        tokens[page.id] = page.access_token
    if not pages:
        raise PermanentError(
            "Facebook gave Parvis access to no Page. Start again and, when Facebook asks, "
            "choose the Pages (and their Instagram accounts) Parvis may use."
        )
    return PageChoices(target=target, pages=tuple(pages), tokens=tokens, started_at=time.time())


def _appsecret_proof(token: str) -> str:
    """HMAC-SHA256 of the token with the app secret, for apps that require it (kept with the token)."""
    app = meta_app()
    if app is None or not app.client_secret:
        return ""
    return hmac.new(app.client_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def facebook_pages_connect(
    *, membership: Membership, choices: PageChoices, page_ids: Sequence[str]
) -> list[ConnectedAccount]:
    """Connect the picked Pages (only Pages that Facebook Login offered) with their Page tokens."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    connected: list[ConnectedAccount] = []
    for page_id in dict.fromkeys(page_ids):
        page = choices.page(page_id)
        token = choices.tokens.get(page_id, "")
        if page is None or not token:
            raise PermanentError("This Page was not offered by Facebook in this sign-in. Start again.")
        credentials: dict[str, Any] = {"access_token": token, "page_id": page.id}
        proof = _appsecret_proof(token)
        if proof:
            credentials["appsecret_proof"] = proof
        connected.append(
            account_connect(
                membership=membership, network="facebook", instance_url=graph_url(), credentials=credentials
            )
        )
    return connected


def instagram_accounts_connect(
    *, membership: Membership, choices: PageChoices, page_ids: Sequence[str]
) -> list[ConnectedAccount]:
    """Connect the Instagram professional accounts linked to the picked Pages (with the Page token)."""
    require(membership, Perm.MANAGE_ACCOUNTS)
    connected: list[ConnectedAccount] = []
    for page_id in dict.fromkeys(page_ids):
        page = choices.page(page_id)
        token = choices.tokens.get(page_id, "")
        if page is None or not token:
            raise PermanentError("This Page was not offered by Facebook in this sign-in. Start again.")
        if not page.instagram_id:
            raise PermanentError(
                f"No Instagram professional account is linked to the Page {page.name}: "
                "link one first, then start again."
            )
        credentials: dict[str, Any] = {
            "access_token": token,
            "page_id": page.id,
            "ig_user_id": page.instagram_id,
            "username": page.instagram_username,
        }
        proof = _appsecret_proof(token)
        if proof:
            credentials["appsecret_proof"] = proof
        connected.append(
            account_connect(
                membership=membership, network="instagram", instance_url=graph_url(), credentials=credentials
            )
        )
    return connected


__all__ = [
    "INSTAGRAM_SCOPES",
    "PAGE_SCOPES",
    "PageChoice",
    "PageChoices",
    "facebook_pages_connect",
    "graph_url",
    "instagram_accounts_connect",
    "meta_app",
    "meta_app_save",
    "meta_authorization_finish",
    "meta_authorization_start",
    "provider",
    "redirect_uri",
]
