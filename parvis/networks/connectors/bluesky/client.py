"""The atproto SDK on Parvis's HTTP session, its session kept in the account, its errors turned into ours.

The SDK's own transport is httpx; `ParvisRequest` replaces it with a session from
`parvis.core.http` (timeouts, User-Agent, private addresses refused unless allowed, checked
again on the connected socket), so every URL, the PDS endpoint found in a DID document included,
goes through `check_url`.

The account's credentials are the session of an app-password login (access and refresh
JWTs, DID, handle, PDS endpoint), never the password itself. The SDK refreshes the session
before the access token expires; `BlueskyClient` also refreshes once when the PDS answers
that the token expired or is invalid, and hands every new session to `AccountRef.save_credentials`
at once (refresh tokens rotate: the old one stops working).

Every call goes through `BlueskyClient.call`, and every SDK error through `translate_error`,
the one place that decides what a failure means:

| the PDS or the transport says                              | Parvis raises                               |
|------------------------------------------------------------|---------------------------------------------|
| ExpiredToken / InvalidToken (after one refresh)            | AuthExpired                                 |
| 401 / 403, AccountTakedown, AccountDeactivated, refresh refused | AuthExpired                            |
| 429                                                        | RateLimited(ratelimit-reset or Retry-After) |
| 5xx (502 included), timeout, connection refused            | TransientError                              |
| an answer that is not what the lexicon says                | TransientError                              |
| 400 InvalidRequest, RecordNotFound, 413 and other 4xx      | PermanentError with Bluesky's own message   |
| 501 MethodNotImplemented, 404 without an XRPC error        | PermanentError (not a Bluesky server)       |
| AuthFactorTokenRequired                                    | PermanentError (use an app password)        |
| parvis.core.http.UnsafeURLError                            | PermanentError                              |
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import requests
from atproto import Client
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.models.dot_dict import DotDict
from atproto_client.request import Request, RequestBase, Response
from atproto_core.exceptions import AtProtocolError
from django.conf import settings

from parvis.core import http
from parvis.networks.connectors.bluesky.schemas import PayloadError
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError

T = TypeVar("T")

DEFAULT_SERVICE = "https://bsky.social"
JSON = "application/json"

# XRPC error names meaning "this access token is no good": refresh the session once, then give up.
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
# Error names meaning the account itself cannot be used any more.
ACCOUNT_ERRORS = frozenset({"AccountTakedown", "AccountDeactivated", "AccountSuspended"})


# --- the transport --------------------------------------------------------------------------------


class ParvisRequest(Request):  # type: ignore[misc]  # the SDK ships no type information
    """The SDK's `Request`, sending through `parvis.core.http.session()` instead of httpx."""

    def __init__(self, timeout: float | None = None) -> None:
        RequestBase.__init__(self)  # not Request.__init__: it would open an httpx client
        self._timeout = float(timeout if timeout is not None else settings.PARVIS_HTTP_TIMEOUT)
        self._session = http.session(timeout=self._timeout)

    def _new_instance(self) -> Self:
        return type(self)(self._timeout)

    def close(self) -> None:
        self._session.close()

    def get(self, *args: Any, **kwargs: Any) -> Response:
        return self._send("GET", *args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Response:
        return self._send("POST", *args, **kwargs)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        content: bytes | str | None = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        **_ignored: Any,
    ) -> Response:
        body = content if content is not None else data
        if isinstance(body, str):
            body = body.encode("utf-8")  # requests would send a str body as Latin-1
        try:
            answer = self._session.request(
                method,
                url,
                params=_query_params(params),
                data=body,
                headers=self.get_headers(headers),
                timeout=self._timeout,
                allow_redirects=True,
            )
        except http.UnsafeURLError:
            raise
        except requests.Timeout as error:
            raise InvokeTimeoutError() from error
        except requests.RequestException as error:
            raise NetworkError() from error
        return _response(answer)


