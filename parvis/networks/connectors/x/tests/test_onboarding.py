"""Connecting an X account through the pages, against a local X (authorize page, token endpoint, API)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks import oauth2
from parvis.networks.connectors.x.tests.conftest import OWN_ID, fixture
from parvis.networks.models import ConnectedAccount, OAuthClient
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

CONNECT = reverse("web:x_connect")
APP = reverse("web:x_app")
CALLBACK = reverse("web:x_callback")
ACCOUNTS = reverse("web:accounts")


@pytest.fixture(autouse=True)
def _in_english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def local_x(x_server: ScriptedServer, settings: Any) -> ScriptedServer:
    """X's authorize page, token endpoint and API on loopback; the person approves unless told otherwise."""
    settings.PARVIS_X_API_URL = x_server.url
    settings.PARVIS_X_AUTHORIZE_URL = f"{x_server.url}/i/oauth2/authorize"
    settings.PARVIS_X_TOKEN_URL = f"{x_server.url}/2/oauth2/token"
    settings.PARVIS_BASE_URL = "https://parvis.example"
    challenges: dict[str, str] = {}

    def authorize(request: Recorded) -> Reply:
        """The consent page answering "Authorize app": back to the callback with a code."""
        code = f"code-{len(challenges) + 1}"
        challenges[code] = request.arg("code_challenge")
        target = request.arg("redirect_uri") + "?" + urlencode({"state": request.arg("state"), "code": code})
        return Reply(status=302, headers={"Location": target})

    def token(request: Recorded) -> Reply:
        """PKCE as X checks it: the verifier must hash to the challenge sent with the code's authorisation."""
        form = request.form()
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenges.get(form.get("code", "")) != expected:
            return Reply(
                status=400,
                json={
                    "error": "invalid_request",
                    "error_description": "Value passed for the authorization code was invalid.",
                },
            )
        return Reply(json=fixture("token.json"))

    x_server.add("GET", "/i/oauth2/authorize", handler=authorize)
    x_server.add("POST", "/2/oauth2/token", handler=token)
    x_server.add("GET", "/2/users/me", json=fixture("users_me.json"))
    return x_server


