"""YouTube Data API v3 over Parvis's HTTP session, with its answers turned into the four connector errors.

Every call goes through `YouTubeApi.call`, the one place that decides what an answer means.
Google's error bodies look like
``{"error": {"code": 403, "message": "...", "errors": [{"message", "domain", "reason"}]}}``
(https://developers.google.com/youtube/v3/docs/errors):

| YouTube answers                                                | Parvis raises                                   |
|----------------------------------------------------------------|-------------------------------------------------|
| 401 (after one refresh of the token and one new try)           | AuthExpired                                     |
| 403 quotaExceeded / dailyLimitExceeded (domain youtube.quota)  | RateLimited until midnight Pacific time, when   |
|                                                                | the daily quota resets                          |
| 403 rateLimitExceeded / userRateLimitExceeded, 429             | RateLimited (Retry-After, else a minute)        |
| 403 forbidden, insufficientPermissions, commentsDisabled...    | PermanentError with YouTube's message           |
| 400, 404 (commentNotFound, videoNotFound...) and other 4xx     | PermanentError with YouTube's message           |
| 5xx (backendError), timeout, connection refused                | TransientError                                  |
| 2xx whose body is not JSON                                     | TransientError                                  |

Quota (https://developers.google.com/youtube/v3/determine_quota_cost): a project has 10,000
units a day by default; commentThreads.list and comments.list cost 1, comments.insert,
commentThreads.insert, comments.setModerationStatus and comments.delete 50. The quota resets
at midnight Pacific Time (https://developers.google.com/youtube/v3/getting-started#quota).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

import requests

from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.oauth2 import TokenSession
from parvis.networks.protocol import AccountRef

DEFAULT_API_URL = "https://www.googleapis.com"
API_PATH = "/youtube/v3"
LABEL = "YouTube"
PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
DEFAULT_RATE_WAIT = 60.0


def seconds_until_quota_reset(now: datetime | None = None) -> float:
    """Seconds until the next midnight in America/Los_Angeles (daylight saving time included)."""
    current = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    tomorrow = (current + timedelta(days=1)).date()
    midnight = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=PACIFIC)
    return max(1.0, (midnight - current).total_seconds())


def google_error(body: object) -> tuple[str, str]:
    """(reason, message) from a Google error body; empty strings when it is not one."""
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), Mapping):
        return "", ""
    error: Mapping[str, Any] = body["error"]
    message = str(error.get("message") or "").strip()
    reason = ""
    for item in error.get("errors") or []:
        if isinstance(item, Mapping) and item.get("reason"):
            reason = str(item["reason"])
            message = message or str(item.get("message") or "")
            break
    return reason, message


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        value = float(headers.get("Retry-After") or "")
    except ValueError:
        return None
    return max(0.0, value)


def error_for(status: int, body: object, headers: Mapping[str, str]) -> ConnectorError:
    """The connector error for a YouTube answer that is not a success."""
    reason, message = google_error(body)
    detail = message or f"error {status}"
    if status == 401:
        return AuthExpired(f"YouTube no longer accepts this channel's authorisation ({detail}): reconnect it.")
    if reason in QUOTA_REASONS:
        wait = seconds_until_quota_reset()
        return RateLimited(
            "This Parvis installation has used its YouTube quota for the day; YouTube resets it at midnight "
            f"Pacific time, in {round(wait / 3600, 1)} hours.",
            retry_after=wait,
        )
    if status == 429 or reason in RATE_REASONS:
        asked = _retry_after(headers)
        return RateLimited(
            "YouTube asks Parvis to slow down; it will try again shortly.",
            retry_after=asked if asked is not None else DEFAULT_RATE_WAIT,
        )
    if status >= 500:
        return TransientError(f"YouTube is having trouble ({detail}); Parvis will try again later.")
    if status == 403:
        return PermanentError(f"YouTube refused it ({reason or 'forbidden'}): {detail}")
    if status == 404:
        return PermanentError(f"This no longer exists on YouTube ({detail}).")
    return PermanentError(f"YouTube refused it: {detail}")


class YouTubeApi:
    """The YouTube Data API for one channel: bearer token with refresh, base URL from the account (tests)."""

    def __init__(self, account: AccountRef, *, timeout: float | None = None) -> None:
        if not account.credentials.get("access_token"):
            raise AuthExpired("This YouTube channel has no access token: reconnect it.")
        self.base = (account.instance_url or DEFAULT_API_URL).rstrip("/") + API_PATH
        self.tokens = TokenSession(account, timeout=timeout, label=LABEL)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.tokens.close()

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        """One call; the JSON body of a success ({} for 204), or raise a connector error."""
        response: requests.Response = self.tokens.request(method, self.base + path, params=params, json=json)
        with response:
            status = response.status_code
            if status >= 400:
                try:
                    body: object = response.json()
                except ValueError:
                    body = None
                raise error_for(status, body, response.headers)
            if status == 204 or not response.content:
                return {}
            try:
                answer = response.json()
            except ValueError as error:
                raise TransientError("YouTube sent an answer Parvis could not read; it will try again.") from error
        if not isinstance(answer, dict):
            raise TransientError("YouTube sent an answer Parvis could not read; it will try again.")
        return answer
