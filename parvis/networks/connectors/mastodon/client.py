"""Mastodon.py on Parvis's HTTP session, and its errors turned into the four connector errors.

Every call to a Mastodon server goes through `MastodonClient.call`, which is
the one place that decides what a failure means:

| Mastodon.py raises                               | Parvis raises                                |
|--------------------------------------------------|----------------------------------------------|
| MastodonUnauthorizedError (401)                  | AuthExpired                                  |
| MastodonRatelimitError (429)                     | RateLimited(Retry-After or X-RateLimit-Reset)|
| MastodonNetworkError (refused, timeout, DNS)     | TransientError                               |
| MastodonServerError and subclasses (5xx)         | TransientError                               |
| MastodonAPIError without a status (bad JSON)     | TransientError                               |
| MastodonNotFoundError (404)                      | PermanentError                               |
| 403 on a call about one status                   | PermanentError ("not found or not yours")    |
| 403 elsewhere                                    | AuthExpired (the token lost its rights)      |
| 422 and other 4xx                                | PermanentError with the server's message     |
| parvis.core.http.UnsafeURLError                  | PermanentError with its message              |

Messages are written for the people who read them on the accounts page and
in the ledger.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonIOError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
    MastodonVersionError,
)

from parvis.core import http
from parvis.networks.connectors.mastodon.schemas import PayloadError, parse_datetime
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError

T = TypeVar("T")

_DEFAULT_PORTS = {"http": 80, "https": 443}


def instance_host(instance_url: str) -> str:
    """The instance as it appears in handles: its host name, with the port when it is not the default one."""
    parts = urlsplit(instance_url)
    host = (parts.hostname or "").lower()
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long the server asks us to wait, from Retry-After or else X-RateLimit-Reset; None if it did not say.

    Retry-After is seconds or an HTTP date. Mastodon's X-RateLimit-Reset is an ISO 8601
    time (some servers send an epoch); it is read against the server's own Date header
    when there is one, so a clock difference between the two machines does not matter.
    """
    current = time.time() if now is None else now
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                return max(0.0, when.timestamp() - current)
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    if not reset:
        return None
    reset_at = _epoch(reset)
    if reset_at is None:
        return None
    server_now = current
    date_header = headers.get("Date")
    if date_header:
        try:
            server_now = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            server_now = current
    return max(0.0, reset_at - server_now)


