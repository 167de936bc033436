"""Connecting a LinkedIn page through the pages, against a local LinkedIn (authorize page, token endpoint, API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks import oauth2
from parvis.networks.connectors.linkedin.tests.conftest import ORG, ORG_ID, fixture
from parvis.networks.connectors.linkedin.views import CHOICE_KEY
from parvis.networks.models import ConnectedAccount
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

CONNECT = reverse("web:linkedin_connect")
APP = reverse("web:linkedin_app")
CALLBACK = reverse("web:linkedin_callback")
CHOOSE = reverse("web:linkedin_choose")
ACCOUNTS = reverse("web:accounts")
REDIRECT = "https://parvis.example" + CALLBACK


@pytest.fixture(autouse=True)
def _in_english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def local_linkedin(li_server: ScriptedServer, settings: Any) -> ScriptedServer:
    settings.PARVIS_LINKEDIN_API_URL = li_server.url
    settings.PARVIS_LINKEDIN_AUTHORIZE_URL = f"{li_server.url}/oauth/v2/authorization"
    settings.PARVIS_LINKEDIN_TOKEN_URL = f"{li_server.url}/oauth/v2/accessToken"
    settings.PARVIS_BASE_URL = "https://parvis.example"

    def authorize(request: Recorded) -> Reply:
        target = request.arg("redirect_uri") + "?" + urlencode({"state": request.arg("state"), "code": "li-code"})
        return Reply(status=302, headers={"Location": target})

    def token(request: Recorded) -> Reply:
        form = request.form()
        if (form.get("client_id"), form.get("client_secret"), form.get("code")) != (
            "li-client",
            "li-secret",
            "li-code",
        ):
            return Reply(
                status=401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        return Reply(json=fixture("token.json"))

    li_server.add("GET", "/oauth/v2/authorization", handler=authorize)
    li_server.add("POST", "/oauth/v2/accessToken", handler=token)
    li_server.add("GET", f"/rest/organizations/{ORG_ID}", json=fixture("organization.json"))
    li_server.add("GET", "/rest/organizations/5515715", json=fixture("organization_other.json"))
    return li_server


@pytest.fixture
def registered(alice: Membership, local_linkedin: ScriptedServer) -> None:
    oauth2.app_credentials_save(
        membership=alice,
        network="linkedin",
        instance_url=local_linkedin.url,
        redirect_uri=REDIRECT,
        client_id="li-client",
        client_secret="li-secret",
    )


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def _approve(authorize_url: str) -> str:
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def test_an_owner_is_asked_for_the_app_when_there_is_none(
    client: Client, alice: Membership, local_linkedin: Any
) -> None:
    content = _signed_in(client, alice).get(CONNECT).content.decode()

    assert 'id="linkedin-no-app"' in content
    assert 'id="linkedin-app-form"' in content
    assert REDIRECT in content


def test_an_owner_saves_the_app(client: Client, alice: Membership, local_linkedin: ScriptedServer) -> None:
    signed_in = _signed_in(client, alice)

    assert signed_in.post(APP, {"client_id": "li-client", "client_secret": "li-secret"}).status_code == 302

    app = oauth2.app_credentials(network="linkedin", instance_url=local_linkedin.url, redirect_uri=REDIRECT)
    assert app == oauth2.AppCredentials("li-client", "li-secret", "stored")
    assert 'id="linkedin-connect-form"' in signed_in.get(CONNECT).content.decode()


def test_members_who_cannot_manage_accounts_are_refused(client: Client, theo: Membership, local_linkedin: Any) -> None:
    signed_in = _signed_in(client, theo)

    assert signed_in.get(CONNECT).status_code == 403
    assert signed_in.get(CHOOSE).status_code == 403


def test_a_single_page_is_connected_right_away(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    local_linkedin.add("GET", "/rest/organizationAcls", json=fixture("organization_acls_one.json"))
    signed_in = _signed_in(client, camille)

    start = signed_in.post(CONNECT)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    done = signed_in.get(_approve(start["Location"]))

    assert query["response_type"] == "code"
    assert query["client_id"] == "li-client"
    assert query["redirect_uri"] == REDIRECT
    assert query["scope"] == "r_organization_social w_organization_social rw_organization_admin"
    assert "code_challenge" not in query
    assert done.status_code == 302, done.content.decode()
    assert done["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get()
    assert (account.network, account.external_id, account.display_name) == ("linkedin", ORG_ID, "CCI Lyon Métropole")
    assert account.instance_url == local_linkedin.url
    assert account.credentials["organization_urn"] == ORG
    assert account.credentials["refresh_token"] == "AQWAft_WjYZKwuWXLC5hQlghgTam"
    assert "api_url" not in account.credentials
    exchange = local_linkedin.only("POST", "/oauth/v2/accessToken").form()
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["redirect_uri"] == REDIRECT


def test_with_several_pages_the_person_chooses_one(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    local_linkedin.add("GET", "/rest/organizationAcls", json=fixture("organization_acls.json"))
    signed_in = _signed_in(client, camille)

    back = signed_in.get(_approve(signed_in.post(CONNECT)["Location"]))

    assert back.status_code == 302 and back["Location"] == CHOOSE
    assert "AQUvlL_DYEzvT2wz1QJiEPeLioeA" not in str(signed_in.session[CHOICE_KEY])  # tokens wait encrypted
    page = signed_in.get(CHOOSE).content.decode()
    assert "CCI Lyon Métropole" in page and "Rencontres de l&#x27;export" in page
    assert ConnectedAccount.objects.count() == 0

    done = signed_in.post(CHOOSE, {"organization_id": "5515715"})

    assert done.status_code == 302 and done["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get()
    assert account.external_id == "5515715"
    assert account.credentials["organization_urn"] == "urn:li:organization:5515715"
    assert CHOICE_KEY not in signed_in.session


def test_a_page_not_offered_cannot_be_chosen(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    local_linkedin.add("GET", "/rest/organizationAcls", json=fixture("organization_acls.json"))
    signed_in = _signed_in(client, camille)
    signed_in.get(_approve(signed_in.post(CONNECT)["Location"]))

    response = signed_in.post(CHOOSE, {"organization_id": "999"})

    assert response.status_code == 400
    assert ConnectedAccount.objects.count() == 0


def test_a_member_without_pages_is_told_so(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    local_linkedin.add("GET", "/rest/organizationAcls", json=fixture("organization_acls_none.json"))
    signed_in = _signed_in(client, camille)

    response = signed_in.get(_approve(signed_in.post(CONNECT)["Location"]))

    assert response.status_code == 400
    assert "administers no organisation page" in response.content.decode()


def test_an_answer_with_another_state_is_refused(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    signed_in.post(CONNECT)

    response = signed_in.get(CALLBACK, {"state": "forged", "code": "li-code"})

    assert response.status_code == 400
    assert "does not match the sign-in started here" in response.content.decode()
    assert local_linkedin.received("POST", "/oauth/v2/accessToken") == []


def test_a_cancelled_sign_in_is_shown_clearly(
    client: Client, camille: Membership, local_linkedin: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    state = parse_qs(urlsplit(signed_in.post(CONNECT)["Location"]).query)["state"][0]

    response = signed_in.get(
        CALLBACK,
        {
            "state": state,
            "error": "user_cancelled_authorize",
            "error_description": "The user cancelled the authorization",
        },
    )

    assert response.status_code == 400
    assert "LinkedIn did not allow Parvis to use the page (The user cancelled the authorization)" in (
        response.content.decode()
    )
    assert ConnectedAccount.objects.count() == 0


def test_choosing_without_a_sign_in_is_refused(client: Client, camille: Membership, local_linkedin: Any) -> None:
    response = _signed_in(client, camille).post(CHOOSE, {"organization_id": ORG_ID})

    assert response.status_code == 400
    assert ConnectedAccount.objects.count() == 0
