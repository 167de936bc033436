"""LinkedIn's versioned REST API (api.linkedin.com/rest) over Parvis's HTTP session, and its errors.

Every call carries `Linkedin-Version: YYYYMM` (PARVIS_LINKEDIN_VERSION, LinkedIn does not
default to the latest) and `X-Restli-Protocol-Version: 2.0.0`; URNs in paths and query
strings are URL-encoded. Every call goes through `LinkedInApi.call`, the one place that
decides what an answer means. LinkedIn's error bodies look like
``{"status": 422, "message": "...", "serviceErrorCode": 100, "code": "..."}``
(https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling):

| LinkedIn answers                                       | Parvis raises                                      |
|--------------------------------------------------------|----------------------------------------------------|
| 401 (after one refresh where a refresh token exists)   | AuthExpired                                        |
| 429 (application or member throttle)                   | RateLimited (Retry-After; a DAY limit waits until  |
|                                                        | midnight UTC, when LinkedIn resets daily limits)   |
| 400, 403, 404, 409, 422 and other 4xx                  | PermanentError with LinkedIn's message             |
| 5xx, timeout, connection refused                       | TransientError                                     |
| a body that is not JSON where JSON is expected         | TransientError                                     |
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import requests

from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.oauth2 import TokenSession, setting
from parvis.networks.protocol import AccountRef

DEFAULT_API_URL = "https://api.linkedin.com"
# The Marketing API version Parvis was written against; LinkedIn supports each for about a year.
DEFAULT_VERSION = "202610"
LABEL = "LinkedIn"


def api_version() -> str:
    return setting("PARVIS_LINKEDIN_VERSION", DEFAULT_VERSION)


def urn_path(urn: str) -> str:
    """A URN as one path segment (every reserved character encoded, as Rest.li 2.0 asks)."""
    return quote(urn, safe="")


def linkedin_message(body: object) -> str:
    """LinkedIn's own words from an error body, with the first input error's description when there is one."""
    if not isinstance(body, dict):
        return ""
    message = str(body.get("message") or body.get("error_description") or body.get("error") or "").strip()
    details = body.get("errorDetails")
    if isinstance(details, dict):
        for item in details.get("inputErrors") or []:
            if isinstance(item, dict) and item.get("description"):
                described = str(item["description"]).strip()
                if described and described not in message:
                    message = f"{message} ({described})" if message else described
                break
    return message


def seconds_until_midnight_utc(now: datetime | None = None) -> float:
    current = now or datetime.now(UTC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - current).total_seconds()


def error_for(response: requests.Response) -> ConnectorError:
    """The connector error for a LinkedIn answer that is not a success."""
    status = response.status_code
    try:
        body: object = response.json()
    except ValueError:
        body = None
    detail = linkedin_message(body)
    if status == 401:
        return AuthExpired(
            f"LinkedIn no longer accepts this page's authorisation ({detail or 'unauthorized'}): reconnect the page."
        )
    if status == 429:
        retry_after: float | None = None
        header = (response.headers.get("Retry-After") or "").strip()
        if header.replace(".", "", 1).isdigit():
            retry_after = float(header)
        elif "DAY" in detail.upper():
            retry_after = seconds_until_midnight_utc()
        if retry_after is None:
            return RateLimited("LinkedIn asks Parvis to slow down; it will try again later.", retry_after=None)
        return RateLimited(
            f"LinkedIn asks Parvis to slow down ({detail or 'too many requests'}); "
            f"it will try again in {round(retry_after)} seconds.",
            retry_after=retry_after,
        )
    if status >= 500:
        return TransientError(f"LinkedIn is having trouble (error {status}); Parvis will try again later.")
    if status == 403:
        return PermanentError(
            f"LinkedIn refused it ({detail or 'forbidden'}). The person who connected the page must still be "
            "one of its administrators."
        )
    if status == 404:
        return PermanentError(f"LinkedIn: this post or page does not exist ({detail or 'not found'}).")
    return PermanentError(f"LinkedIn refused it: {detail or f'error {status}'}")


class LinkedInApi:
    """The REST API for one connected page: bearer token with refresh, versioned headers, errors mapped."""

    def __init__(self, account: AccountRef, *, timeout: float | None = None) -> None:
        if not account.credentials.get("access_token"):
            raise AuthExpired("This LinkedIn page has no access token: reconnect it.")
        self.account = account
        self.base = (account.instance_url or DEFAULT_API_URL).rstrip("/")
        self.tokens = TokenSession(account, timeout=timeout, label=LABEL)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.tokens.close()

    def headers(self, method: str | None = None) -> dict[str, str]:
        headers = {"Linkedin-Version": api_version(), "X-Restli-Protocol-Version": "2.0.0"}
        if method:
            headers["X-RestLi-Method"] = method
        return headers

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | str | None = None,
        json: Any = None,
        restli_method: str | None = None,
        missing_ok: bool = False,
    ) -> requests.Response | None:
        """One call; the response of a success (None for a 404 with `missing_ok`), or raise a connector error."""
        url = self.base + path
        if isinstance(params, str):  # a query already encoded the Rest.li way (List(...), encoded URNs)
            url, params = f"{url}?{params}", None
        response = self.tokens.request(method, url, params=params, json=json, headers=self.headers(restli_method))
        if missing_ok and response.status_code == 404:
            response.close()
            return None
        if response.status_code >= 400:
            with response:
                raise error_for(response)
        return response

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """`send`, then the JSON body ({} when there is none)."""
        response = self.send(method, path, **kwargs)
        if response is None:
            return {}
        with response:
            if response.status_code == 204 or not response.content:
                return {}
            try:
                body = response.json()
            except ValueError as error:
                raise TransientError(
                    "LinkedIn sent an answer Parvis could not read; Parvis will try again later."
                ) from error
        if not isinstance(body, dict):
            raise TransientError("LinkedIn sent an answer Parvis could not read; Parvis will try again later.")
        return body

    def upload(self, upload_url: str, content: bytes, mime_type: str) -> None:
        """PUT the bytes of an image to the upload URL the Images API gave (it carries the bearer token too)."""
        response = self.tokens.request("PUT", upload_url, data=content, headers={"Content-Type": mime_type})
        with response:
            if response.status_code >= 400:
                raise error_for(response)
