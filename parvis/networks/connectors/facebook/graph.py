"""Meta's Graph API on Parvis's HTTP session: one client, one error mapping, for Facebook Pages and Instagram.

Both connectors talk to `https://graph.facebook.com/<GRAPH_VERSION>/...` (the account's
`instance_url` overrides the host, so tests use a local server). The access token travels in
the `Authorization: Bearer` header, never in a URL, so it cannot end up in a log line; an
`appsecret_proof` (HMAC-SHA256 of the token with the app secret, for apps that require it)
is sent as a parameter when the account has one.

Every failure becomes one of the four connector errors here, from the Graph error object
(`code`, `error_subcode`, `type`, `message`, `error_user_msg`, `is_transient`, `fbtrace_id`):

| Graph says                                                        | Parvis raises                          |
|-------------------------------------------------------------------|----------------------------------------|
| 190 (subcodes 458, 459, 460, 463, 464, 467), 102                   | AuthExpired                            |
| 4, 17, 32, 341, 613, 80001-80014 (throttling)                      | RateLimited(X-Business-Use-Case-Usage) |
| 9 / 2207042 (Instagram's daily publishing limit)                   | RateLimited(1 hour)                    |
| 1, 2, -1, -2, 9007 / 2207027, 24 / 2207008, is_transient, 5xx      | TransientError                         |
| timeout, connection refused, unreadable body                       | TransientError                         |
| 100 (33: no such object), 3, 10, 200-299, 368, 506, 1609005,       | PermanentError with Meta's message     |
| 9004, 36000-36004, 2207xxx, anything else                          |                                        |
| parvis.core.http.UnsafeURLError                                    | PermanentError                         |

Sources: https://developers.facebook.com/docs/graph-api/guides/error-handling,
https://developers.facebook.com/docs/graph-api/overview/rate-limiting,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes.

A write whose outcome is unknown (the answer was lost after the request left, a 5xx, an
"unknown error" code 1 or 2) raises `OutcomeUnknown`, a TransientError: the connector then
reads back before anyone sends it again, because the Graph API takes no idempotency key.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError

from parvis.core import http
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, EventKind, NetworkEvent

logger = logging.getLogger(__name__)

# https://developers.facebook.com/docs/graph-api/changelog — versions live two years; bump with the changelog.
GRAPH_VERSION = "v25.0"
GRAPH_URL = "https://graph.facebook.com"
# The Facebook Login dialog (Facebook Login for Business, manual flow).
DIALOG_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"

# When Meta throttles without saying for how long: its windows are an hour (platform) or a day (BUC).
DEFAULT_THROTTLE_WAIT = 300.0
# Instagram's publishing limit is a moving 24 hours: look again in an hour.
PUBLISHING_LIMIT_WAIT = 3600.0
# Usage (percent of a rate limit, from Meta's usage headers) from which Parvis logs a warning.
USAGE_WARNING = 80.0
# Bodies larger than this are not Graph answers Parvis needs.
MAX_BODY_BYTES = 5 * 1024 * 1024

AUTH_CODES = frozenset({102, 190})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613}) | frozenset(range(80000, 80015))
TRANSIENT_CODES = frozenset({1, 2, -1, -2})
# (code, subcode) pairs that win over the code alone.
SUBCODE_RULES: dict[tuple[int, int], str] = {
    (9, 2207042): "publishing_limit",  # "You reached maximum number of posts ... Content Publishing API"
    (4, 2207051): "permanent",  # "We restrict certain activity to protect our community" (spam suspicion)
    (9007, 2207027): "transient",  # "The media is not ready for publishing, please wait for a moment"
    (24, 2207008): "transient",  # "Temporary error publishing a container. Try again 1-2 times"
    (-2, 2207003): "transient",  # "It takes too long to download the media"
    (-1, 2207001): "transient",  # "Instagram server error. Try again."
    # Messenger Platform (https://developers.facebook.com/docs/messenger-platform/error-codes):
    (10, 2018278): "messaging_window",  # "This message is sent outside of allowed window."
    (10, 2018065): "messaging_window",  # the same refusal, for an app without the standard messaging window
    (551, 1545041): "messaging_unavailable",  # "This person isn't available right now."
}
# Subcodes of 190 that need the person on facebook.com, not only a reconnection.
CHECKPOINT_SUBCODES = frozenset({459, 464})


class PayloadError(ValueError):
    """A Graph answer did not have the shape Parvis expects."""


class OutcomeUnknown(TransientError):
    """A write left Parvis but its answer did not come back: it may or may not have happened."""


@dataclass(frozen=True)
class GraphError:
    """The error object of a Graph answer."""

    status: int
    code: int
    subcode: int
    type: str
    message: str
    user_message: str
    user_title: str
    is_transient: bool
    fbtrace_id: str

    @classmethod
    def from_body(cls, status: int, body: object) -> GraphError | None:
        if not isinstance(body, Mapping) or not isinstance(body.get("error"), Mapping):
            return None
        error: Mapping[str, Any] = body["error"]
        return cls(
            status=status,
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            type=str(error.get("type") or ""),
            message=str(error.get("message") or "").strip(),
            user_message=str(error.get("error_user_msg") or "").strip(),
            user_title=str(error.get("error_user_title") or "").strip(),
            is_transient=bool(error.get("is_transient")),
            fbtrace_id=str(error.get("fbtrace_id") or ""),
        )

    @property
    def text(self) -> str:
        """What Meta says, the message meant for people first."""
        return self.user_message or self.message or self.user_title or "no reason given"

    @property
    def not_found(self) -> bool:
        # (#100) with subcode 33: "Object with ID ... does not exist, cannot be loaded due to missing
        # permissions, or does not support this operation."
        return (self.code == 100 and self.subcode == 33) or self.status == 404


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


# --- rate limits ------------------------------------------------------------------------------


def _json_header(headers: Mapping[str, str], name: str) -> object:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _minutes(entry: object) -> float | None:
    if not isinstance(entry, Mapping):
        return None
    value = entry.get("estimated_time_to_regain_access")
    try:
        minutes = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes is not None and minutes > 0 else None


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long Meta asks us to wait, or None when its headers do not say.

    - `Retry-After` (seconds or an HTTP date), when a proxy or Meta sends it;
    - `X-Business-Use-Case-Usage`: {"<business object id>": [{"type": "pages", "call_count": 100,
      ..., "estimated_time_to_regain_access": 19}]}, the wait in minutes, for Page and Instagram
      tokens (Business Use Case rate limits);
    - `X-Page-Usage` / `X-Ad-Account-Usage` objects carrying the same field.
    `X-App-Usage` ({"call_count": 100, "total_time": 25, "total_cputime": 25}, percentages of a
    rolling hour) never says how long: it counts only as "throttled, duration unknown".
    """
    waits: list[float] = []
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after:
        try:
            waits.append(max(0.0, float(retry_after)))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
                waits.append(max(0.0, when.timestamp() - (time.time() if now is None else now)))
            except (TypeError, ValueError):
                pass
    business = _json_header(headers, "X-Business-Use-Case-Usage")
    if isinstance(business, Mapping):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                minutes = _minutes(entry)
                if minutes is not None:
                    waits.append(minutes)
    for name in ("X-Page-Usage", "X-Ad-Account-Usage"):
        minutes = _minutes(_json_header(headers, name))
        if minutes is not None:
            waits.append(minutes)
    return max(waits) if waits else None


