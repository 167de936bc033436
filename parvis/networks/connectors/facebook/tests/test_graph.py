"""The Graph client: how it sends the token, and what every kind of failure becomes (recorded Meta answers)."""

from __future__ import annotations

import socket
import uuid

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.connectors.facebook.graph import (
    DEFAULT_THROTTLE_WAIT,
    GRAPH_VERSION,
    GraphClient,
    OutcomeUnknown,
    retry_after_seconds,
    usage_percent,
)
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID, PAGE_TOKEN, page_ref
from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.scripted_http import ScriptedServer


def _publish(text: str = "Assemblée générale jeudi à 18 h.") -> ActionRequest:
    return ActionRequest(kind=ActionKind.PUBLISH, idempotency_key=uuid.uuid4().hex, text=text)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- how requests are sent ------------------------------------------------------------------------


def test_the_token_goes_in_the_authorization_header_never_in_the_url(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", "me", "me_page.json")

    connector.verify(page)

    request = graph.only("GET", v("me"))
    assert request.path == f"/{GRAPH_VERSION}/me"
    assert request.header("Authorization") == f"Bearer {PAGE_TOKEN}"
    assert "access_token" not in request.query
    assert request.arg("fields") == "id,name,username,link"


def test_an_appsecret_proof_is_sent_when_the_account_has_one(
    connector: FacebookConnector, graph: ScriptedServer
) -> None:
    serve(graph, "GET", "me", "me_page.json")
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json")
    account = page_ref(graph, appsecret_proof="9f2c")

    connector.verify(account)
    connector.execute(account, _publish())

    assert graph.only("GET", v("me")).arg("appsecret_proof") == "9f2c"
    assert graph.only("POST", v(f"{PAGE_ID}/feed")).form()["appsecret_proof"] == "9f2c"


# --- authorisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["error_190_460.json", "error_190_463.json"])
def test_an_invalid_or_expired_token_asks_for_reconnection(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, fixture: str
) -> None:
    serve(graph, "GET", "me", fixture)

    with pytest.raises(AuthExpired, match="reconnect the account"):
        connector.verify(page)


def test_a_checkpoint_asks_the_person_to_sign_in_on_facebook_first(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_190_459.json")

    with pytest.raises(AuthExpired, match=r"sign in on facebook\.com first"):
        connector.execute(page, _publish())


def test_a_page_without_token_asks_for_reconnection(connector: FacebookConnector, graph: ScriptedServer) -> None:
    account = page_ref(graph, access_token="")

    with pytest.raises(AuthExpired):
        connector.verify(account)
    assert graph.requests == []


# --- rate limits -----------------------------------------------------------------------------------


def test_a_page_throttled_waits_as_long_as_the_business_use_case_header_says(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_80001_page_throttled.json")

    with pytest.raises(RateLimited) as caught:
        connector.execute(page, _publish())

    assert caught.value.retry_after == 19 * 60
    assert "19 minutes" in caught.value.message


def test_an_application_limit_without_a_duration_waits_the_default(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "GET", "me", "error_4_app_limit.json")

    with pytest.raises(RateLimited) as caught:
        connector.verify(page)

    assert caught.value.retry_after == DEFAULT_THROTTLE_WAIT


@pytest.mark.parametrize(
    "fixture", ["error_17_user_limit.json", "error_32_page_limit.json", "error_613_custom_limit.json"]
)
def test_every_throttling_code_is_a_rate_limit(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, fixture: str
) -> None:
    serve(graph, "GET", "me", fixture)

    with pytest.raises(RateLimited):
        connector.verify(page)


def test_a_throttled_answer_with_retry_after_and_a_usage_header_takes_the_longest_wait() -> None:
    headers = {
        "Retry-After": "120",
        "X-Business-Use-Case-Usage": (
            '{"104857194637182":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":3}],'
            '"17841405822304914":[{"type":"instagram","call_count":60,"estimated_time_to_regain_access":0}]}'
        ),
    }

    assert retry_after_seconds(headers) == 180
    assert usage_percent(headers) == 100


def test_usage_headers_that_are_not_json_say_nothing() -> None:
    assert retry_after_seconds({"X-Business-Use-Case-Usage": "{not json", "X-App-Usage": "[]"}) is None
    assert usage_percent({"X-App-Usage": '{"call_count": 87, "total_time": 12, "total_cputime": 9}'}) == 87


# --- temporary failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["error_1_unknown.json", "error_2_service.json"])
def test_unknown_and_service_errors_are_temporary(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, fixture: str
) -> None:
    serve(graph, "GET", "me", fixture)

    with pytest.raises(TransientError, match="try again later"):
        connector.verify(page)


def test_a_server_error_page_that_is_not_json_is_temporary(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    graph.add("GET", v("me"), status=502, body=b"<html>Bad Gateway</html>", headers={"Content-Type": "text/html"})

    with pytest.raises(TransientError, match="error 502"):
        connector.verify(page)


def test_an_unreadable_success_is_temporary(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    graph.add("GET", v("me"), status=200, body=b'{"id": "1', headers={"Content-Type": "application/json"})

    with pytest.raises(TransientError, match="could not read"):
        connector.verify(page)


def test_a_timeout_is_temporary(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "GET", "me", "me_page.json", delay=1.0)

    with pytest.raises(TransientError, match="did not answer in time"):
        connector.verify(page)


def test_a_refused_connection_is_temporary(connector: FacebookConnector, page: AccountRef) -> None:
    account = AccountRef(
        id=1,
        network="facebook",
        instance_url=f"http://127.0.0.1:{_closed_port()}",
        external_id=PAGE_ID,
        handle="@ccilyon",
        credentials=page.credentials,
    )

    with pytest.raises(TransientError, match="could not be reached"):
        connector.verify(account)


def test_a_write_whose_answer_is_lost_is_an_unknown_outcome(
    graph: ScriptedServer, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json", delay=1.0)

    with GraphClient(graph.url, PAGE_TOKEN) as client, pytest.raises(OutcomeUnknown):
        client.post(f"{PAGE_ID}/feed", {"message": "Bonjour"})


def test_a_write_that_never_reached_the_server_is_not_an_unknown_outcome() -> None:
    client = GraphClient(f"http://127.0.0.1:{_closed_port()}", PAGE_TOKEN)
    with client, pytest.raises(TransientError) as caught:
        client.post(f"{PAGE_ID}/feed", {"message": "Bonjour"})

    assert not isinstance(caught.value, OutcomeUnknown)


def test_a_private_address_is_refused_for_good(
    connector: FacebookConnector, page: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []  # type: ignore[attr-defined]
    account = AccountRef(
        id=1,
        network="facebook",
        instance_url="http://127.0.0.1:9",
        external_id=PAGE_ID,
        handle="@ccilyon",
        credentials=page.credentials,
    )

    with pytest.raises(PermanentError, match="does not connect to this address"):
        connector.verify(account)


# --- refusals ----------------------------------------------------------------------------------------


def test_a_duplicate_post_is_refused_with_metas_words(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_506_duplicate.json")

    with pytest.raises(PermanentError, match="This status update is identical to the last one you posted"):
        connector.execute(page, _publish())


def test_a_missing_permission_is_refused_and_says_to_reconnect(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_200_permissions.json")

    with pytest.raises(PermanentError, match="pages_manage_posts") as caught:
        connector.execute(page, _publish())

    assert "Reconnect the account" in caught.value.message


def test_a_policy_block_is_refused(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_368_blocked.json")

    with pytest.raises(PermanentError, match="temporarily blocked"):
        connector.execute(page, _publish())


def test_an_object_that_does_not_exist_is_refused(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", r"[\d_]+/comments", "error_100_33.json")
    request = ActionRequest(
        kind=ActionKind.REPLY,
        idempotency_key=uuid.uuid4().hex,
        text="Merci !",
        in_reply_to_id=f"{PAGE_ID}_598240000000000",
    )

    with pytest.raises(PermanentError, match="no longer exists on Facebook"):
        connector.execute(page, request)


def test_a_usage_close_to_the_limit_is_logged(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, caplog: pytest.LogCaptureFixture
) -> None:
    serve(
        graph,
        "GET",
        "me",
        "me_page.json",
        headers={"X-App-Usage": '{"call_count":91,"total_time":10,"total_cputime":4}'},
    )

    connector.verify(page)

    assert "rate limit usage at 91%" in caplog.text