def _epoch(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        parsed: datetime | None = parse_datetime(value)
        return parsed.timestamp() if parsed is not None else None


class _LastResponse:
    """A response hook of the session keeping the last response, for the headers Mastodon.py does not expose."""

    def __init__(self) -> None:
        self.headers: Mapping[str, str] | None = None

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self.headers = response.headers
        return response


def _status_code(error: MastodonAPIError) -> int | None:
    # Mastodon.py raises MastodonAPIError("...", status_code, reason, message) for HTTP errors,
    # and MastodonAPIError("Could not parse response as JSON ...", "...") for unreadable bodies.
    args = error.args
    return args[1] if len(args) >= 2 and isinstance(args[1], int) else None


def _server_message(error: MastodonAPIError) -> str:
    args = error.args
    message = args[3] if len(args) >= 4 and args[3] else (args[2] if len(args) >= 3 and args[2] else "")
    return str(message).strip()


def _unsafe_url(error: BaseException) -> http.UnsafeURLError | None:
    """The UnsafeURLError behind a Mastodon.py error (it wraps every exception of the session)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, http.UnsafeURLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _timed_out(error: BaseException) -> bool:
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        # requests' ReadTimeout and ConnectTimeout carry the socket's TimeoutError in their chain.
        if isinstance(current, TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "timed out" in str(error).lower()


class MastodonClient:
    """A Mastodon.py client on one instance, using a session from `parvis.core.http`. Use as a context manager."""

    def __init__(
        self,
        instance_url: str,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        self.instance_url = instance_url.rstrip("/")
        self.host = instance_host(self.instance_url) or self.instance_url
        timeout = float(settings.PARVIS_HTTP_TIMEOUT)
        self._session = http.session(timeout=timeout)
        self._last = _LastResponse()
        self._session.hooks["response"].append(self._last)
        self.api = Mastodon(
            api_base_url=self.instance_url,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            session=self._session,
            request_timeout=timeout,
            # Raise on 429 instead of sleeping inside a worker; the outbox reschedules.
            ratelimit_method="throw",
            # No version probe on construction: one request less per poll.
            version_check_mode="none",
            user_agent=http.USER_AGENT,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def call(self, function: Callable[..., T], *args: Any, about_status: bool = False, **kwargs: Any) -> T:
        """Run one Mastodon.py call; raise only connector errors.

        `about_status` marks calls aimed at one status (reply, favourite, delete): there a 403
        means the status is not ours or not visible, as mastodon-mock answers where real
        Mastodon answers 404.
        """
        with self.translate_errors(about_status=about_status):
            return function(*args, **kwargs)

    @contextmanager
    def translate_errors(self, *, about_status: bool = False) -> Iterator[None]:
        try:
            yield
        except ConnectorError:
            raise
        except MastodonRatelimitError as error:
            raise self._rate_limited() from error
        except MastodonNetworkError as error:
            raise self._network_error(error) from error
        except MastodonUnauthorizedError as error:
            raise AuthExpired(
                f"{self.host} does not accept this account's access token (revoked or expired): reconnect the account."
            ) from error
        except MastodonNotFoundError as error:
            raise self._not_found(error, about_status=about_status) from error
        except MastodonServerError as error:
            code = _status_code(error)
            raise TransientError(
                f"{self.host} is having trouble (error {code or 'unknown'}); Parvis will try again later."
            ) from error
        except MastodonAPIError as error:
            raise self._api_error(error, about_status=about_status) from error
        except MastodonIOError as error:  # a media file missing or unreadable on the Parvis host
            raise PermanentError(f"A file to upload could not be read: {error}") from error
        except (MastodonIllegalArgumentError, MastodonVersionError) as error:
            raise PermanentError(f"Mastodon refused the request: {error}") from error
        except MastodonError as error:
            raise TransientError(f"Unexpected answer from {self.host}: {error}") from error
        except PayloadError as error:
            raise TransientError(
                f"{self.host} sent an answer Parvis could not read ({error}); Parvis will try again later."
            ) from error

    def _rate_limited(self) -> RateLimited:
        headers = self._last.headers
        wait = retry_after_seconds(headers) if headers is not None else None
        if wait is None:
            return RateLimited(f"{self.host} asks Parvis to slow down; it will try again later.", retry_after=None)
        return RateLimited(
            f"{self.host} asks Parvis to slow down; it will try again in {round(wait)} seconds.", retry_after=wait
        )

    def _network_error(self, error: MastodonNetworkError) -> ConnectorError:
        unsafe = _unsafe_url(error)
        if unsafe is not None:
            return PermanentError(f"Parvis does not connect to this address: {unsafe}")
        if _timed_out(error):
            return TransientError(f"{self.host} did not answer in time; Parvis will try again later.")
        return TransientError(f"{self.host} could not be reached; Parvis will try again later.")

    def _not_found(self, error: MastodonNotFoundError, *, about_status: bool) -> PermanentError:
        if about_status:
            return PermanentError(f"This post no longer exists on {self.host}, or this account cannot see it.")
        detail = _server_message(error)
        return PermanentError(
            f"{self.host} answered that this does not exist ({detail or 'not found'}). Is it a Mastodon server?"
        )

    def _api_error(self, error: MastodonAPIError, *, about_status: bool) -> ConnectorError:
        code = _status_code(error)
        if code is None:  # the body was not JSON: a proxy page, a truncated answer
            return TransientError(f"{self.host} sent an answer Parvis could not read; Parvis will try again later.")
        detail = _server_message(error)
        if code == 403 and about_status:
            return PermanentError(
                f"This post does not exist on {self.host} or does not belong to this account, "
                "so Mastodon refused the change."
            )
        if code == 403:
            return AuthExpired(f"{self.host} refused access ({detail or 'forbidden'}): reconnect the account.")
        if code == 422:
            return PermanentError(f"Mastodon refused it: {detail or 'invalid request'}")
        if code == 429:  # only when Mastodon.py was told not to handle rate limits itself
            return self._rate_limited()
        if code >= 500:
            return TransientError(f"{self.host} is having trouble (error {code}); Parvis will try again later.")
        return PermanentError(f"Mastodon refused it (error {code}): {detail or 'no reason given'}")


# --- OAuth ----------------------------------------------------------------------------------------


def register_app(
    *, instance_url: str, client_name: str, redirect_uri: str, scopes: list[str], website: str
) -> tuple[str, str]:
    """Register Parvis as an application on the instance; returns (client_id, client_secret)."""
    timeout = float(settings.PARVIS_HTTP_TIMEOUT)
    with http.session(timeout=timeout) as session, _registration_errors(instance_url):
        client_id, client_secret = Mastodon.create_app(
            client_name,
            scopes=scopes,
            redirect_uris=redirect_uri,
            website=website,
            api_base_url=instance_url,
            request_timeout=timeout,
            session=session,
            user_agent=http.USER_AGENT,
        )
    return str(client_id), str(client_secret)


@contextmanager
def _registration_errors(instance_url: str) -> Iterator[None]:
    host = instance_host(instance_url)
    try:
        yield
    except MastodonNetworkError as error:
        unsafe = _unsafe_url(error)
        if unsafe is not None:
            raise PermanentError(f"Parvis does not connect to this address: {unsafe}") from error
        if isinstance(error.__context__, ValueError):  # the answer was not JSON: not a Mastodon API
            raise PermanentError(f"{host} does not look like a Mastodon server.") from error
        if _timed_out(error):
            raise TransientError(f"{host} did not answer in time. Try again in a moment.") from error
        raise TransientError(f"{host} could not be reached. Check the address, or try again later.") from error
    except (KeyError, TypeError) as error:
        # Mastodon.create_app reads the JSON answer without checking the status: an error answer
        # ({"error": "..."}) has no client_id.
        raise PermanentError(f"{host} refused to register Parvis as an application.") from error


def authorization_url(
    *, instance_url: str, client_id: str, client_secret: str, redirect_uri: str, scopes: list[str], state: str
) -> str:
    """The page of the instance where the person signs in and allows Parvis. Refuses plain http."""
    require_https(instance_url)
    client = MastodonClient(instance_url, client_id=client_id, client_secret=client_secret)
    with client, client.translate_errors(), _oauth_errors(client):
        url: str = client.api.auth_request_url(redirect_uris=redirect_uri, scopes=scopes, state=state)
    return url


def exchange_code(
    *, instance_url: str, client_id: str, client_secret: str, redirect_uri: str, scopes: list[str], code: str
) -> str:
    """Trade the authorisation code the instance sent back for an access token."""
    require_https(instance_url)
    client = MastodonClient(instance_url, client_id=client_id, client_secret=client_secret)
    with client, client.translate_errors(), _oauth_errors(client):
        token: str = client.api.log_in(code=code, redirect_uri=redirect_uri, scopes=scopes)
    return token


def require_https(instance_url: str) -> None:
    if urlsplit(instance_url).scheme != "https":
        raise PermanentError(
            "Signing in with Mastodon needs an https:// address; this server uses plain http. "
            "Paste an access token instead."
        )


@contextmanager
def _oauth_errors(client: MastodonClient) -> Iterator[None]:
    try:
        yield
    except MastodonIllegalArgumentError as error:
        # log_in wraps every failure of the token request in this error (the cause is kept as its
        # context), and Mastodon.py refuses OAuth endpoints that are not https with it.
        if "must use with https" in str(error):
            raise PermanentError(
                f"{client.host} offers its sign-in over plain http; Parvis refuses it. Paste an access token instead."
            ) from error
        cause = error.__context__
        if isinstance(cause, MastodonNetworkError):
            raise client._network_error(cause) from error
        detail = _server_message(cause) if isinstance(cause, MastodonAPIError) else ""
        raise PermanentError(
            f"{client.host} refused the sign-in{f' ({detail})' if detail else ''}. Start the connection again."
        ) from error