def usage_percent(headers: Mapping[str, str]) -> float:
    """The highest usage Meta reports in its usage headers (100 means throttled); 0 without headers."""
    highest = 0.0
    values: list[object] = []
    app = _json_header(headers, "X-App-Usage")
    if isinstance(app, Mapping):
        values.append(app)
    business = _json_header(headers, "X-Business-Use-Case-Usage")
    if isinstance(business, Mapping):
        for entries in business.values():
            values.extend(entries if isinstance(entries, list) else [entries])
    for value in values:
        if isinstance(value, Mapping):
            for key in ("call_count", "total_time", "total_cputime"):
                try:
                    highest = max(highest, float(value.get(key) or 0))
                except (TypeError, ValueError):
                    continue
    return highest


# --- error mapping ------------------------------------------------------------------------------


def error_for(error: GraphError, headers: Mapping[str, str], *, service: str) -> ConnectorError:
    """The connector error for a Graph error object. The one place Graph codes are read."""
    logger.info(
        "%s Graph error %s/%s (%s) fbtrace_id=%s: %s",
        service,
        error.code,
        error.subcode,
        error.type,
        error.fbtrace_id,
        error.message,
    )
    rule = SUBCODE_RULES.get((error.code, error.subcode))
    if rule == "publishing_limit":
        return RateLimited(
            f"{service} allows a limited number of posts a day through its API and this account has reached it "
            f"({error.text}). Parvis will try again in an hour.",
            retry_after=PUBLISHING_LIMIT_WAIT,
        )
    if rule == "messaging_window":
        return PermanentError(
            f"{service} only lets a Page answer a private message within 24 hours of the person's last "
            "message, and that time is over. Answer them in the Facebook app, or wait until they write again."
        )
    if rule == "messaging_unavailable":
        return PermanentError(f"{service} cannot deliver private messages to this person now ({error.text}).")
    if rule == "transient":
        return TransientError(f"{service} could not do it yet ({error.text}); Parvis will try again.")
    if rule == "permanent":
        return PermanentError(f"{service} refused it: {error.text}")
    if error.code in AUTH_CODES:
        if error.subcode in CHECKPOINT_SUBCODES:
            return AuthExpired(
                f"{service} asks the person who connected this account to sign in on facebook.com first "
                f"({error.message or 'security check'}); then reconnect the account."
            )
        return AuthExpired(
            f"{service} no longer accepts this account's access ({error.message or 'token expired'}): "
            "reconnect the account."
        )
    if error.code in RATE_LIMIT_CODES:
        wait = retry_after_seconds(headers)
        if wait is None:
            wait = DEFAULT_THROTTLE_WAIT
        return RateLimited(
            f"{service} asks Parvis to slow down ({error.message or 'too many calls'}); "
            f"it will try again in {round(wait / 60) or 1} minutes.",
            retry_after=wait,
        )
    if error.code in TRANSIENT_CODES or (error.status >= 500 and error.code not in {100, 506, 368}):
        return TransientError(
            f"{service} is having trouble ({error.message or f'error {error.status}'}); Parvis will try again later."
        )
    if error.not_found:
        return PermanentError(f"This no longer exists on {service}, or this account cannot see it ({error.message}).")
    if error.code == 506:
        return PermanentError(f"{service} refused a duplicate: {error.text}")
    if error.code == 368:
        return PermanentError(f"{service} has temporarily blocked this account from doing this: {error.text}")
    if error.code == 10 or 200 <= error.code <= 299:
        return PermanentError(
            f"{service} refused it for lack of permission ({error.message}). "
            "Reconnect the account and allow every permission Parvis asks for."
        )
    if error.is_transient:
        return TransientError(f"{service} could not do it now ({error.text}); Parvis will try again later.")
    return PermanentError(f"{service} refused it: {error.text}")


