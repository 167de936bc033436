"""The four ways a call to a network can fail. Connectors raise nothing else."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class; `message` is shown to users as is, so write it for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermanentError(ConnectorError):
    """Retrying will not help (invalid content, unknown target, feed that is not a feed)."""


class AuthExpired(ConnectorError):
    """The credentials were revoked or expired: a person must reconnect the account."""


class RateLimited(ConnectorError):
    """The network asks us to wait `retry_after` seconds (None when it did not say)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(ConnectorError):
    """Timeout, connection refused, 5xx: the same call may succeed later."""
