"""Mastodon's user stream (Server-Sent Events), read as NetworkEvents for `parvis.networks.streaming`.

GET /api/v1/streaming/user with the account's token holds a `text/event-stream` open; the
server writes `event: notification` / `data: {...}` records for each notification (the same
JSON as GET /api/v1/notifications), other events (`update`, `delete`, `conversation`...) that
Parvis does not need, and a comment line (":thump") every ~15 s to keep the connection alive.
mastodon-mock serves the same endpoint (its `routers/streaming.py`).

The streaming server can live on another host: its address is read from GET /api/v2/instance
(`configuration.urls.streaming`, a ws:// or wss:// URL turned into http(s)://); without one,
the instance's own address is used.

Each notification goes through the poll's own `event_for`, so a streamed event is exactly the
event the poll makes of the same notification (same external id: stored once). A silence longer
than `idle_timeout` (no keep-alive) counts as a drop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings

from parvis.core import http
from parvis.networks.connectors.mastodon.client import instance_host, retry_after_seconds
from parvis.networks.connectors.mastodon.schemas import MastodonNotification, PayloadError
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, NetworkEvent

logger = logging.getLogger(__name__)

STREAM_PATH = "/api/v1/streaming/user"
# Mastodon sends a keep-alive every 15 s: four missed in a row and the connection is dead.
IDLE_TIMEOUT_SECONDS = 60.0
CHUNK_BYTES = 1024


def streaming_base(session: requests.Session, instance_url: str, timeout: float) -> str:
    """Where the instance's streaming API is: its `configuration.urls.streaming`, else the instance itself."""
    base = instance_url.rstrip("/")
    try:
        answer = session.get(f"{base}/api/v2/instance", timeout=timeout)
        data = answer.json() if answer.ok else {}
    except (requests.RequestException, ValueError):
        return base
    urls = (data.get("configuration") or {}).get("urls") if isinstance(data, dict) else None
    streaming = urls.get("streaming") if isinstance(urls, dict) else None
    if not isinstance(streaming, str) or not streaming:
        return base
    parts = urlsplit(streaming)
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    if scheme not in {"http", "https"} or not parts.netloc:
        return base
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class MastodonStream:
    """One open user stream. Iterate for events (None for keep-alives and events Parvis skips)."""

    def __init__(self, account: AccountRef, *, own_id: str, idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        self.account = account
        self.own_id = own_id
        self.host = instance_host(account.instance_url) or account.instance_url
        self.idle_timeout = idle_timeout
        self._session = http.session(timeout=float(settings.PARVIS_HTTP_TIMEOUT))
        self._response: requests.Response | None = None
        self._closed = threading.Event()

    def open(self) -> MastodonStream:
        token = str(self.account.credentials.get("access_token") or "")
        if not token:
            raise AuthExpired("This Mastodon account has no access token: reconnect it.")
        connect_timeout = float(settings.PARVIS_HTTP_TIMEOUT)
        base = streaming_base(self._session, self.account.instance_url, connect_timeout)
        try:
            response = self._session.get(
                f"{base}{STREAM_PATH}",
                headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"},
                stream=True,
                timeout=(connect_timeout, self.idle_timeout),
            )
        except http.UnsafeURLError as error:
            self.close()
            raise PermanentError(f"Parvis does not connect to this address: {error}") from error
        except requests.RequestException as error:
            self.close()
            raise TransientError(f"{self.host}'s stream could not be reached; Parvis will try again.") from error
        if response.status_code != 200:
            self.close()
            raise self._refusal(response)
        self._response = response
        return self

    def _refusal(self, response: requests.Response) -> ConnectorError:
        code = response.status_code
        response.close()
        if code == 401:
            return AuthExpired(f"{self.host} does not accept this account's access token: reconnect the account.")
        if code == 429:
            wait = retry_after_seconds(response.headers)
            return RateLimited(f"{self.host} asks Parvis to slow down its stream.", retry_after=wait)
        if code == 404:
            return PermanentError(f"{self.host} does not offer streaming; Parvis polls this account instead.")
        if code >= 500:
            return TransientError(f"{self.host}'s stream is having trouble (error {code}); Parvis will try again.")
        return PermanentError(f"{self.host} refused the stream (error {code}).")

    def close(self) -> None:
        """End the stream from any thread: the blocked read returns (or fails) at once."""
        self._closed.set()
        response, self._response = self._response, None
        if response is not None:
            sock = _socket_of(response)
            if sock is not None:  # closing the response alone leaves a read blocked until the next keep-alive
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            try:
                response.close()
            except Exception:  # a connection half torn down already
                logger.debug("closing the Mastodon stream failed", exc_info=True)
        self._session.close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> Iterator[NetworkEvent | None]:
        response = self._response
        if response is None:
            return
        name = ""
        data: list[str] = []
        try:
            for line in _lines(response):
                if self._closed.is_set():
                    return
                if not line:  # the end of a record
                    if name or data:
                        yield self._event(name, "\n".join(data))
                    name, data = "", []
                    continue
                if line.startswith(":"):  # a comment: the keep-alive
                    yield None
                    continue
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)
        except Exception as error:
            if self._closed.is_set():
                return
            if isinstance(error, ConnectorError):
                raise
            raise TransientError(f"{self.host}'s stream dropped; Parvis reconnects.") from error
        if not self._closed.is_set():
            raise TransientError(f"{self.host} ended the stream; Parvis reconnects.")

    def _event(self, name: str, data: str) -> NetworkEvent | None:
        if name != "notification":
            return None
        from parvis.networks.connectors.mastodon.connector import event_for

        try:
            payload: Any = json.loads(data)
            notification = MastodonNotification.from_api(payload)
        except (ValueError, PayloadError):
            logger.warning("Mastodon stream of %s sent a notification Parvis cannot read; skipped", self.host)
            return None
        return event_for(notification, own_id=self.own_id, host=self.host)


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket under a streamed response (urllib3's connection, or http.client's reader)."""
    raw: Any = response.raw
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    reader = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _lines(response: requests.Response) -> Iterator[str]:
    """The stream's lines as they arrive (each chunk is handed over as soon as it is read)."""
    pending = b""
    for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
        if not chunk:
            continue
        pending += chunk
        while True:
            cut = pending.find(b"\n")
            if cut < 0:
                break
            line, pending = pending[:cut], pending[cut + 1 :]
            yield line.rstrip(b"\r").decode("utf-8", errors="replace")
