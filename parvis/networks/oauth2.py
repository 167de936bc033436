"""OAuth 2.0 authorization code with PKCE, for the networks that sign in this way (X, LinkedIn, Facebook...).

The protocol work is authlib's (`authlib.oauth2.client.OAuth2Client`: authorize URL,
S256 code challenge, code exchange, refresh); this module puts it on Parvis's HTTP
session (`parvis.core.http.session()`: timeouts, private addresses refused), keeps
the pending sign-in in the Django session, stores tokens in the account's encrypted
credentials, refreshes them, and turns every failure into one of the four connector
errors. It imports no model at module level: connectors use the token half
(`TokenSession`), onboarding modules use the rest.

Where the app's client id and secret come from (`app_credentials`)
------------------------------------------------------------------
1. The operator's environment, read at call time: `PARVIS_<NETWORK>_CLIENT_ID` and
   `PARVIS_<NETWORK>_CLIENT_SECRET` (e.g. `PARVIS_X_CLIENT_ID`). When set, they win.
2. Otherwise an encrypted `networks.models.OAuthClient` row for the network, its API
   base URL and the callback URL, which a workspace owner fills in on the network's
   onboarding page (`app_credentials_save`). The registration is install-wide: the
   callback URL (`PARVIS_BASE_URL` + the route) is registered once in the network's
   developer portal.

At connection time the client id and secret, the token endpoint and the way the client
authenticates are copied into the account's credentials with the tokens: a token is bound
to the app that obtained it, so a later change of app registration does not break the
accounts already connected (they keep refreshing with their own app), and a connector
refreshes without touching the database.

Endpoints
---------
Every URL of a provider can be overridden (tests, a proxy): `oauth2.setting(name, default)`
reads a Django setting of that name, else the environment variable, else the default;
connectors name theirs (`PARVIS_X_AUTHORIZE_URL`, `PARVIS_X_TOKEN_URL`, ...).

How a connector's onboarding uses it
------------------------------------
::

    from parvis.networks import oauth2

    PROVIDER = oauth2.OAuth2Provider(
        network="x",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        scopes=("tweet.read", "tweet.write", "users.read", "offline.access"),
    )

    # views.connect (POST "Connect"): the membership may manage accounts
    app = oauth2.app_credentials(network="x", instance_url=API_URL, redirect_uri=oauth2.callback_url("web:x_callback"))
    if app is None:
        ...  # show the form asking the owner for the client id and secret (app_credentials_save)
    url, pending = oauth2.authorization_start(provider=PROVIDER, app=app, redirect_uri=app_redirect_uri)
    request.session[oauth2.session_key("x")] = pending.as_session()
    return redirect(url)

    # views.callback (GET, the network sends the person back with ?code=&state= or ?error=)
    pending = oauth2.PendingAuthorization.from_session(request.session.pop(oauth2.session_key("x"), None))
    if pending is None: ...  # not started here, or too old: start again
    try:
        credentials = oauth2.authorization_finish(provider=PROVIDER, app=app, pending=pending, params=request.GET)
    except oauth2.AuthorizationDenied as denied: ...  # the person said no: show denied.message
    except ConnectorError as error: ...  # state mismatch, code refused, network down: show error.message
    account_connect(membership=membership, network="x", instance_url=API_URL, credentials=credentials)

    # in the connector, every API call
    with oauth2.TokenSession(account) as api:  # account: AccountRef with credentials from above
        response = api.request("GET", f"{base}/2/users/me")
        # an expired access token was refreshed before the call (expires_at), or after a 401,
        # once, and the call sent again; the new tokens went to account.save_credentials at once.
        # A refused refresh raised AuthExpired. The response's status is the connector's to map.

Token refresh and rotation: X and LinkedIn may return a new refresh token with each refresh
(X always does: each refresh token works once). The new credentials are handed to
`AccountRef.save_credentials` before the API call is sent again, so a crash right after
cannot lose them.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client.oauth2_session import OAuth2Auth, OAuth2ClientAuth
from authlib.oauth2.client import OAuth2Client
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from parvis.core import http
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef

if TYPE_CHECKING:
    from parvis.core.models import Membership

# An authorisation not finished within this many seconds must be started again.
PENDING_MAX_AGE = 15 * 60
# An access token this close to its expiry is refreshed before use.
EXPIRY_LEEWAY = 60
# Token endpoint errors meaning the refresh token is dead (RFC 6749 §5.2): the person must reconnect.
REFRESH_REFUSED = frozenset({"invalid_grant", "invalid_request", "invalid_client", "unauthorized_client"})
# Keys of an account's credentials this module writes; connectors may add their own (e.g. an organisation).
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "token_type", "scope")


def setting(name: str, default: str) -> str:
    """A Django setting, else an environment variable of that name, else `default` (read at call time)."""
    value = getattr(settings, name, None) or os.environ.get(name) or default
    return str(value)


def callback_url(route_name: str) -> str:
    """Where the network sends people back: PARVIS_BASE_URL + the route (register it in the developer portal)."""
    return settings.PARVIS_BASE_URL.rstrip("/") + reverse(route_name)


def session_key(network: str) -> str:
    """The Django session key holding the pending sign-in of `network`."""
    return f"parvis_{network}_oauth2"


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


@dataclass(frozen=True)
class OAuth2Provider:
    """How one network does OAuth 2.0."""

    network: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool = True
    # "client_secret_basic" (HTTP Basic, X's confidential clients), "client_secret_post" (LinkedIn, Facebook)
    # or "none" (public clients: the client id in the body). Empty: basic with a secret, none without.
    token_auth_method: str = ""
    display_name: str = ""
    # Extra query parameters of the authorize URL (e.g. Facebook's "config_id").
    extra_authorize_params: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.display_name or self.network


@dataclass(frozen=True)
class AppCredentials:
    """The app registered with the network: who Parvis is when it asks for tokens."""

    client_id: str
    client_secret: str
    source: str = "stored"  # "environment" (operator) or "stored" (OAuthClient row)


class AuthorizationDenied(PermanentError):
    """The person refused (or the network refused) to grant access; `error` is the OAuth error code."""

    def __init__(self, message: str, error: str = "") -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class PendingAuthorization:
    """A sign-in started in this browser session and not finished yet (kept in the Django session)."""

    network: str
    state: str
    code_verifier: str
    redirect_uri: str
    started_at: float
    data: dict[str, str] = field(default_factory=dict)  # what the onboarding wants back (e.g. a voice id)

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, value: object, *, network: str = "") -> Self | None:
        """The pending sign-in, or None when missing, malformed, of another network or older than PENDING_MAX_AGE."""
        if not isinstance(value, dict):
            return None
        try:
            raw_data = value.get("data") or {}
            pending = cls(
                network=str(value["network"]),
                state=str(value["state"]),
                code_verifier=str(value["code_verifier"]),
                redirect_uri=str(value["redirect_uri"]),
                started_at=float(value["started_at"]),
                data={str(k): str(v) for k, v in dict(raw_data).items()},
            )
        except (KeyError, TypeError, ValueError):
            return None
        if network and pending.network != network:
            return None
        return pending if time.time() - pending.started_at <= PENDING_MAX_AGE else None


# --- where the app registration comes from --------------------------------------------------------


def _env_name(network: str, what: str) -> str:
    return f"PARVIS_{network.upper()}_{what}"


def app_credentials(*, network: str, instance_url: str, redirect_uri: str) -> AppCredentials | None:
    """The app's client id and secret: the operator's environment first, else the stored registration."""
    client_id = os.environ.get(_env_name(network, "CLIENT_ID"), "").strip()
    if client_id:
        return AppCredentials(
            client_id=client_id,
            client_secret=os.environ.get(_env_name(network, "CLIENT_SECRET"), "").strip(),
            source="environment",
        )
    from parvis.networks.models import OAuthClient  # onboarding only: connectors never reach this

    row = OAuthClient.objects.filter(network=network, instance_url=instance_url, redirect_uri=redirect_uri).first()
    if row is None or not row.credentials.get("client_id"):
        return None
    return AppCredentials(
        client_id=str(row.credentials["client_id"]),
        client_secret=str(row.credentials.get("client_secret") or ""),
        source="stored",
    )


@transaction.atomic
def app_credentials_save(
    *, membership: Membership, network: str, instance_url: str, redirect_uri: str, client_id: str, client_secret: str
) -> AppCredentials:
    """Store (encrypted) the app registration a workspace owner copied from the network's developer portal.

    An empty `client_secret` keeps the stored one (the form never shows it back).
    Raises PermissionDenied unless the member may manage the workspace.
    """
    from parvis.core.permissions import Perm
    from parvis.core.services import audit_record, require
    from parvis.networks.models import OAuthClient

    require(membership, Perm.MANAGE_WORKSPACE)
    row = OAuthClient.objects.filter(network=network, instance_url=instance_url, redirect_uri=redirect_uri).first()
    previous_secret = str(row.credentials.get("client_secret") or "") if row is not None else ""
    credentials = {"client_id": client_id.strip(), "client_secret": client_secret.strip() or previous_secret}
    if row is None:
        values: dict[str, Any] = {"credentials": credentials}  # an encrypted field, typed as text by the stubs
        row = OAuthClient.objects.create(
            network=network, instance_url=instance_url, redirect_uri=redirect_uri, **values
        )
    else:
        row.credentials = credentials
        row.save(update_fields=["credentials"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="oauth_app.save",
        target=row,
        summary=f"{network}: client {credentials['client_id']}",
    )
    return AppCredentials(client_id=credentials["client_id"], client_secret=credentials["client_secret"])


# --- the authorization code flow ------------------------------------------------------------------


class _Client(OAuth2Client):  # type: ignore[misc]
    """authlib's protocol client on a requests session; OAuthError carries any description as is."""

    client_auth_class = OAuth2ClientAuth
    token_auth_class = OAuth2Auth
    oauth_error_class = OAuthError