def _query_params(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """XRPC query parameters: lists repeated, booleans as "true"/"false", None left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            pairs.append((key, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return pairs


def _response(answer: requests.Response) -> Response:
    """The SDK's Response for a requests answer; raises the SDK's errors as its own transport does."""
    headers = {key.lower(): value for key, value in answer.headers.items()}
    content: Any = answer.content
    if 200 <= answer.status_code <= 299:
        if JSON in headers.get("content-type", "").lower():
            try:
                content = json.loads(answer.content)
            except ValueError as error:
                raise ModelError(f"The answer is not JSON: {error}") from error
        return Response(success=True, status_code=answer.status_code, content=content, headers=headers)
    error_response = Response(success=False, status_code=answer.status_code, content=content, headers=headers)
    xrpc = _xrpc_error(answer.content)
    if xrpc is not None:
        error_response.content = xrpc
    code = answer.status_code
    if code in {401, 403}:
        raise UnauthorizedError(error_response)
    if code == 400:
        raise BadRequestError(error_response)
    if code == 429:
        raise RateLimitExceededError(error_response)
    if code in {409, 413, 502}:
        raise NetworkError(error_response)
    raise RequestException(error_response)


def _xrpc_error(body: bytes) -> XrpcError | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("error"), str):
        return None
    message = data.get("message")
    return XrpcError(error=data["error"], message=str(message) if message is not None else None)


# --- errors -----------------------------------------------------------------------------------------


def service_host(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or url).lower()
    return f"{host}:{parts.port}" if parts.port else host


def xrpc_error_name(error: BaseException) -> str:
    """The XRPC error name of an SDK error ("ExpiredToken", "InvalidRequest"...), or ""."""
    response = getattr(error, "response", None)
    content = getattr(response, "content", None)
    return content.error if isinstance(content, XrpcError) else ""


def _xrpc_message(error: RequestErrorBase) -> str:
    content = error.response.content if error.response is not None else None
    if isinstance(content, XrpcError):
        return (content.message or content.error or "").strip()
    return ""


def is_token_error(error: BaseException) -> bool:
    """The PDS refuses the access token itself (expired, revoked, signed by another key)."""
    return isinstance(error, BadRequestError | UnauthorizedError) and xrpc_error_name(error) in TOKEN_ERRORS


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long the PDS asks us to wait: Retry-After (seconds or a date), else ratelimit-reset (epoch seconds).

    ratelimit-reset is read against the server's own Date header when there is one, so a clock
    difference between the two machines does not matter. None when the server did not say.
    """
    current = time.time() if now is None else now
    lowered = {key.lower(): value for key, value in headers.items()}
    retry_after = (lowered.get("retry-after") or "").strip()
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - current)
            except (TypeError, ValueError):
                pass
    reset = (lowered.get("ratelimit-reset") or "").strip()
    try:
        reset_at = float(reset)
    except ValueError:
        return None
    server_now = current
    if lowered.get("date"):
        try:
            server_now = email.utils.parsedate_to_datetime(lowered["date"]).timestamp()
        except (TypeError, ValueError):
            server_now = current
    return max(0.0, reset_at - server_now)


def _unsafe_url(error: BaseException) -> http.UnsafeURLError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, http.UnsafeURLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def translate_error(error: BaseException, *, host: str) -> ConnectorError:
    """The connector error for an SDK or transport error (see the table in the module docstring)."""
    if isinstance(error, ConnectorError):
        return error
    unsafe = _unsafe_url(error)
    if unsafe is not None:
        return PermanentError(f"Parvis does not connect to this address: {unsafe}")
    if isinstance(error, InvokeTimeoutError):
        return TransientError(f"{host} did not answer in time; Parvis will try again later.")
    if isinstance(error, RequestErrorBase):
        return _translate_response_error(error, host=host)
    if isinstance(error, LoginRequiredError):
        return AuthExpired(f"This Bluesky account has no session on {host}: reconnect it.")
    if isinstance(error, ModelError | PayloadError):
        return TransientError(f"{host} sent an answer Parvis could not read ({error}); Parvis will try again later.")
    if isinstance(error, AtProtocolError):
        return PermanentError(f"Bluesky refused the request: {error}")
    return TransientError(f"Unexpected answer from {host}: {error}")


