"""The one outbound HTTP module.

Every request Parvis sends to the outside world goes through a session made
here: mandatory timeouts, a User-Agent, retries only for idempotent requests
on connection failures, and refusal of user-supplied URLs that resolve to
private, loopback, link-local or reserved addresses, unless the operator lists
the host in PARVIS_PRIVATE_HOSTS_ALLOWED (the demo and the tests list
127.0.0.1 and localhost for their local network servers).

Addresses are checked twice: before the request (so nothing is sent to a
refused host, redirects included) and on the socket actually connected, so a
name that resolves to a public address for the check and to a private one for
the connection (DNS rebinding) is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as urllib3_exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

USER_AGENT = "Parvis/0.1 (+https://parvis.example/bot)"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UnsafeURLError(requests.exceptions.InvalidURL):
    """The URL is not allowed: wrong scheme, or it resolves to a private address."""


class ResponseTooLarge(requests.exceptions.RequestException):
    """The response body is larger than the caller accepts."""


class ResponseTooSlow(requests.exceptions.Timeout):
    """The response body kept coming for longer than the caller accepts."""


def _allowed_private_hosts() -> set[str]:
    return {host.lower() for host in settings.PARVIS_PRIVATE_HOSTS_ALLOWED}


def _host_allowed(host: str) -> bool:
    allowed = _allowed_private_hosts()
    return "*" in allowed or host.lower() in allowed


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def _refusal(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return (
        f"{host} resolves to the non-public address {address}; "
        "an operator can allow it with PARVIS_PRIVATE_HOSTS_ALLOWED"
    )


def _resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (a seam for tests that simulate DNS answers)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port)]


def check_url(url: str) -> None:
    """Raise UnsafeURLError unless `url` is http(s) and reaches only public addresses (or an allowed host)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURLError(f"Only http and https URLs are allowed, not {parts.scheme or 'none'!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURLError("The URL has no host")
    if _host_allowed(host):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURLError(f"The URL has an invalid port: {exc}") from exc
    try:
        addresses = _resolve(host, port)
    except socket.gaierror as exc:
        raise requests.exceptions.ConnectionError(f"Cannot resolve host {host!r}: {exc}") from exc
    for text in addresses:
        address = ipaddress.ip_address(text)
        if not _is_public(address):
            raise UnsafeURLError(_refusal(host, address))


class _PeerRefused(Exception):
    """Raised from inside urllib3, turned into UnsafeURLError by the adapter.

    Deliberately not an OSError: urllib3 would wrap it in a generic connection error and retry.
    """


def _check_peer(host: str, sock: socket.socket) -> None:
    if _host_allowed(host):
        return
    peer = sock.getpeername()[0]
    address = ipaddress.ip_address(peer.split("%", 1)[0])
    if not _is_public(address):
        sock.close()
        raise _PeerRefused(_refusal(host, address))


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(self.host, sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(self.host, sock)
        return sock


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _IdempotentRetry(Retry):
    """Retries connection failures of idempotent requests only.

    urllib3 retries a failed connection whatever the method. Writes are retried by
    the Action outbox instead (backoff, idempotency key, one ledger row per attempt),
    so one attempt in the ledger is one request on the wire.
    """

    def increment(self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any) -> Self:
        if method is not None and method.upper() not in IDEMPOTENT_METHODS:
            # No retry left: urllib3 raises at once, exactly as with requests' default Retry(0).
            exhausted = self.new(total=0, connect=0, read=False)
            return Retry.increment(exhausted, method, url, *args, **kwargs)
        return super().increment(method, url, *args, **kwargs)


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A new dict: the default one is shared by every PoolManager of the process.
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        check_url(request.url or "")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        try:
            return super().send(request, **kwargs)
        except _PeerRefused as exc:
            raise UnsafeURLError(str(exc), request=request) from exc


class _RefusingAdapter(HTTPAdapter):
    """Mounted for every other scheme, so file:, ftp: or javascript: URLs fail like private addresses do."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        scheme = urlsplit(request.url or "").scheme
        raise UnsafeURLError(f"Only http and https URLs are allowed, not {scheme or 'none'!r}", request=request)


def session(*, timeout: float | None = None) -> requests.Session:
    """A requests session for talking to networks, feeds and any user-supplied URL."""
    effective = timeout if timeout is not None else settings.PARVIS_HTTP_TIMEOUT
    retry = _IdempotentRetry(
        total=2,
        connect=2,
        # A read error is never retried: the server may have acted, and a read timeout would
        # make the caller wait three times as long. read=False also lets a read timeout surface
        # as requests.ReadTimeout instead of a generic ConnectionError.
        read=False,
        status=0,
        backoff_factor=0.3,
        allowed_methods=IDEMPOTENT_METHODS,
        raise_on_status=False,
    )
    http = requests.Session()
    adapter = _GuardedAdapter(effective, max_retries=retry)
    http.mount("", _RefusingAdapter())
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.headers["User-Agent"] = USER_AGENT
    return http


def read_limited(response: requests.Response, *, max_bytes: int, max_seconds: float | None = None) -> bytes:
    """The body of a streamed response (`stream=True`), refusing more than `max_bytes` or `max_seconds`.

    The session timeout bounds each socket read, not the whole body: a server sending one
    byte every few seconds would otherwise hold a worker for hours. Reads return what has
    arrived (read1) so the clock is checked between them. Content-Encoding is decoded, so
    the size limit applies to what the caller gets (a small gzip bomb is refused too).
    Raises ResponseTooLarge, ResponseTooSlow, or the requests exception for a failed read.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise ResponseTooLarge(f"The response is {int(declared)} bytes long, more than {max_bytes}")
    started = time.monotonic()
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.raw.read1(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"The response is longer than {max_bytes} bytes")
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                raise ResponseTooSlow(f"The response took longer than {max_seconds:g} seconds to arrive")
            chunks.append(chunk)
    except (ResponseTooLarge, ResponseTooSlow):
        raise
    except urllib3_exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc, request=response.request) from exc
    except urllib3_exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc, request=response.request) from exc
    except (urllib3_exceptions.HTTPError, OSError) as exc:  # connection broken half-way
        raise requests.exceptions.ConnectionError(exc, request=response.request) from exc
    finally:
        response.close()
    return b"".join(chunks)