def _client(
    provider: OAuth2Provider, *, client_id: str, client_secret: str, session: requests.Session, method: str = ""
) -> _Client:
    return _Client(
        session=session,
        client_id=client_id,
        client_secret=client_secret or None,
        token_endpoint_auth_method=method or provider.token_auth_method or None,
        code_challenge_method="S256" if provider.pkce else None,
    )


def authorization_start(
    *,
    provider: OAuth2Provider,
    app: AppCredentials,
    redirect_uri: str,
    data: Mapping[str, str] | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> tuple[str, PendingAuthorization]:
    """The authorize URL to send the person to, and what to keep in the Django session until they come back.

    A fresh random `state` (CSRF) and, with PKCE, a `code_verifier` whose S256 challenge goes in the URL.
    """
    state = secrets.token_urlsafe(32)
    verifier = generate_token(64) if provider.pkce else ""
    with http.session() as session:
        client = _client(provider, client_id=app.client_id, client_secret=app.client_secret, session=session)
        params = {**dict(provider.extra_authorize_params), **dict(extra_params or {})}
        url, _state = client.create_authorization_url(
            provider.authorize_url,
            state=state,
            code_verifier=verifier or None,
            redirect_uri=redirect_uri,
            scope=" ".join(provider.scopes),
            **params,
        )
    pending = PendingAuthorization(
        network=provider.network,
        state=state,
        code_verifier=verifier,
        redirect_uri=redirect_uri,
        started_at=time.time(),
        data=dict(data or {}),
    )
    return str(url), pending


def authorization_finish(
    *, provider: OAuth2Provider, app: AppCredentials, pending: PendingAuthorization, params: Mapping[str, str]
) -> dict[str, Any]:
    """Check what the network sent back to the callback and trade the code for tokens.

    Returns the account credentials to store (tokens + how to refresh them).
    Raises AuthorizationDenied when the person refused, PermanentError when the answer does not
    belong to this sign-in or the code is refused, TransientError when the network is unreachable.
    """
    label = provider.label
    error = str(params.get("error") or "")
    if error:
        reason = str(params.get("error_description") or error).replace("+", " ")
        raise AuthorizationDenied(f"{label} did not allow Parvis to use the account ({reason}).", error=error)
    state = str(params.get("state") or "")
    if not state or not secrets.compare_digest(state, pending.state):
        raise PermanentError(f"This answer from {label} does not match the sign-in started here. Start again.")
    code = str(params.get("code") or "")
    if not code:
        raise PermanentError(f"{label} did not send an authorisation code. Start again.")
    extra: dict[str, str] = {"code_verifier": pending.code_verifier} if pending.code_verifier else {}
    with http.session() as session, _token_endpoint_errors(provider.token_url, label=label, refreshing=False):
        client = _client(provider, client_id=app.client_id, client_secret=app.client_secret, session=session)
        token = client.fetch_token(provider.token_url, code=code, redirect_uri=pending.redirect_uri, **extra)
    return credentials_from_token(dict(token), provider=provider, app=app)


def credentials_from_token(
    token: Mapping[str, Any],
    *,
    provider: OAuth2Provider,
    app: AppCredentials,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The credentials stored on the account: tokens, expiry, and what a refresh needs."""
    if not token.get("access_token"):
        raise TransientError(f"{provider.label} sent no access token; try again.")
    credentials: dict[str, Any] = dict(previous or {})
    credentials.update(
        {
            "access_token": str(token["access_token"]),
            "token_type": str(token.get("token_type") or "bearer"),
            "token_url": provider.token_url,
            "token_auth_method": provider.token_auth_method,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
    )
    _merge_token(credentials, token)
    return credentials


def _merge_token(credentials: dict[str, Any], token: Mapping[str, Any]) -> None:
    credentials["access_token"] = str(token["access_token"])
    if token.get("refresh_token"):  # rotated; when absent the old one stays valid
        credentials["refresh_token"] = str(token["refresh_token"])
    expires_at = token.get("expires_at")
    if expires_at is None and token.get("expires_in") is not None:
        expires_at = time.time() + float(token["expires_in"])
    credentials["expires_at"] = int(float(expires_at)) if expires_at is not None else None
    if token.get("refresh_token_expires_in") is not None:
        credentials["refresh_token_expires_at"] = int(time.time() + float(token["refresh_token_expires_in"]))
    if token.get("scope"):
        scope = token["scope"]
        credentials["scope"] = " ".join(scope) if isinstance(scope, list | tuple) else str(scope)


@contextmanager
def _token_endpoint_errors(token_url: str, *, label: str, refreshing: bool) -> Iterator[None]:
    """authlib's and requests' failures at the token endpoint, as connector errors."""
    host = host_of(token_url)
    try:
        yield
    except OAuthError as error:
        code = str(error.error or "")
        detail = str(error.description or code or "refused")
        if refreshing and code in REFRESH_REFUSED:
            raise AuthExpired(
                f"{label} no longer accepts this account's authorisation ({detail}): reconnect the account."
            ) from error
        if refreshing:
            raise AuthExpired(
                f"{label} refused to renew the authorisation ({detail}): reconnect the account."
            ) from error
        raise PermanentError(f"{label} refused the sign-in ({detail}). Start the connection again.") from error
    except requests.HTTPError as error:  # a 5xx, or a 4xx whose body is not an OAuth error
        status = error.response.status_code if error.response is not None else 0
        if status == 429:
            raise RateLimited(f"{label} asks Parvis to slow down; it will try again later.") from error
        if status >= 500 or status == 0:
            raise TransientError(f"{label} is having trouble (error {status}); try again later.") from error
        if refreshing and status in {400, 401, 403}:
            raise AuthExpired(f"{label} refused to renew the authorisation: reconnect the account.") from error
        raise PermanentError(f"{label} refused the request (error {status}).") from error
    except requests.RequestException as error:  # before ValueError: UnsafeURLError is an InvalidURL
        raise transport_error(error, host=host) from error
    except ValueError as error:  # the answer is not a JSON object
        raise TransientError(f"{host} sent an answer Parvis could not read; try again later.") from error


def transport_error(error: requests.RequestException, *, host: str) -> ConnectorError:
    """A request that got no HTTP answer, as a connector error (one message style for every network)."""
    if isinstance(error, http.UnsafeURLError):
        return PermanentError(f"Parvis does not connect to this address: {error}")
    if isinstance(error, requests.Timeout):
        return TransientError(f"{host} did not answer in time; Parvis will try again later.")
    return TransientError(f"{host} could not be reached; Parvis will try again later.")


# --- calling an API with the account's tokens -----------------------------------------------------


class TokenSession:
    """Bearer-authenticated HTTP for one account, refreshing its access token when needed.

    - Before a call, an access token past `expires_at` (minus EXPIRY_LEEWAY) is refreshed.
    - A 401 answer is followed by one refresh and one new try of the same request; a second 401 is
      returned to the connector (which raises AuthExpired).
    - New tokens go to `account.save_credentials` at once; `credentials` holds the current ones.
    - A refused refresh raises AuthExpired; no refresh token: the 401 is returned as is.
    - Transport failures (timeout, refused, private address) raise TransientError/PermanentError.
    """

    def __init__(self, account: AccountRef, *, timeout: float | None = None, label: str = "") -> None:
        self.account = account
        self.credentials: dict[str, Any] = dict(account.credentials)
        self.label = label or account.network
        self.refreshed = False
        self._session = http.session(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def access_token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    def expired(self, *, now: float | None = None) -> bool:
        expires_at = self.credentials.get("expires_at")
        if expires_at in (None, ""):
            return False
        current = time.time() if now is None else now
        return float(expires_at) - EXPIRY_LEEWAY <= current

    def can_refresh(self) -> bool:
        return bool(self.credentials.get("refresh_token") and self.credentials.get("token_url"))

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request with the bearer token; see the class docstring for refreshes and errors."""
        if self.expired() and self.can_refresh() and not self.refreshed:
            self.refresh()
        response = self._send(method, url, **kwargs)
        if response.status_code == 401 and self.can_refresh() and not self.refreshed:
            response.close()
            self.refresh()
            response = self._send(method, url, **kwargs)
        return response

    def raw(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A request without the bearer token (e.g. an upload URL that carries its own signature)."""
        try:
            return self._session.request(method, url, **kwargs)
        except requests.RequestException as error:
            raise transport_error(error, host=host_of(url)) from error

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {self.access_token}"
        files = kwargs.get("files")
        if files:  # a retried multipart upload must send its files from the start again
            for item in files.values():
                handle = item[1] if isinstance(item, tuple) else item
                if hasattr(handle, "seek"):
                    handle.seek(0)
        return self.raw(method, url, headers=headers, **kwargs)

    def refresh(self) -> dict[str, Any]:
        """Trade the refresh token for new tokens, store them through `save_credentials`, return them."""
        self.refreshed = True
        token_url = str(self.credentials.get("token_url") or "")
        refresh_token = str(self.credentials.get("refresh_token") or "")
        if not token_url or not refresh_token:
            raise AuthExpired(f"{self.label}: the authorisation expired and cannot be renewed; reconnect the account.")
        provider = OAuth2Provider(
            network=self.account.network,
            authorize_url="",
            token_url=token_url,
            scopes=(),
            token_auth_method=str(self.credentials.get("token_auth_method") or ""),
            display_name=self.label,
        )
        with _token_endpoint_errors(token_url, label=self.label, refreshing=True):
            client = _client(
                provider,
                client_id=str(self.credentials.get("client_id") or ""),
                client_secret=str(self.credentials.get("client_secret") or ""),
                session=self._session,
            )
            token = client.refresh_token(token_url, refresh_token=refresh_token)
        if not token.get("access_token"):
            raise TransientError(f"{self.label} sent no access token when renewing it; Parvis will try again later.")
        updated = dict(self.credentials)
        _merge_token(updated, token)
        self.credentials = updated
        if self.account.save_credentials is not None:
            self.account.save_credentials(dict(updated))
        return updated