def _translate_response_error(error: RequestErrorBase, *, host: str) -> ConnectorError:
    response = error.response
    if response is None:  # the transport failed before any answer
        return TransientError(f"{host} could not be reached; Parvis will try again later.")
    code = response.status_code
    name = xrpc_error_name(error)
    detail = _xrpc_message(error)
    said = f" ({detail})" if detail else ""
    if code == 429 or isinstance(error, RateLimitExceededError):
        wait = retry_after_seconds(response.headers)
        if wait is None:
            return RateLimited(f"{host} asks Parvis to slow down; it will try again later.", retry_after=None)
        return RateLimited(
            f"{host} asks Parvis to slow down; it will try again in {round(wait)} seconds.", retry_after=wait
        )
    if code == 501 or name == "MethodNotImplemented":
        return PermanentError(f"{host} does not offer this ({name or 'error 501'}): it may not be a Bluesky server.")
    if code >= 500:
        return TransientError(f"{host} is having trouble (error {code}); Parvis will try again later.")
    if name in TOKEN_ERRORS:
        return AuthExpired(
            f"{host} no longer accepts this account's session (expired or revoked){said}: reconnect the account."
        )
    if name in ACCOUNT_ERRORS:
        return AuthExpired(f"{host} says this account cannot be used{said}: reconnect it once it is restored.")
    if name == "AuthFactorTokenRequired":
        return PermanentError(
            "This account asks for a code sent by e-mail at sign-in. Create an app password in Bluesky "
            "(Settings, Privacy and security, App passwords) and use it instead of the account's password."
        )
    if code in {401, 403}:
        return AuthExpired(f"{host} refused the credentials{said}: reconnect the account.")
    if code == 404 and not name:
        return PermanentError(f"{host} does not answer like a Bluesky server (error 404).")
    if code == 413 or name == "PayloadTooLarge":
        return PermanentError(f"Bluesky refused a file that is too large{said}.")
    if name or detail:
        return PermanentError(f"Bluesky refused it: {detail or name}")
    return PermanentError(f"Bluesky refused it (error {code}).")


# --- the client --------------------------------------------------------------------------------------


def credentials_of(session: Session) -> dict[str, str]:
    """What Parvis stores for an account: its session, never its password."""
    return {
        "did": str(session.did),
        "handle": str(session.handle),
        "access_jwt": str(session.access_jwt),
        "refresh_jwt": str(session.refresh_jwt),
        "pds_endpoint": str(session.pds_endpoint or ""),
    }


