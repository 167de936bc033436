"""Connecting an account through the pages: OAuth over HTTPS end to end, a pasted token, and the refusals."""

from __future__ import annotations

import re
import socket
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.mastodon.views import SESSION_KEY
from parvis.networks.models import ConnectedAccount, OAuthClient
from parvis.testing.mastodon import MastodonMockServer, TLSMaterial

CONNECT = reverse("web:mastodon_connect")
TOKEN = reverse("web:mastodon_token")
CALLBACK = reverse("web:mastodon_callback")
ACCOUNTS = reverse("web:accounts")


@pytest.fixture(autouse=True)
def _in_english(settings: pytest.FixtureRequest) -> None:
    """The pages are French by default; these tests read the English source strings."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _approve_on_the_instance(authorize_url: str, username: str, tls: TLSMaterial) -> str:
    """What the person does on their instance: open the authorisation page, pick the account, allow.

    mastodon-mock renders an account picker whose form posts back to /oauth/authorize and
    redirects to Parvis's callback with `code` and `state`. Returns that callback URL.
    """
    with requests.Session() as browser:
        browser.verify = str(tls.ca_path)
        page = browser.get(authorize_url, timeout=10)
        page.raise_for_status()
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
        answer = browser.post(
            f"{origin}/oauth/authorize", data={**hidden, "username": username}, allow_redirects=False, timeout=10
        )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _local(url: str) -> str:
    """The path and query of an absolute URL, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- the page and who may use it ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_offers_both_ways_to_connect(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).get(CONNECT)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="mastodon-oauth-form"' in content
    assert 'id="mastodon-token-form"' in content