# --- the client ----------------------------------------------------------------------------------


def _connect_failure(error: BaseException) -> bool:
    """True when the request never reached the server (nothing can have happened there)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return True
        seen.add(id(current))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            current = reason
            continue
        current = current.__cause__ or current.__context__ or (current.args[0] if current.args else None)
        if not isinstance(current, BaseException):
            current = None
    return False


class GraphClient:
    """Calls to the Graph API for one token. Use as a context manager."""

    def __init__(
        self,
        base_url: str = "",
        access_token: str = "",
        *,
        service: str = "Facebook",
        appsecret_proof: str = "",
        timeout: float | None = None,
    ) -> None:
        self.base_url = (base_url or GRAPH_URL).rstrip("/")
        self.service = service
        self._token = access_token
        self._proof = appsecret_proof
        self._session = http.session(timeout=timeout if timeout is not None else float(settings.PARVIS_HTTP_TIMEOUT))
        self.last_headers: Mapping[str, str] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def url(self, path: str) -> str:
        return f"{self.base_url}/{GRAPH_VERSION}/{path.lstrip('/')}"

    # --- verbs

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", path, params=params, write=False)

    def post(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        return self._call("POST", path, data=data, files=files, write=True)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._call("DELETE", path, params=params, write=True)

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, max_pages: int = 5
    ) -> Iterator[list[dict[str, Any]]]:
        """The `data` list of each page of an edge, following `paging.cursors.after` while `paging.next` exists.

        Parvis builds the next request itself from the cursor rather than calling `paging.next`,
        an absolute URL chosen by the server (with the token in it).
        """
        query = dict(params or {})
        for _ in range(max_pages):
            body = self.get(path, query)
            data = body.get("data", [])
            if not isinstance(data, list):
                raise self._unreadable("a list without data")
            yield [item for item in data if isinstance(item, dict)]
            after = next_cursor(body)
            if not after:
                return
            query["after"] = after

    # --- plumbing

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        write: bool,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        query = dict(params or {})
        body = dict(data or {})
        if self._proof:
            (body if method == "POST" else query)["appsecret_proof"] = self._proof
        try:
            response = self._session.request(
                method,
                self.url(path),
                params=query or None,
                data=body or None,
                files=files or None,
                headers=headers,
                stream=True,
            )
            raw = http.read_limited(response, max_bytes=MAX_BODY_BYTES, max_seconds=120)
        except http.UnsafeURLError as error:
            raise PermanentError(f"Parvis does not connect to this address: {error}") from error
        except requests.exceptions.RequestException as error:
            raise self._network_error(error, write=write) from error
        self.last_headers = response.headers
        usage = usage_percent(response.headers)
        if usage >= USAGE_WARNING:
            logger.warning("%s rate limit usage at %s%% (%s %s)", self.service, round(usage), method, path)
        return self._answer(response.status_code, raw, response.headers, write=write)

    def _answer(self, status: int, raw: bytes, headers: Mapping[str, str], *, write: bool) -> dict[str, Any]:
        try:
            body: object = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        error = GraphError.from_body(status, body)
        if error is not None:
            mapped = error_for(error, headers, service=self.service)
            if write and isinstance(mapped, TransientError) and (error.code in {1, 2} or status >= 500):
                raise OutcomeUnknown(mapped.message)
            raise mapped
        if status >= 500 or status == 429:
            if status == 429:
                wait = retry_after_seconds(headers)
                raise RateLimited(
                    f"{self.service} asks Parvis to slow down; it will try again later.",
                    retry_after=wait if wait is not None else DEFAULT_THROTTLE_WAIT,
                )
            message = f"{self.service} is having trouble (error {status}); Parvis will try again later."
            raise OutcomeUnknown(message) if write else TransientError(message)
        if status >= 400:
            raise PermanentError(f"{self.service} refused it (error {status}).")
        if body is True:  # a few endpoints still answer a bare `true`
            return {"success": True}
        if not isinstance(body, dict):
            message = f"{self.service} sent an answer Parvis could not read; Parvis will try again later."
            raise OutcomeUnknown(message) if write else TransientError(message)
        return body

    def _network_error(self, error: requests.exceptions.RequestException, *, write: bool) -> TransientError:
        if isinstance(error, requests.exceptions.Timeout) and not isinstance(error, requests.exceptions.ConnectTimeout):
            message = f"{self.service} did not answer in time; Parvis will try again later."
        else:
            message = f"{self.service} could not be reached; Parvis will try again later."
        if write and not _connect_failure(error):
            return OutcomeUnknown(message)
        return TransientError(message)

    def _unreadable(self, detail: str) -> TransientError:
        return TransientError(f"{self.service} sent an answer Parvis could not read ({detail}); it will try again.")


def same_text(published: str, wanted: str) -> bool:
    """The text Facebook or Instagram stored is the text Parvis sent (line endings and edges aside)."""

    def norm(value: str) -> str:
        return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").strip().split("\n"))

    return norm(published) == norm(wanted)


# Ids of the events delivered in the overlap window, kept in the cursor so a poll does not hand
# the same comment to the inbox twice (the inbox would store it once anyway).
CURSOR_SEEN = "seen"
MAX_SEEN = 500


def without_seen(
    events: list[NetworkEvent], cursor: Mapping[str, Any], *, window_start: Mapping[EventKind, datetime]
) -> tuple[list[NetworkEvent], list[str]]:
    """The events not delivered by the previous poll, oldest first, and the ids to remember for the next one.

    A poll reads from a little before its cursor (Graph indexes with a delay); the events of
    that overlap delivered last time are in `cursor["seen"]`. The ids remembered are those
    at or after `window_start` of their kind: the next poll's overlap.
    """
    before = cursor.get(CURSOR_SEEN)
    seen_before = {str(item) for item in before} if isinstance(before, list) else set()
    fresh = sorted((event for event in events if event.external_id not in seen_before), key=lambda e: e.occurred_at)
    remember = [
        event.external_id
        for event in sorted(events, key=lambda e: e.occurred_at, reverse=True)
        if event.kind in window_start and event.occurred_at >= window_start[event.kind]
    ]
    return fresh, sorted(set(remember[:MAX_SEEN]))


def next_cursor(body: Mapping[str, Any]) -> str:
    """The `after` cursor of a page when there is a next page, else ""."""
    paging = body.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return ""
    cursors = paging.get("cursors")
    if not isinstance(cursors, Mapping):
        return ""
    return str(cursors.get("after") or "")


# --- Facebook Login: tokens and pages ----------------------------------------------------------------


@dataclass(frozen=True)
class LongLivedToken:
    access_token: str
    expires_in: int | None


def exchange_long_lived_token(
    *, base_url: str = "", client_id: str, client_secret: str, short_lived_token: str
) -> LongLivedToken:
    """Trade a short-lived user token for a long-lived one (about 60 days).

    GET /oauth/access_token?grant_type=fb_exchange_token&client_id=...&client_secret=...
    &fb_exchange_token=... answers {"access_token": "...", "token_type": "bearer", "expires_in": 5183944}.
    Page tokens read with a long-lived user token do not expire.
    https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
    """
    with GraphClient(base_url) as client:
        body = client.get(
            "oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": client_secret,
                "fb_exchange_token": short_lived_token,
            },
        )
    token = str(body.get("access_token") or "")
    if not token:
        raise TransientError("Facebook did not send a long-lived token; start again.")
    expires = body.get("expires_in")
    return LongLivedToken(access_token=token, expires_in=_int(expires) if expires is not None else None)


PAGE_FIELDS = "id,name,username,link,access_token,tasks,instagram_business_account{id,username,name}"


def managed_pages(*, base_url: str = "", user_token: str, max_pages: int = 10) -> list[dict[str, Any]]:
    """The Pages the person manages, with their Page tokens and linked Instagram professional accounts.

    GET /me/accounts?fields=id,name,...,access_token,tasks,instagram_business_account{...}
    https://developers.facebook.com/docs/graph-api/reference/user/accounts/
    """
    found: list[dict[str, Any]] = []
    with GraphClient(base_url, user_token) as client:
        for page in client.pages("me/accounts", {"fields": PAGE_FIELDS, "limit": 100}, max_pages=max_pages):
            found.extend(page)
    return found


__all__ = [
    "DIALOG_URL",
    "GRAPH_URL",
    "GRAPH_VERSION",
    "GraphClient",
    "GraphError",
    "LongLivedToken",
    "OutcomeUnknown",
    "PayloadError",
    "error_for",
    "exchange_long_lived_token",
    "managed_pages",
    "next_cursor",
    "retry_after_seconds",
    "same_text",
    "usage_percent",
    "without_seen",
]


def client_for(account: AccountRef, *, service: str, what: str) -> GraphClient:
    """A Graph client with the account's token (and its appsecret_proof, when the app secret is known).

    `what` names the account in the error, e.g. "This Facebook Page".
    """
    token = str(account.credentials.get("access_token") or "")
    if not token:
        raise AuthExpired(f"{what} has no access token: reconnect it.")
    return GraphClient(
        account.instance_url or GRAPH_URL,
        token,
        service=service,
        appsecret_proof=str(account.credentials.get("appsecret_proof") or ""),
    )