class BlueskyClient:
    """The SDK client of one account, on Parvis's HTTP session. Use as a context manager."""

    def __init__(
        self,
        service_url: str,
        *,
        credentials: Mapping[str, Any] | None = None,
        save_credentials: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.service_url = (service_url or DEFAULT_SERVICE).rstrip("/")
        self.host = service_host(self.service_url)
        self.credentials: dict[str, Any] = dict(credentials or {})
        self._save = save_credentials
        self._request = ParvisRequest()
        self.api = Client(base_url=self.service_url, request=self._request)
        self.api.on_session_change(self._session_changed)
        self._refreshed = False
        if self.credentials.get("refresh_jwt"):
            session = Session(
                handle=str(self.credentials.get("handle") or ""),
                did=str(self.credentials.get("did") or ""),
                access_jwt=str(self.credentials.get("access_jwt") or ""),
                refresh_jwt=str(self.credentials["refresh_jwt"]),
                pds_endpoint=str(self.credentials.get("pds_endpoint") or self.service_url),
            )
            with self.translate_errors():
                self.api.login(session_string=session.export(), fetch_bsky_profile=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._request.close()

    @property
    def did(self) -> str:
        return str(self.credentials.get("did") or "")

    @property
    def has_session(self) -> bool:
        return bool(self.credentials.get("refresh_jwt"))

    # --- session ------------------------------------------------------------------------------

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        if event == SessionEvent.IMPORT:
            return
        self.credentials = {**self.credentials, **credentials_of(session)}
        if self._save is not None:
            self._save(dict(self.credentials))

    def login(self, identifier: str, password: str) -> dict[str, Any]:
        """Sign in with a handle (or DID, or e-mail) and an app password; returns the new credentials."""
        with self.translate_errors():
            self.api.login(identifier.strip().lstrip("@"), password.strip(), fetch_bsky_profile=False)
        return dict(self.credentials)

    def refresh(self) -> None:
        """Trade the refresh token for a new session (the SDK does it itself shortly before expiry)."""
        if not self.has_session:
            raise AuthExpired("This Bluesky account has no session: reconnect it.")
        try:
            with self.translate_errors():
                answer = self.api.invoke_procedure(
                    "com.atproto.server.refreshSession",
                    headers={"Authorization": f"Bearer {self.credentials['refresh_jwt']}"},
                    ignore_session_check=True,
                )
        except (AuthExpired, PermanentError) as error:
            raise AuthExpired(
                f"{self.host} no longer accepts this account's session ({error.message}): reconnect the account."
            ) from error
        content = answer.content if isinstance(answer.content, dict) else {}
        if not content.get("accessJwt") or not content.get("refreshJwt"):
            raise TransientError(f"{self.host} sent a session Parvis could not read; Parvis will try again later.")
        session = Session(
            handle=str(content.get("handle") or self.credentials.get("handle") or ""),
            did=str(content.get("did") or self.did),
            access_jwt=str(content["accessJwt"]),
            refresh_jwt=str(content["refreshJwt"]),
            pds_endpoint=str(self.credentials.get("pds_endpoint") or self.service_url),
        )
        with self.translate_errors():
            self.api.login(session_string=session.export(), fetch_bsky_profile=False)
        self._session_changed(SessionEvent.REFRESH, session)

    # --- calls --------------------------------------------------------------------------------

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        try:
            yield
        except ConnectorError:
            raise
        except (AtProtocolError, PayloadError, http.UnsafeURLError, requests.RequestException) as error:
            raise translate_error(error, host=self.host) from error

    def call(self, function: Callable[[], T]) -> T:
        """Run one SDK call; on a refused access token, refresh the session once and run it again."""
        with self.translate_errors():
            try:
                return function()
            except (BadRequestError, UnauthorizedError) as error:
                if self._refreshed or not self.has_session or not is_token_error(error):
                    raise
        self._refreshed = True
        self.refresh()
        with self.translate_errors():
            return function()

    def query(self, nsid: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET an XRPC query; the JSON answer."""
        clean = {key: value for key, value in (params or {}).items() if value is not None}
        response = self.call(lambda: self.api.invoke_query(nsid, params=DotDict(clean) if clean else None))
        return _json_object(response, nsid)

    def get_record(self, repo: str, collection: str, rkey: str) -> dict[str, Any] | None:
        """com.atproto.repo.getRecord through the account's PDS (which asks its AppView for other
        repositories); None when the record is not there."""
        params = DotDict({"repo": repo, "collection": collection, "rkey": rkey})

        def read() -> Response | None:
            try:
                return self.api.invoke_query("com.atproto.repo.getRecord", params=params)
            except BadRequestError as error:
                if xrpc_error_name(error) == "RecordNotFound" or "Could not locate record" in _xrpc_message(error):
                    return None
                raise

        response = self.call(read)
        return None if response is None else _json_object(response, "com.atproto.repo.getRecord")

    def procedure(self, nsid: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST an XRPC procedure with a JSON body; the JSON answer ({} when there is none)."""
        response = self.call(lambda: self.api.invoke_procedure(nsid, data=DotDict(dict(body)), input_encoding=JSON))
        return _json_object(response, nsid, allow_empty=True)

    def upload(self, data: bytes, mime_type: str) -> dict[str, Any]:
        """Upload a blob; its reference, to put in a record."""
        nsid = "com.atproto.repo.uploadBlob"
        response = self.call(lambda: self.api.invoke_procedure(nsid, data=data, input_encoding=mime_type))
        content = _json_object(response, nsid)
        blob = content.get("blob")
        if not isinstance(blob, dict):
            raise TransientError(f"{self.host} did not say where the uploaded image is; Parvis will try again later.")
        return blob


def _json_object(response: Response, nsid: str, *, allow_empty: bool = False) -> dict[str, Any]:
    content = response.content
    if isinstance(content, dict):
        return content
    if allow_empty and not content:
        return {}
    raise PayloadError(f"{nsid} did not answer with a JSON object")
