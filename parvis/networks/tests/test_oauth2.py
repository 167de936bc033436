"""OAuth 2.0 with PKCE over real HTTP: the authorize URL, the code exchange, refreshes, and their failures."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks import oauth2
from parvis.networks.errors import AuthExpired, PermanentError, TransientError
from parvis.networks.models import OAuthClient
from parvis.networks.protocol import AccountRef
from parvis.testing.scripted_http import ScriptedServer

APP = oauth2.AppCredentials(client_id="client-123", client_secret="secret-456")
REDIRECT = "https://parvis.example/accounts/x/callback/"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    running = ScriptedServer.start()
    yield running
    running.stop()


def _provider(server: ScriptedServer, **kwargs: Any) -> oauth2.OAuth2Provider:
    return oauth2.OAuth2Provider(
        network="x",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url=f"{server.url}/2/oauth2/token",
        scopes=("tweet.read", "users.read", "offline.access"),
        display_name="X",
        **kwargs,
    )


def _pending(**kwargs: Any) -> oauth2.PendingAuthorization:
    values: dict[str, Any] = {
        "network": "x",
        "state": "state-abc",
        "code_verifier": "v" * 64,
        "redirect_uri": REDIRECT,
        "started_at": time.time(),
    }
    values.update(kwargs)
    return oauth2.PendingAuthorization(**values)


def _account(server: ScriptedServer, saved: list[dict[str, Any]], **credentials: Any) -> AccountRef:
    values: dict[str, Any] = {
        "access_token": "old-access",
        "refresh_token": "old-refresh",
        "expires_at": int(time.time()) + 3600,
        "token_url": f"{server.url}/2/oauth2/token",
        "token_auth_method": "",
        "client_id": "client-123",
        "client_secret": "secret-456",
    }
    values.update(credentials)
    return AccountRef(
        id=1,
        network="x",
        instance_url=server.url,
        external_id="42",
        handle="@cci",
        credentials=values,
        save_credentials=saved.append,
    )


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


TOKEN = {
    "token_type": "bearer",
    "expires_in": 7200,
    "access_token": "new-access",
    "scope": "tweet.read users.read offline.access",
    "refresh_token": "new-refresh",
}


# --- authorize URL ---------------------------------------------------------------------------------


def test_the_authorize_url_carries_state_scopes_and_an_s256_challenge_of_the_kept_verifier(
    server: ScriptedServer,
) -> None:
    url, pending = oauth2.authorization_start(provider=_provider(server), app=APP, redirect_uri=REDIRECT)

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://x.com/i/oauth2/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == "client-123"
    assert query["redirect_uri"] == REDIRECT
    assert query["scope"] == "tweet.read users.read offline.access"
    assert query["state"] == pending.state
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(pending.code_verifier) <= 128
    assert server.requests == []  # building the URL sends nothing


def test_two_sign_ins_get_different_states_and_verifiers(server: ScriptedServer) -> None:
    _, first = oauth2.authorization_start(provider=_provider(server), app=APP, redirect_uri=REDIRECT)
    _, second = oauth2.authorization_start(provider=_provider(server), app=APP, redirect_uri=REDIRECT)

    assert first.state != second.state
    assert first.code_verifier != second.code_verifier


def test_a_provider_without_pkce_sends_no_challenge(server: ScriptedServer) -> None:
    url, pending = oauth2.authorization_start(provider=_provider(server, pkce=False), app=APP, redirect_uri=REDIRECT)

    assert "code_challenge" not in url
    assert pending.code_verifier == ""


def test_the_pending_sign_in_survives_the_session_round_trip() -> None:
    pending = _pending(data={"voice": "3"})

    assert oauth2.PendingAuthorization.from_session(pending.as_session(), network="x") == pending


def test_a_pending_sign_in_that_is_too_old_or_of_another_network_is_ignored() -> None:
    old = _pending(started_at=time.time() - oauth2.PENDING_MAX_AGE - 1)

    assert oauth2.PendingAuthorization.from_session(old.as_session(), network="x") is None
    assert oauth2.PendingAuthorization.from_session(_pending().as_session(), network="linkedin") is None
    assert oauth2.PendingAuthorization.from_session({"state": "x"}) is None
    assert oauth2.PendingAuthorization.from_session("garbage") is None


# --- callback --------------------------------------------------------------------------------------


def test_the_code_is_exchanged_with_the_verifier_and_the_app_authenticates_with_basic(
    server: ScriptedServer,
) -> None:
    server.add("POST", "/2/oauth2/token", json=TOKEN)

    credentials = oauth2.authorization_finish(
        provider=_provider(server), app=APP, pending=_pending(), params={"state": "state-abc", "code": "the-code"}
    )

    sent = server.only("POST", "/2/oauth2/token")
    assert sent.form() == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT,
        "code_verifier": "v" * 64,
    }
    assert sent.header("Authorization") == _basic("client-123", "secret-456")
    assert sent.header("Content-Type").startswith("application/x-www-form-urlencoded")
    assert credentials["access_token"] == "new-access"
    assert credentials["refresh_token"] == "new-refresh"
    assert abs(credentials["expires_at"] - (time.time() + 7200)) < 5
    assert credentials["client_id"] == "client-123"
    assert credentials["client_secret"] == "secret-456"
    assert credentials["token_url"] == f"{server.url}/2/oauth2/token"
    assert credentials["scope"] == "tweet.read users.read offline.access"


def test_client_secret_post_sends_the_app_credentials_in_the_body(server: ScriptedServer) -> None:
    server.add("POST", "/2/oauth2/token", json={"access_token": "a", "expires_in": 60})

    oauth2.authorization_finish(
        provider=_provider(server, token_auth_method="client_secret_post"),
        app=APP,
        pending=_pending(),
        params={"state": "state-abc", "code": "c"},
    )

    sent = server.only("POST", "/2/oauth2/token")
    assert sent.form()["client_id"] == "client-123"
    assert sent.form()["client_secret"] == "secret-456"
    assert sent.header("Authorization") == ""


def test_a_public_client_sends_its_id_in_the_body_without_a_secret(server: ScriptedServer) -> None:
    server.add("POST", "/2/oauth2/token", json=TOKEN)

    oauth2.authorization_finish(
        provider=_provider(server),
        app=oauth2.AppCredentials(client_id="public-1", client_secret=""),
        pending=_pending(),
        params={"state": "state-abc", "code": "c"},
    )

    sent = server.only("POST", "/2/oauth2/token")
    assert sent.form()["client_id"] == "public-1"
    assert "client_secret" not in sent.form()
    assert sent.header("Authorization") == ""


def test_an_answer_with_another_state_is_refused_without_calling_the_network(server: ScriptedServer) -> None:
    with pytest.raises(PermanentError, match="does not match the sign-in"):
        oauth2.authorization_finish(
            provider=_provider(server), app=APP, pending=_pending(), params={"state": "forged", "code": "c"}
        )

    assert server.requests == []


def test_a_refused_consent_says_so_with_the_networks_reason(server: ScriptedServer) -> None:
    with pytest.raises(oauth2.AuthorizationDenied) as denied:
        oauth2.authorization_finish(
            provider=_provider(server),
            app=APP,
            pending=_pending(),
            params={"error": "access_denied", "error_description": "The user denied the request", "state": "state-abc"},
        )

    assert denied.value.error == "access_denied"
    assert "did not allow Parvis" in denied.value.message
    assert "The user denied the request" in denied.value.message


def test_a_code_refused_by_the_token_endpoint_is_a_permanent_error_with_its_description(
    server: ScriptedServer,
) -> None:
    # X's answer to a used or expired code (https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token)
    server.add(
        "POST",
        "/2/oauth2/token",
        status=400,
        json={"error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."},
    )

    with pytest.raises(PermanentError, match="authorization code was invalid"):
        oauth2.authorization_finish(
            provider=_provider(server), app=APP, pending=_pending(), params={"state": "state-abc", "code": "c"}
        )


def test_a_token_endpoint_in_trouble_is_a_transient_error(server: ScriptedServer) -> None:
    server.add("POST", "/2/oauth2/token", status=503, body=b"<html>Over capacity</html>")

    with pytest.raises(TransientError):
        oauth2.authorization_finish(
            provider=_provider(server), app=APP, pending=_pending(), params={"state": "state-abc", "code": "c"}
        )


# --- calls with refresh ----------------------------------------------------------------------------


def test_a_valid_token_is_sent_as_a_bearer_without_refreshing(server: ScriptedServer) -> None:
    server.add("GET", "/2/users/me", json={"data": {"id": "42"}})
    saved: list[dict[str, Any]] = []

    with oauth2.TokenSession(_account(server, saved)) as api:
        response = api.request("GET", f"{server.url}/2/users/me")

    assert response.status_code == 200
    assert server.only("GET", "/2/users/me").header("Authorization") == "Bearer old-access"
    assert server.received("POST", "/2/oauth2/token") == []
    assert saved == []


def test_an_expired_access_token_is_refreshed_before_the_call_and_the_rotated_tokens_saved(
    server: ScriptedServer,
) -> None:
    server.add("POST", "/2/oauth2/token", json=TOKEN)
    server.add("GET", "/2/users/me", json={"data": {"id": "42"}})
    saved: list[dict[str, Any]] = []

    with oauth2.TokenSession(_account(server, saved, expires_at=int(time.time()) - 10)) as api:
        api.request("GET", f"{server.url}/2/users/me")

    refresh = server.only("POST", "/2/oauth2/token")
    assert refresh.form() == {"grant_type": "refresh_token", "refresh_token": "old-refresh"}
    assert refresh.header("Authorization") == _basic("client-123", "secret-456")
    assert server.only("GET", "/2/users/me").header("Authorization") == "Bearer new-access"
    assert len(saved) == 1
    assert saved[0]["access_token"] == "new-access"
    assert saved[0]["refresh_token"] == "new-refresh"
    assert saved[0]["client_id"] == "client-123"  # everything else kept


def test_a_401_refreshes_once_and_sends_the_same_request_again(server: ScriptedServer) -> None:
    server.add("POST", "/2/tweets", status=401, json={"title": "Unauthorized", "status": 401}, times=1)
    server.add("POST", "/2/tweets", status=201, json={"data": {"id": "7", "text": "hi"}})
    server.add("POST", "/2/oauth2/token", json=TOKEN)
    saved: list[dict[str, Any]] = []

    with oauth2.TokenSession(_account(server, saved)) as api:
        response = api.request("POST", f"{server.url}/2/tweets", json={"text": "hi"})

    assert response.status_code == 201
    tries = server.received("POST", "/2/tweets")
    assert [t.header("Authorization") for t in tries] == ["Bearer old-access", "Bearer new-access"]
    assert [t.json() for t in tries] == [{"text": "hi"}, {"text": "hi"}]
    assert saved[-1]["access_token"] == "new-access"


def test_a_second_401_after_a_refresh_is_returned_without_refreshing_again(server: ScriptedServer) -> None:
    server.add("GET", "/2/users/me", status=401, json={"title": "Unauthorized"})
    server.add("POST", "/2/oauth2/token", json=TOKEN)

    with oauth2.TokenSession(_account(server, [])) as api:
        response = api.request("GET", f"{server.url}/2/users/me")

    assert response.status_code == 401
    assert len(server.received("POST", "/2/oauth2/token")) == 1
    assert len(server.received("GET", "/2/users/me")) == 2


def test_a_refresh_token_that_was_not_rotated_is_kept(server: ScriptedServer) -> None:
    server.add("POST", "/2/oauth2/token", json={"access_token": "new-access", "expires_in": 5184000})
    saved: list[dict[str, Any]] = []

    with oauth2.TokenSession(_account(server, saved, expires_at=0)) as api:
        api.refresh()

    assert saved[0]["refresh_token"] == "old-refresh"
    assert saved[0]["access_token"] == "new-access"


def test_a_refused_refresh_is_auth_expired(server: ScriptedServer) -> None:
    server.add(
        "POST",
        "/2/oauth2/token",
        status=400,
        json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
    )
    server.add("GET", "/2/users/me", status=401, json={"title": "Unauthorized"})
    saved: list[dict[str, Any]] = []

    with oauth2.TokenSession(_account(server, saved)) as api, pytest.raises(AuthExpired, match="reconnect"):
        api.request("GET", f"{server.url}/2/users/me")

    assert saved == []


def test_a_401_without_a_refresh_token_is_returned_as_is(server: ScriptedServer) -> None:
    server.add("GET", "/2/users/me", status=401, json={"title": "Unauthorized"})

    with oauth2.TokenSession(_account(server, [], refresh_token="")) as api:
        response = api.request("GET", f"{server.url}/2/users/me")

    assert response.status_code == 401
    assert server.received("POST", "/2/oauth2/token") == []


def test_a_refresh_that_meets_a_server_error_is_transient(server: ScriptedServer) -> None:
    server.add("POST", "/2/oauth2/token", status=502, body=b"Bad gateway")

    with oauth2.TokenSession(_account(server, [], expires_at=0)) as api, pytest.raises(TransientError):
        api.request("GET", f"{server.url}/2/users/me")


def test_a_call_that_times_out_is_transient(server: ScriptedServer) -> None:
    server.add("GET", "/2/users/me", json={}, delay=1.0)

    with oauth2.TokenSession(_account(server, []), timeout=0.2) as api, pytest.raises(TransientError, match="in time"):
        api.request("GET", f"{server.url}/2/users/me")


def test_a_refused_connection_is_transient(server: ScriptedServer) -> None:
    url = server.url
    server.stop()

    with oauth2.TokenSession(_account(server, [])) as api, pytest.raises(TransientError, match="could not be reached"):
        api.request("GET", f"{url}/2/users/me")


# --- the app registration --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_operators_environment_wins_over_the_stored_registration(
    monkeypatch: pytest.MonkeyPatch, alice: Membership
) -> None:
    oauth2.app_credentials_save(
        membership=alice, network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT,
        client_id="stored", client_secret="stored-secret",
    )  # fmt: skip
    monkeypatch.setenv("PARVIS_X_CLIENT_ID", "from-env")
    monkeypatch.setenv("PARVIS_X_CLIENT_SECRET", "env-secret")

    app = oauth2.app_credentials(network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT)

    assert app == oauth2.AppCredentials(client_id="from-env", client_secret="env-secret", source="environment")


@pytest.mark.django_db
def test_the_stored_registration_is_encrypted_and_a_blank_secret_keeps_the_old_one(alice: Membership) -> None:
    oauth2.app_credentials_save(
        membership=alice, network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT,
        client_id="id-1", client_secret="secret-1",
    )  # fmt: skip
    oauth2.app_credentials_save(
        membership=alice, network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT,
        client_id="id-2", client_secret="",
    )  # fmt: skip

    app = oauth2.app_credentials(network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT)
    assert app == oauth2.AppCredentials(client_id="id-2", client_secret="secret-1", source="stored")
    assert OAuthClient.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {OAuthClient._meta.db_table}")  # noqa: S608 - a model's table
        (stored,) = cursor.fetchone()
    assert "secret-1" not in str(stored)
    assert alice.workspace.audit_entries.filter(verb="oauth_app.save").count() == 2


@pytest.mark.django_db
def test_only_an_owner_may_store_the_app_registration(camille: Membership) -> None:
    with pytest.raises(PermissionDenied):
        oauth2.app_credentials_save(
            membership=camille, network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT,
            client_id="id", client_secret="secret",
        )  # fmt: skip


@pytest.mark.django_db
def test_without_any_registration_there_are_no_app_credentials() -> None:
    assert oauth2.app_credentials(network="x", instance_url="https://api.x.com", redirect_uri=REDIRECT) is None
