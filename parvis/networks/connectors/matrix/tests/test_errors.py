"""Every way a homeserver can fail maps to one of the four connector errors (a scripted server, then Synapse)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from parvis.networks.connectors.matrix.connector import MatrixConnector
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.matrix import SynapseServer
from parvis.testing.scripted_http import ScriptedServer

pytestmark = pytest.mark.network

SYNC = r"/_matrix/client/v3/sync"
WHOAMI = r"/_matrix/client/v3/account/whoami"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer.start()
    scripted.add("GET", WHOAMI, json={"user_id": "@org:example.org"})
    scripted.add("GET", r"/_matrix/client/v3/profile/.*", json={"displayname": "Org"})
    scripted.add("GET", r"/_matrix/client/v3/user/.*/account_data/m.direct", json={})
    yield scripted
    scripted.stop()


def ref(url: str, token: str = "token") -> AccountRef:  # noqa: S107
    return AccountRef(
        id=1,
        network="matrix",
        instance_url=url,
        external_id="@org:example.org",
        handle="@org:example.org",
        credentials={"access_token": token, "user_id": "@org:example.org"},
    )


def test_m_limit_exceeded_is_rate_limited_with_its_delay(server: ScriptedServer) -> None:
    server.add(
        "GET", SYNC, status=429, json={"errcode": "M_LIMIT_EXCEEDED", "error": "Too many", "retry_after_ms": 2500}
    )

    with pytest.raises(RateLimited) as raised:
        MatrixConnector().fetch(ref(server.url), {})

    assert raised.value.retry_after == 2.5


def test_a_429_without_errcode_reads_retry_after(server: ScriptedServer) -> None:
    server.add("GET", SYNC, status=429, body=b"slow down", headers={"Retry-After": "7"})

    with pytest.raises(RateLimited) as raised:
        MatrixConnector().fetch(ref(server.url), {})

    assert raised.value.retry_after == 7.0


@pytest.mark.parametrize("errcode", ["M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"])
def test_a_refused_token_asks_for_reconnection(server: ScriptedServer, errcode: str) -> None:
    server.add("GET", SYNC, status=401, json={"errcode": errcode, "error": "Invalid token"})

    with pytest.raises(AuthExpired, match="connect the account again"):
        MatrixConnector().fetch(ref(server.url), {})


def test_a_server_error_is_transient_and_a_forbidden_send_is_permanent(server: ScriptedServer) -> None:
    server.add("GET", SYNC, status=502, body=b"<html>Bad gateway</html>")
    server.add("GET", r"/_matrix/client/v3/rooms/.*/event/.*", json={"sender": "@bob:example.org", "content": {}})
    server.add(
        "PUT",
        r"/_matrix/client/v3/rooms/.*/send/m.room.message/.*",
        status=403,
        json={"errcode": "M_FORBIDDEN", "error": "You are not in this room"},
    )
    request = ActionRequest(
        kind=ActionKind.REPLY, idempotency_key=uuid.uuid4().hex, text="Bonjour", in_reply_to_id="!r:example.org/$e"
    )

    with pytest.raises(TransientError, match="HTTP 502"):
        MatrixConnector().fetch(ref(server.url), {})
    with pytest.raises(PermanentError, match="M_FORBIDDEN"):
        MatrixConnector().execute(ref(server.url), request)


def test_a_body_that_is_not_json_is_transient(server: ScriptedServer) -> None:
    server.add("GET", SYNC, body=b"not json")

    with pytest.raises(TransientError, match="cannot read"):
        MatrixConnector().fetch(ref(server.url), {})


def test_a_timeout_is_transient(server: ScriptedServer, settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    server.add("GET", SYNC, json={"next_batch": "s1"}, delay=1.5)

    with pytest.raises(TransientError, match="in time"):
        MatrixConnector().fetch(ref(server.url), {})


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(TransientError, match="cannot be reached"):
        MatrixConnector().verify(ref(f"http://127.0.0.1:{port}"))


def test_a_private_address_not_allowed_is_refused(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []  # type: ignore[attr-defined]

    with pytest.raises(PermanentError, match="may not connect"):
        MatrixConnector().verify(ref("http://127.0.0.1:9"))


def test_synapse_itself_refuses_an_unknown_token(synapse_server: SynapseServer) -> None:
    with pytest.raises(AuthExpired):
        MatrixConnector().fetch(ref(synapse_server.base_url, token="syt_unknown"), {})