@pytest.fixture
def registered(alice: Membership, local_x: ScriptedServer) -> None:
    oauth2.app_credentials_save(
        membership=alice,
        network="x",
        instance_url=local_x.url,
        redirect_uri="https://parvis.example" + CALLBACK,
        client_id="x-client",
        client_secret="x-secret",
    )


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def _approve(authorize_url: str) -> str:
    """What the person does on X: open the authorize URL and allow; returns the callback path and query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


# --- the page --------------------------------------------------------------------------------------


def test_an_owner_is_asked_for_the_app_when_there_is_none(client: Client, alice: Membership, local_x: Any) -> None:
    content = _signed_in(client, alice).get(CONNECT).content.decode()

    assert 'id="x-no-app"' in content
    assert 'id="x-app-form"' in content
    assert "https://parvis.example/accounts/x/callback/" in content
    assert 'id="x-connect-form"' not in content


def test_a_community_manager_cannot_enter_the_app(client: Client, camille: Membership, local_x: Any) -> None:
    signed_in = _signed_in(client, camille)

    assert 'id="x-app-form"' not in signed_in.get(CONNECT).content.decode()
    assert signed_in.post(APP, {"client_id": "id", "client_secret": "s"}).status_code == 403
    assert OAuthClient.objects.count() == 0


def test_an_owner_saves_the_app_and_the_connect_button_appears(
    client: Client, alice: Membership, local_x: ScriptedServer
) -> None:
    signed_in = _signed_in(client, alice)

    response = signed_in.post(APP, {"client_id": "x-client", "client_secret": "x-secret"})

    assert response.status_code == 302
    app = oauth2.app_credentials(
        network="x", instance_url=local_x.url, redirect_uri="https://parvis.example" + CALLBACK
    )
    assert app == oauth2.AppCredentials("x-client", "x-secret", "stored")
    assert 'id="x-connect-form"' in signed_in.get(CONNECT).content.decode()


def test_an_app_set_by_the_operator_is_not_editable(
    client: Client, alice: Membership, local_x: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARVIS_X_CLIENT_ID", "operator-client")

    content = _signed_in(client, alice).get(CONNECT).content.decode()

    assert 'id="x-app-env"' in content
    assert 'id="x-app-form"' not in content
    assert 'id="x-connect-form"' in content


def test_members_who_cannot_manage_accounts_are_refused(client: Client, theo: Membership, local_x: Any) -> None:
    signed_in = _signed_in(client, theo)

    assert signed_in.get(CONNECT).status_code == 403
    assert signed_in.post(CONNECT).status_code == 403
    assert signed_in.get(CALLBACK, {"state": "s", "code": "c"}).status_code == 403


# --- the flow --------------------------------------------------------------------------------------


def test_connecting_goes_through_x_and_stores_the_account_with_its_tokens(
    client: Client, camille: Membership, local_x: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)

    start = signed_in.post(CONNECT)

    assert start.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert start["Location"].startswith(f"{local_x.url}/i/oauth2/authorize?")
    assert query["client_id"] == "x-client"
    assert query["redirect_uri"] == "https://parvis.example/accounts/x/callback/"
    assert query["scope"] == (
        "tweet.read tweet.write users.read offline.access like.write media.write "
        "dm.read dm.write tweet.moderate.write follows.write mute.write"
    )
    assert query["code_challenge_method"] == "S256"

    done = signed_in.get(_approve(start["Location"]))

    assert done.status_code == 302, done.content.decode()
    assert done["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get()
    assert (account.network, account.external_id, account.handle) == ("x", OWN_ID, "@ccilyon")
    assert account.instance_url == local_x.url
    assert account.workspace == camille.workspace
    assert account.credentials["access_token"] == "bWRjZDhkVm5lc0tHc3V"
    assert account.credentials["refresh_token"] == "bWRjZDhkVm5lc0tHc3VfcmVmcmVzaA"
    assert account.credentials["client_id"] == "x-client"
    exchange = local_x.only("POST", "/2/oauth2/token")
    assert exchange.form()["grant_type"] == "authorization_code"
    assert exchange.form()["redirect_uri"] == "https://parvis.example/accounts/x/callback/"
    assert local_x.only("GET", "/2/users/me").header("Authorization") == "Bearer bWRjZDhkVm5lc0tHc3V"


def test_an_answer_with_another_state_is_refused(
    client: Client, camille: Membership, local_x: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    signed_in.post(CONNECT)

    response = signed_in.get(CALLBACK, {"state": "forged", "code": "code-1"})

    assert response.status_code == 400
    assert "does not match the sign-in started here" in response.content.decode()
    assert local_x.received("POST", "/2/oauth2/token") == []
    assert ConnectedAccount.objects.count() == 0


def test_a_refused_consent_is_shown_clearly(
    client: Client, camille: Membership, local_x: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    start = signed_in.post(CONNECT)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = signed_in.get(CALLBACK, {"state": state, "error": "access_denied"})

    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="x-connect-error"' in content
    assert "X did not allow Parvis to use the account (access_denied)" in content
    assert ConnectedAccount.objects.count() == 0


def test_a_callback_without_a_sign_in_started_here_is_refused(
    client: Client, camille: Membership, local_x: Any, registered: None
) -> None:
    response = _signed_in(client, camille).get(CALLBACK, {"state": "s", "code": "c"})

    assert response.status_code == 400
    assert "was not started here" in response.content.decode()


def test_the_callback_cannot_be_replayed(
    client: Client, camille: Membership, local_x: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    back = _approve(signed_in.post(CONNECT)["Location"])
    signed_in.get(back)

    again = signed_in.get(back)

    assert again.status_code == 400
    assert len(local_x.received("POST", "/2/oauth2/token")) == 1


def test_connecting_without_an_app_explains_what_is_missing(client: Client, camille: Membership, local_x: Any) -> None:
    response = _signed_in(client, camille).post(CONNECT)

    assert response.status_code == 400
    assert "not registered with X yet" in response.content.decode()
