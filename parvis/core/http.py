"""The one outbound HTTP module.

Every request Parvis sends to the outside world goes through a session made
here: mandatory timeouts, a User-Agent, retries only for idempotent requests
on connection failures, and refusal of user-supplied URLs that resolve to
private, loopback, link-local or reserved addresses, unless the operator lists
the host in PARVIS_PRIVATE_HOSTS_ALLOWED (the demo and the tests list
127.0.0.1 and localhost for their local network servers).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "Parvis/0.1 (+https://parvis.example/bot)"


class UnsafeURLError(requests.exceptions.InvalidURL):
    """The URL is not allowed: wrong scheme, or it resolves to a private address."""


def _allowed_private_hosts() -> set[str]:
    return {host.lower() for host in settings.PARVIS_PRIVATE_HOSTS_ALLOWED}


def check_url(url: str) -> None:
    """Raise UnsafeURLError unless `url` is http(s) and reaches only public addresses (or an allowed host)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURLError(f"Only http and https URLs are allowed, not {parts.scheme or 'none'!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURLError("The URL has no host")
    allowed = _allowed_private_hosts()
    if "*" in allowed or host in allowed:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise requests.exceptions.ConnectionError(f"Cannot resolve host {host!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise UnsafeURLError(
                f"{host} resolves to the non-public address {address}; "
                "an operator can allow it with PARVIS_PRIVATE_HOSTS_ALLOWED"
            )


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        check_url(request.url or "")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def session(*, timeout: float | None = None) -> requests.Session:
    """A requests session for talking to networks, feeds and any user-supplied URL."""
    effective = timeout if timeout is not None else settings.PARVIS_HTTP_TIMEOUT
    retry = Retry(
        total=2,
        connect=2,
        read=0,
        status=0,
        backoff_factor=0.3,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        raise_on_status=False,
    )
    http = requests.Session()
    adapter = _GuardedAdapter(effective, max_retries=retry)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.headers["User-Agent"] = USER_AGENT
    return http
