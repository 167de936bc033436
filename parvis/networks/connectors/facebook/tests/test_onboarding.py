"""Connecting Pages through the UI: the Meta app, Facebook Login against local endpoints, picking the Pages."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.facebook.graph import GRAPH_VERSION
from parvis.networks.connectors.facebook.onboarding import CHOICES_SESSION_KEY, PAGE_SCOPES
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.models import ConnectedAccount, OAuthClient
from parvis.testing.scripted_http import ScriptedServer

pytestmark = pytest.mark.django_db

CONNECT = reverse("web:facebook_connect")
APP = reverse("web:facebook_app")
CALLBACK = reverse("web:facebook_callback")
PICK = reverse("web:facebook_pick")
ACCOUNTS = reverse("web:accounts")
APP_ID = "1234567890123456"
APP_SECRET = "s3cr3t-of-the-meta-app"


@pytest.fixture(autouse=True)
def _meta_on_the_local_server(settings: pytest.FixtureRequest, graph: ScriptedServer) -> None:
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    settings.PARVIS_FACEBOOK_GRAPH_URL = graph.url  # type: ignore[attr-defined]


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def _app_saved(client: Client, owner: Membership) -> None:
    response = _signed_in(client, owner).post(APP, {"client_id": APP_ID, "client_secret": APP_SECRET})
    assert response.status_code == 302, response.content.decode()


def _script_facebook(graph: ScriptedServer, accounts: str = "me_accounts.json") -> None:
    serve(graph, "POST", "oauth/access_token", "oauth_access_token.json")
    serve(graph, "GET", "oauth/access_token", "long_lived_token.json")
    serve(graph, "GET", "me/accounts", accounts)
    serve(graph, "GET", "me", "me_page.json")


def _start(client: Client) -> dict[str, str]:
    """POST "Continue with Facebook"; the query of the dialog URL Parvis sends the person to."""
    response = client.post(CONNECT)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


# --- the page and the app ---------------------------------------------------------------------------


def test_without_an_app_the_page_asks_an_owner_to_register_it(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).get(CONNECT)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="facebook-no-app"' in content
    assert 'id="meta-app-form"' not in content  # a community manager cannot register it


def test_an_owner_registers_the_app_with_the_callback_to_give_meta(client: Client, alice: Membership) -> None:
    page = _signed_in(client, alice).get(CONNECT).content.decode()
    assert 'id="meta-app-form"' in page
    assert "/accounts/facebook/callback/" in page

    _app_saved(client, alice)

    row = OAuthClient.objects.get(network="facebook")
    assert row.credentials == {"client_id": APP_ID, "client_secret": APP_SECRET}
    assert 'id="facebook-connect-form"' in client.get(CONNECT).content.decode()


def test_a_community_manager_cannot_change_the_app(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).post(APP, {"client_id": APP_ID, "client_secret": APP_SECRET})

    assert response.status_code == 403
    assert not OAuthClient.objects.exists()


def test_an_analyst_cannot_connect_pages(client: Client, nadia: Membership) -> None:
    assert _signed_in(client, nadia).get(CONNECT).status_code == 403
    assert client.post(CONNECT).status_code == 403


def test_an_app_from_the_environment_is_used_and_not_editable(
    client: Client, alice: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARVIS_FACEBOOK_CLIENT_ID", APP_ID)
    monkeypatch.setenv("PARVIS_FACEBOOK_CLIENT_SECRET", APP_SECRET)

    page = _signed_in(client, alice).get(CONNECT).content.decode()

    assert 'id="meta-app-env"' in page
    assert 'id="meta-app-form"' not in page
    assert _start(client)["client_id"] == APP_ID


# --- Facebook Login ---------------------------------------------------------------------------------


def test_continue_sends_the_person_to_the_login_dialog_with_the_page_scopes(
    client: Client, alice: Membership, camille: Membership
) -> None:
    _app_saved(client, alice)

    query = _start(_signed_in(client, camille))

    assert query["client_id"] == APP_ID
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://127.0.0.1:8000/accounts/facebook/callback/"
    assert set(query["scope"].split()) == set(PAGE_SCOPES)
    assert len(query["state"]) >= 32
    assert "code_challenge" not in query


def test_the_whole_flow_connects_the_chosen_page_with_its_page_token(
    client: Client, alice: Membership, camille: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)
    _script_facebook(graph)
    state = _start(_signed_in(client, camille))["state"]

    back = client.get(CALLBACK, {"code": "AQBx-code", "state": state})

    assert back.status_code == 302 and back["Location"] == PICK
    exchange = graph.only("POST", v("oauth/access_token")).form()
    assert exchange["code"] == "AQBx-code"
    assert exchange["client_id"] == APP_ID
    assert exchange["client_secret"] == APP_SECRET
    assert exchange["redirect_uri"] == "http://127.0.0.1:8000/accounts/facebook/callback/"
    long_lived = graph.only("GET", v("oauth/access_token"))
    assert long_lived.arg("grant_type") == "fb_exchange_token"
    assert long_lived.arg("fb_exchange_token") == "EAAshortlived"
    assert long_lived.arg("client_secret") == APP_SECRET
    pages = graph.only("GET", v("me/accounts"))
    assert pages.header("Authorization") == "Bearer EAAlonglived"
    assert "instagram_business_account" in pages.arg("fields")

    choice = client.get(PICK).content.decode()
    assert "CCI Lyon Métropole" in choice and "Salon des entrepreneurs" in choice
    assert "EAApagetoken" not in choice  # Page tokens never reach the browser

    done = client.post(PICK, {"pages": [PAGE_ID]})

    assert done.status_code == 302 and done["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get(network="facebook")
    assert account.workspace == camille.workspace
    assert account.external_id == PAGE_ID
    assert account.handle == "@ccilyon"
    assert account.instance_url == graph.url
    expected_proof = hmac.new(APP_SECRET.encode(), b"EAApagetokenCCI", hashlib.sha256).hexdigest()
    assert account.credentials == {
        "access_token": "EAApagetokenCCI",
        "page_id": PAGE_ID,
        "appsecret_proof": expected_proof,
    }
    assert graph.only("GET", v("me")).header("Authorization") == "Bearer EAApagetokenCCI"
    assert CHOICES_SESSION_KEY not in client.session


def test_an_answer_whose_state_does_not_match_is_refused(
    client: Client, alice: Membership, camille: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)
    _script_facebook(graph)
    _start(_signed_in(client, camille))

    response = client.get(CALLBACK, {"code": "AQBx-code", "state": "forged-state"})

    assert response.status_code == 400
    assert "does not match the sign-in started here" in response.content.decode()
    assert graph.requests == []
    assert not ConnectedAccount.objects.exists()


def test_a_callback_without_a_sign_in_started_here_is_refused(
    client: Client, alice: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)

    response = client.get(CALLBACK, {"code": "AQBx-code", "state": "whatever"})

    assert response.status_code == 400
    assert "was not started here" in response.content.decode()
    assert graph.requests == []


def test_a_refusal_on_facebook_is_explained(client: Client, alice: Membership, camille: Membership) -> None:
    _app_saved(client, alice)
    state = _start(_signed_in(client, camille))["state"]

    response = client.get(
        CALLBACK,
        {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": "Permissions error",
            "state": state,
        },
    )

    assert response.status_code == 400
    assert "Facebook did not allow Parvis to use the account (Permissions error)" in response.content.decode()


def test_a_sign_in_that_gave_access_to_no_page_says_what_to_do(
    client: Client, alice: Membership, camille: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)
    _script_facebook(graph, accounts="empty_list.json")
    state = _start(_signed_in(client, camille))["state"]

    response = client.get(CALLBACK, {"code": "AQBx-code", "state": state})

    assert response.status_code == 400
    assert "gave Parvis access to no Page" in response.content.decode()


def test_a_page_that_was_not_offered_cannot_be_connected(
    client: Client, alice: Membership, camille: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)
    _script_facebook(graph)
    state = _start(_signed_in(client, camille))["state"]
    client.get(CALLBACK, {"code": "AQBx-code", "state": state})

    response = client.post(PICK, {"pages": ["999999999"]})

    assert response.status_code == 400
    assert not ConnectedAccount.objects.exists()


def test_choosing_nothing_asks_for_a_choice(
    client: Client, alice: Membership, camille: Membership, graph: ScriptedServer
) -> None:
    _app_saved(client, alice)
    _script_facebook(graph)
    state = _start(_signed_in(client, camille))["state"]
    client.get(CALLBACK, {"code": "AQBx-code", "state": state})

    response = client.post(PICK, {})

    assert response.status_code == 400
    assert "Choose at least one." in response.content.decode()


def test_the_choice_page_without_a_sign_in_sends_back_to_the_start(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).get(PICK)

    assert response.status_code == 400
    assert "Start again" in response.content.decode()
