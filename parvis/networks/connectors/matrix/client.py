"""The Matrix client-server API (plain HTTP + JSON) on Parvis's HTTP session, errors mapped in one place.

Every call goes through `parvis.core.http.session()` (timeouts, User-Agent, private addresses
refused unless allowed). Matrix answers errors as `{"errcode": "M_...", "error": "..."}`;
`MatrixClient.call` turns them, and every `requests` failure, into the four connector errors:

==========================================  ==============================================
what the homeserver says                    raised
==========================================  ==============================================
M_LIMIT_EXCEEDED, or HTTP 429               RateLimited(retry_after_ms / 1000, or Retry-After)
M_UNKNOWN_TOKEN, M_MISSING_TOKEN,           AuthExpired (a person must connect the account
M_USER_DEACTIVATED, or HTTP 401             again)
M_FORBIDDEN, M_NOT_FOUND, M_BAD_JSON,       PermanentError (the same call will fail again)
other 4xx
5xx, timeout, connection refused,           TransientError (the same call may succeed later)
a body that is not JSON
an address refused by parvis.core.http      PermanentError
==========================================  ==============================================
"""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import quote

import requests

from parvis.core.http import UnsafeURLError, session
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError

API = "/_matrix/client/v3"

AUTH_ERRCODES = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"})


def q(value: str) -> str:
    """One path segment: room ids, event ids and user ids hold `!`, `$`, `:` and `@`."""
    return quote(value, safe="")


class MatrixError(PermanentError):
    """A refusal the homeserver explained; `errcode` is Matrix's own code ("M_FORBIDDEN"...)."""

    def __init__(self, message: str, errcode: str, status: int) -> None:
        super().__init__(message)
        self.errcode = errcode
        self.status = status


class MatrixClient:
    """One homeserver, one access token (or none, to log in). Use as a context manager."""

    def __init__(self, homeserver: str, access_token: str = "", *, timeout: float | None = None) -> None:
        self.homeserver = homeserver.rstrip("/")
        self.access_token = access_token
        self._http = session(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- calls ------------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", path, body=body)

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("PUT", path, body=body)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        authenticated: bool = True,
    ) -> dict[str, Any]:
        """`path` under /_matrix/client/v3 (or a full path starting with /_matrix or /_synapse)."""
        url = self.homeserver + (path if path.startswith(("/_matrix", "/_synapse")) else API + path)
        headers = {"Authorization": f"Bearer {self.access_token}"} if authenticated and self.access_token else {}
        try:
            response = self._http.request(
                method,
                url,
                params={key: value for key, value in (params or {}).items() if value is not None},
                json=body,
                headers=headers,
            )
        except UnsafeURLError as error:
            raise PermanentError(f"Parvis may not connect to this homeserver: {error}") from error
        except requests.Timeout as error:
            raise TransientError("The Matrix homeserver did not answer in time.") from error
        except requests.ConnectionError as error:
            raise TransientError("The Matrix homeserver cannot be reached.") from error
        except requests.RequestException as error:
            raise TransientError(f"The call to the Matrix homeserver failed: {error}") from error
        return _answer(response)


def _answer(response: requests.Response) -> dict[str, Any]:
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    if 200 <= status < 300:
        if not isinstance(data, dict):
            raise TransientError("The Matrix homeserver sent an answer Parvis cannot read.")
        return data
    errcode = str(data.get("errcode", "")) if isinstance(data, dict) else ""
    said = str(data.get("error", "")) if isinstance(data, dict) else ""
    detail = f" ({errcode}: {said})" if errcode or said else ""
    if errcode == "M_LIMIT_EXCEEDED" or status == 429:
        raise RateLimited(
            "The Matrix homeserver asks Parvis to slow down." + detail, retry_after=_retry_after(response, data)
        )
    if errcode in AUTH_ERRCODES or status == 401:
        raise AuthExpired("The Matrix access token is no longer valid: connect the account again." + detail)
    if status >= 500 or status == 408:
        raise TransientError(f"The Matrix homeserver failed (HTTP {status})." + detail)
    raise MatrixError(f"The Matrix homeserver refused the request (HTTP {status}){detail}.", errcode, status)


def _retry_after(response: requests.Response, data: Any) -> float | None:
    if isinstance(data, dict):
        milliseconds = data.get("retry_after_ms")
        if isinstance(milliseconds, int | float) and milliseconds >= 0:
            return float(milliseconds) / 1000
    header = response.headers.get("Retry-After", "")
    if header.strip().isdigit():
        return float(header.strip())
    return None
