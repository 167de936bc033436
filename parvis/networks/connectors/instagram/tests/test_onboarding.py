"""Connecting an Instagram professional account through the UI: Facebook Login, then the linked account."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.facebook.onboarding import INSTAGRAM_SCOPES
from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.connectors.instagram.tests.conftest import IG_ID, PAGE_ID
from parvis.networks.models import ConnectedAccount
from parvis.testing.scripted_http import ScriptedServer

pytestmark = pytest.mark.django_db

CONNECT = reverse("web:instagram_connect")
CALLBACK = reverse("web:facebook_callback")
PICK = reverse("web:instagram_pick")
APP = reverse("web:facebook_app")


@pytest.fixture(autouse=True)
def _meta_on_the_local_server(settings: pytest.FixtureRequest, graph: ScriptedServer) -> None:
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    settings.PARVIS_FACEBOOK_GRAPH_URL = graph.url  # type: ignore[attr-defined]


@pytest.fixture
def signed_in(client: Client, alice: Membership, camille: Membership) -> Client:
    """The owner registered the Meta app; the community manager connects."""
    client.force_login(alice.user)
    assert client.post(APP, {"client_id": "1234567890123456", "client_secret": "secret"}).status_code == 302
    client.force_login(camille.user)
    return client


def _through_facebook(client: Client, graph: ScriptedServer, accounts: str = "me_accounts.json") -> dict[str, str]:
    serve(graph, "POST", "oauth/access_token", "oauth_access_token.json")
    serve(graph, "GET", "oauth/access_token", "long_lived_token.json")
    serve(graph, "GET", "me/accounts", accounts)
    started = client.post(CONNECT)
    assert started.status_code == 302
    query = {key: values[0] for key, values in parse_qs(urlsplit(started["Location"]).query).items()}
    back = client.get(CALLBACK, {"code": "AQBx-code", "state": query["state"]})
    assert back.status_code == 302 and back["Location"] == PICK, back.content.decode()
    return query


def test_the_page_explains_professional_accounts_and_links_to_facebook_login(signed_in: Client) -> None:
    page = signed_in.get(CONNECT).content.decode()

    assert 'id="instagram-connect-form"' in page
    assert "professional accounts" in page


def test_instagram_asks_facebook_login_for_instagrams_permissions(signed_in: Client, graph: ScriptedServer) -> None:
    query = _through_facebook(signed_in, graph)

    assert set(query["scope"].split()) == set(INSTAGRAM_SCOPES)
    assert query["redirect_uri"].endswith("/accounts/facebook/callback/")  # one callback for both networks


def test_the_account_linked_to_the_chosen_page_is_connected(
    signed_in: Client, graph: ScriptedServer, camille: Membership
) -> None:
    _through_facebook(signed_in, graph)
    serve(graph, "GET", IG_ID, "ig_user.json")

    choice = signed_in.get(PICK).content.decode()
    assert "@ccilyon" in choice
    assert 'id="instagram-unlinked"' in choice and "Salon des entrepreneurs" in choice

    done = signed_in.post(PICK, {"pages": [PAGE_ID]})

    assert done.status_code == 302
    account = ConnectedAccount.objects.get(network="instagram")
    assert account.workspace == camille.workspace
    assert account.external_id == IG_ID
    assert account.handle == "@ccilyon"
    assert account.profile_url == "https://www.instagram.com/ccilyon/"
    assert account.credentials["access_token"] == "EAApagetokenCCI"
    assert account.credentials["ig_user_id"] == IG_ID
    assert account.credentials["page_id"] == PAGE_ID
    assert graph.only("GET", v(IG_ID)).header("Authorization") == "Bearer EAApagetokenCCI"


def test_a_page_without_instagram_account_cannot_be_chosen(signed_in: Client, graph: ScriptedServer) -> None:
    _through_facebook(signed_in, graph)

    response = signed_in.post(PICK, {"pages": ["211004509876543"]})

    assert response.status_code == 400
    assert not ConnectedAccount.objects.exists()


def test_no_linked_account_at_all_is_explained(signed_in: Client, graph: ScriptedServer) -> None:
    _through_facebook(signed_in, graph, accounts="me_accounts_no_instagram.json")

    page = signed_in.get(PICK).content.decode()

    assert "None of the Pages you chose has an Instagram professional account linked to it." in page
    assert "switch to a professional account" in page
    assert 'id="instagram-pick-form"' not in page


def test_the_choices_of_a_facebook_sign_in_are_not_offered_for_instagram(
    signed_in: Client, graph: ScriptedServer
) -> None:
    serve(graph, "POST", "oauth/access_token", "oauth_access_token.json")
    serve(graph, "GET", "oauth/access_token", "long_lived_token.json")
    serve(graph, "GET", "me/accounts", "me_accounts.json")
    started = signed_in.post(reverse("web:facebook_connect"))
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    signed_in.get(CALLBACK, {"code": "AQBx-code", "state": state})

    response = signed_in.get(PICK)

    assert response.status_code == 400  # granted for Pages, not for Instagram: start again