@pytest.mark.django_db
def test_members_who_cannot_manage_accounts_are_refused(client: Client, theo: Membership) -> None:
    signed_in = _signed_in(client, theo)

    assert signed_in.get(CONNECT).status_code == 403
    assert signed_in.post(TOKEN, {"instance_url": "mastodon.social", "access_token": "x"}).status_code == 403
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.django_db
def test_visitors_who_are_not_signed_in_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(CONNECT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


# --- pasting a token ------------------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.django_db
def test_a_pasted_token_connects_its_account(
    client: Client, camille: Membership, mastodon_server: MastodonMockServer
) -> None:
    org = mastodon_server.create_account("cci", display_name="CCI Lyon")

    response = _signed_in(client, camille).post(
        TOKEN, {"instance_url": mastodon_server.base_url, "access_token": org.access_token}
    )

    assert response.status_code == 302
    assert response["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get()
    assert account.workspace == camille.workspace
    assert account.network == "mastodon"
    assert account.instance_url == mastodon_server.base_url
    assert account.external_id == org.id
    assert account.handle == mastodon_server.handle_of(org)
    assert account.credentials == {"access_token": org.access_token}


@pytest.mark.network
@pytest.mark.django_db
def test_a_token_mastodon_does_not_accept_is_a_form_error_and_nothing_is_created(
    client: Client, camille: Membership, mastodon_server: MastodonMockServer
) -> None:
    response = _signed_in(client, camille).post(
        TOKEN, {"instance_url": mastodon_server.base_url, "access_token": "not-a-token"}
    )

    assert response.status_code == 400
    assert "does not accept this account&#x27;s access token" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.network
@pytest.mark.django_db
def test_an_instance_that_is_down_is_a_form_error(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).post(
        TOKEN, {"instance_url": f"http://127.0.0.1:{_closed_port()}", "access_token": "token"}
    )

    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.django_db
def test_an_instance_resolving_to_a_private_address_is_refused(
    client: Client, camille: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "mastodon.evil.example":  # a public-looking name pointing inside the network
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    response = _signed_in(client, camille).post(
        TOKEN, {"instance_url": "mastodon.evil.example", "access_token": "token"}
    )

    assert response.status_code == 400
    assert "non-public address 10.0.0.7" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


# --- OAuth ----------------------------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.django_db
def test_oauth_connects_the_account_the_person_allowed(
    client: Client, camille: Membership, mastodon_tls_server: MastodonMockServer, mastodon_tls: TLSMaterial
) -> None:
    org = mastodon_tls_server.create_account("cci", display_name="CCI Lyon")
    signed_in = _signed_in(client, camille)

    started = signed_in.post(CONNECT, {"instance_url": mastodon_tls_server.base_url})

    assert started.status_code == 302
    authorize_url = started["Location"]
    assert authorize_url.startswith(f"{mastodon_tls_server.base_url}/oauth/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["scope"] == ["read write follow"]
    assert query["redirect_uri"][0].endswith(CALLBACK)

    back = _approve_on_the_instance(authorize_url, "cci", mastodon_tls)
    finished = signed_in.get(_local(back))

    assert finished.status_code == 302
    assert finished["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get()
    assert account.external_id == org.id
    assert account.instance_url == mastodon_tls_server.base_url
    assert account.handle == mastodon_tls_server.handle_of(org)
    token = account.credentials["access_token"]
    assert mastodon_tls_server.client(token).account_verify_credentials()["id"] == org.id
    assert SESSION_KEY not in signed_in.session


@pytest.mark.network
@pytest.mark.django_db
def test_parvis_registers_itself_once_per_instance_and_keeps_the_secret_encrypted(
    client: Client, camille: Membership, mastodon_tls_server: MastodonMockServer
) -> None:
    signed_in = _signed_in(client, camille)

    signed_in.post(CONNECT, {"instance_url": mastodon_tls_server.base_url})
    signed_in.post(CONNECT, {"instance_url": mastodon_tls_server.base_url})

    registered = OAuthClient.objects.get()
    secret = registered.credentials["client_secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM networks_oauthclient WHERE id = %s", [registered.pk])
        [stored] = cursor.fetchone()
    assert secret not in stored


@pytest.mark.network
@pytest.mark.django_db
def test_oauth_on_plain_http_is_refused_with_a_way_out(
    client: Client, camille: Membership, mastodon_server: MastodonMockServer
) -> None:
    response = _signed_in(client, camille).post(CONNECT, {"instance_url": mastodon_server.base_url})

    assert response.status_code == 400
    assert "needs an https:// address" in response.content.decode()
    assert OAuthClient.objects.count() == 0


@pytest.mark.django_db
def test_oauth_on_a_private_address_is_refused(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).post(CONNECT, {"instance_url": "https://192.168.1.10"})

    assert response.status_code == 400
    assert "non-public address 192.168.1.10" in response.content.decode()
    assert OAuthClient.objects.count() == 0


@pytest.mark.network
@pytest.mark.django_db
def test_an_answer_with_another_state_is_refused(
    client: Client, camille: Membership, mastodon_tls_server: MastodonMockServer, mastodon_tls: TLSMaterial
) -> None:
    mastodon_tls_server.create_account("cci")
    signed_in = _signed_in(client, camille)
    started = signed_in.post(CONNECT, {"instance_url": mastodon_tls_server.base_url})
    back = _approve_on_the_instance(started["Location"], "cci", mastodon_tls)
    forged = re.sub(r"state=[^&]+", "state=forged", _local(back))

    response = signed_in.get(forged)

    assert response.status_code == 400
    assert "does not match the sign-in started here" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.django_db
def test_an_answer_nobody_asked_for_is_refused(client: Client, camille: Membership) -> None:
    response = _signed_in(client, camille).get(CALLBACK, {"code": "mockcode_cci", "state": "anything"})

    assert response.status_code == 400
    assert "was not started here" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.network
@pytest.mark.django_db
def test_a_person_who_declines_on_mastodon_sees_why(
    client: Client, camille: Membership, mastodon_tls_server: MastodonMockServer
) -> None:
    signed_in = _signed_in(client, camille)
    signed_in.post(CONNECT, {"instance_url": mastodon_tls_server.base_url})

    response = signed_in.get(CALLBACK, {"error": "access_denied", "error_description": "The user declined"})

    assert response.status_code == 400
    assert "The user declined" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0
