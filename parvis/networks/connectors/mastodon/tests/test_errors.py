"""Every way a Mastodon server fails becomes one of the four connector errors (faults injected in mastodon-mock)."""

from __future__ import annotations

import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.network

NOTIFICATIONS = "/api/v1/notifications"


def _publish(text: str = "Hello") -> ActionRequest:
    return ActionRequest(kind=ActionKind.PUBLISH, idempotency_key=uuid.uuid4().hex, text=text)


def _assert_waits_about(retry_after: float | None, seconds: float, *, elapsed: float) -> None:
    """The wait is read against the server's Date header: whole seconds, and uvicorn refreshes it once a second."""
    assert retry_after is not None
    assert seconds - elapsed - 1 <= retry_after <= seconds + 3


def test_a_revoked_token_asks_for_reconnection(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(path=NOTIFICATIONS, status=401, body={"error": "The access token was revoked"})

    with pytest.raises(AuthExpired, match="reconnect the account"):
        connector.fetch(org_ref, {})


def test_a_forbidden_answer_outside_a_status_asks_for_reconnection(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(
        path="/api/v1/accounts/verify_credentials",
        status=403,
        body={"error": "Your login is currently disabled"},
    )

    with pytest.raises(AuthExpired, match="Your login is currently disabled"):
        connector.verify(org_ref)


def test_a_rate_limit_waits_as_long_as_retry_after_says(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(effect="ratelimit", path=NOTIFICATIONS, headers={"Retry-After": "42"})

    with pytest.raises(RateLimited) as caught:
        connector.fetch(org_ref, {})

    assert caught.value.retry_after == 42
    assert "42 seconds" in caught.value.message


def test_a_rate_limit_without_retry_after_waits_until_x_ratelimit_reset(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    started = time.monotonic()
    # Mastodon's own format: an ISO 8601 time.
    reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mastodon_server.add_fault(path=NOTIFICATIONS, status=429, headers={"X-RateLimit-Reset": reset})

    with pytest.raises(RateLimited) as caught:
        connector.fetch(org_ref, {})

    _assert_waits_about(caught.value.retry_after, 120, elapsed=time.monotonic() - started)


def test_a_rate_limit_reset_given_as_epoch_seconds_is_understood_too(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    started = time.monotonic()
    reset = str(int(time.time()) + 60)
    mastodon_server.add_fault(
        methods=["POST"], path="/api/v1/statuses", status=429, headers={"X-RateLimit-Reset": reset}
    )

    with pytest.raises(RateLimited) as caught:
        connector.execute(org_ref, _publish())

    _assert_waits_about(caught.value.retry_after, 60, elapsed=time.monotonic() - started)


def test_a_rate_limit_that_does_not_say_how_long_leaves_the_wait_to_parvis(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(path=NOTIFICATIONS, status=429)

    with pytest.raises(RateLimited) as caught:
        connector.fetch(org_ref, {})

    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_temporary(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, status: int
) -> None:
    mastodon_server.add_fault(path=NOTIFICATIONS, status=status)

    with pytest.raises(TransientError, match=f"error {status}"):
        connector.fetch(org_ref, {})


def test_a_server_error_while_publishing_is_temporary(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(methods=["POST"], path="/api/v1/statuses", status=503)

    with pytest.raises(TransientError):
        connector.execute(org_ref, _publish())


def test_an_instance_that_is_down_is_temporary(connector: MastodonConnector, org_ref: AccountRef) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = AccountRef(
        id=1,
        network="mastodon",
        instance_url=f"http://127.0.0.1:{closed_port}",
        external_id=org_ref.external_id,
        handle=org_ref.handle,
        credentials=org_ref.credentials,
    )

    with pytest.raises(TransientError, match="could not be reached"):
        connector.fetch(down, {})


def test_an_instance_that_does_not_answer_in_time_is_temporary(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org_ref: AccountRef,
    settings: pytest.FixtureRequest,
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    mastodon_server.add_fault(effect="timeout", methods=["GET"], path=NOTIFICATIONS, count=1)

    started = time.monotonic()
    with pytest.raises(TransientError, match="did not answer in time"):
        connector.fetch(org_ref, {})

    assert time.monotonic() - started < 5


def test_a_body_that_is_not_json_is_temporary(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(effect="malformed", path=NOTIFICATIONS)

    with pytest.raises(TransientError, match="could not read"):
        connector.fetch(org_ref, {})


def test_json_of_the_wrong_shape_is_temporary(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(path=NOTIFICATIONS, status=200, body={"unexpected": "object"})

    with pytest.raises(TransientError, match="could not read"):
        connector.fetch(org_ref, {})


def test_a_validation_error_is_permanent_with_the_servers_reason(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(
        methods=["POST"],
        path="/api/v1/statuses",
        status=422,
        body={"error": "Validation failed: Text contains a forbidden word"},
    )

    with pytest.raises(PermanentError, match="Mastodon refused it: Validation failed: Text contains a forbidden word"):
        connector.execute(org_ref, _publish())


def test_an_address_without_a_mastodon_api_is_permanent(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    mastodon_server.add_fault(path="/api/v1/accounts/verify_credentials", status=404)

    with pytest.raises(PermanentError, match="Is it a Mastodon server"):
        connector.verify(org_ref)


def test_a_private_address_not_allowed_by_the_operator_is_refused(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    private = AccountRef(
        id=1,
        network="mastodon",
        instance_url="https://192.168.1.10",
        external_id="",
        handle="",
        credentials=org_ref.credentials,
    )

    with pytest.raises(PermanentError, match=r"non-public address 192\.168\.1\.10"):
        connector.verify(private)


def test_an_account_without_a_token_must_be_reconnected(
    connector: MastodonConnector, mastodon_server: MastodonMockServer
) -> None:
    empty = AccountRef(
        id=1, network="mastodon", instance_url=mastodon_server.base_url, external_id="1", handle="", credentials={}
    )

    with pytest.raises(AuthExpired, match="no access token"):
        connector.fetch(empty, {})
