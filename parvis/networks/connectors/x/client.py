"""X API v2 over Parvis's HTTP session, with its answers turned into the four connector errors.

Every call goes through `XApi.call`, the one place that decides what an answer means.
X's error bodies are RFC 7807 problems, ``{"title", "detail", "type", "status"}``, or for
invalid requests ``{"errors": [{"message", "parameters"}], "title": "Invalid Request", ...}``
(https://docs.x.com/x-api/fundamentals/response-codes-and-errors):

| X answers                                              | Parvis raises                                     |
|--------------------------------------------------------|---------------------------------------------------|
| 401 (after one refresh of the token and one new try)   | AuthExpired                                       |
| 429, x-rate-limit-reset (epoch seconds)                | RateLimited(seconds until the reset)              |
| 429 with x-user-limit-24hour-remaining: 0              | RateLimited(until the 24-hour window resets)      |
| 403 "duplicate content", other 403                     | PermanentError with X's own message               |
| 400, 402, 404, 409, 422, other 4xx                     | PermanentError with X's own message               |
| 5xx, timeout, connection refused                       | TransientError                                    |
| 2xx whose body is not JSON                             | TransientError                                    |
| a private address (parvis.core.http.UnsafeURLError)    | PermanentError                                    |

Rate limits: every answer carries x-rate-limit-limit, x-rate-limit-remaining and
x-rate-limit-reset (the UTC epoch second when the 15-minute window resets); posting also
carries x-user-limit-24hour-* and x-app-limit-24hour-* (https://docs.x.com/x-api/fundamentals/rate-limits).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import requests

from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.oauth2 import TokenSession
from parvis.networks.protocol import AccountRef

DEFAULT_API_URL = "https://api.x.com"
LABEL = "X"


def _epoch(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long X asks us to wait, or None when it did not say.

    The longest applicable wait: Retry-After (seconds), the 24-hour user or app window when
    it is used up (x-user-limit-24hour-remaining / x-app-limit-24hour-remaining = 0), else the
    15-minute window (x-rate-limit-reset). Resets are epoch seconds, read against the server's
    Date header when there is one (a clock difference between the two machines does not matter).
    """
    current = time.time() if now is None else now
    server_now = current
    date_header = headers.get("date")
    if date_header:
        try:
            server_now = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            server_now = current
    waits: list[float] = []
    retry_after = _epoch(headers.get("retry-after"))
    if retry_after is not None:
        waits.append(retry_after)
    for window in ("x-user-limit-24hour", "x-app-limit-24hour"):
        if (headers.get(f"{window}-remaining") or "").strip() == "0":
            reset = _epoch(headers.get(f"{window}-reset"))
            if reset is not None:
                waits.append(reset - server_now)
    reset = _epoch(headers.get("x-rate-limit-reset"))
    if reset is not None and not waits:
        waits.append(reset - server_now)
    return max(0.0, max(waits)) if waits else None


def problem_message(body: object) -> str:
    """X's own words from an error body: the invalid request's messages, else detail, else title."""
    if not isinstance(body, dict):
        return ""
    messages = [
        str(item.get("message") or item.get("detail") or "").strip()
        for item in body.get("errors") or []
        if isinstance(item, dict)
    ]
    messages = [m for m in messages if m]
    if messages and str(body.get("title") or "") in {"Invalid Request", ""}:
        return " ".join(messages)
    for key in ("detail", "title", "error_description", "error"):
        if body.get(key):
            return str(body[key]).strip()
    return " ".join(messages)


def error_for(response: requests.Response) -> ConnectorError:
    """The connector error for an X answer that is not a success."""
    status = response.status_code
    try:
        body: object = response.json()
    except ValueError:
        body = None
    detail = problem_message(body)
    if status == 401:
        return AuthExpired(
            f"X no longer accepts this account's authorisation ({detail or 'unauthorized'}): reconnect the account."
        )
    if status == 429:
        wait = retry_after_seconds(response.headers)
        if wait is None:
            return RateLimited("X asks Parvis to slow down; it will try again later.", retry_after=None)
        return RateLimited(f"X asks Parvis to slow down; it will try again in {round(wait)} seconds.", retry_after=wait)
    if status >= 500:
        return TransientError(f"X is having trouble (error {status}); Parvis will try again later.")
    if status == 404:
        return PermanentError(f"X: {detail or 'this post or account does not exist'}.")
    return PermanentError(f"X refused it: {detail or f'error {status}'}")


class XApi:
    """X API v2 for one account: bearer token with refresh, base URL from the account (tests use a local one)."""

    def __init__(self, account: AccountRef, *, timeout: float | None = None) -> None:
        if not account.credentials.get("access_token"):
            raise AuthExpired("This X account has no access token: reconnect it.")
        self.account = account
        self.base = (account.instance_url or DEFAULT_API_URL).rstrip("/")
        self.tokens = TokenSession(account, timeout=timeout, label=LABEL)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.tokens.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> dict[str, Any]:
        """One call; the JSON body of a success, or raise a connector error.

        With `missing_ok`, a 404 returns {} instead of raising (lookups, deleting what is gone).
        """
        response = self.tokens.request(method, self.base + path, params=params, json=json, data=data, files=files)
        with response:
            if missing_ok and response.status_code == 404:
                return {}
            if response.status_code >= 400:
                raise error_for(response)
            if response.status_code == 204 or not response.content:
                return {}
            try:
                body = response.json()
            except ValueError as error:
                raise TransientError("X sent an answer Parvis could not read; Parvis will try again later.") from error
        if not isinstance(body, dict):
            raise TransientError("X sent an answer Parvis could not read; Parvis will try again later.")
        return body
