"""Connecting a YouTube channel through the pages, against a local Google (authorize page, token endpoint, API).

Until the lead wires YouTube in (registry, INSTALLED_APPS, parvis/web/urls.py), the `youtube_wired`
fixture registers it for these tests only: the connector in the registry, the templates directory,
and a URL configuration that adds the onboarding pages (tests/urls.py).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks import oauth2, registry
from parvis.networks.connectors.youtube.tests.conftest import CHANNEL_ID, fixture
from parvis.networks.models import ConnectedAccount, OAuthClient
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

TEMPLATES_DIR = Path(__file__).parents[1] / "templates"
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"


@pytest.fixture(autouse=True)
def youtube_wired(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What the lead's wiring does, for these tests: registry entry, templates, URLs."""
    monkeypatch.setitem(registry.CONNECTORS, "youtube", "parvis.networks.connectors.youtube.connector.YouTubeConnector")
    registry.get_connector_class.cache_clear()
    registry.publishing_networks.cache_clear()
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0].get("DIRS", []), str(TEMPLATES_DIR)]
    settings.TEMPLATES = templates
    settings.ROOT_URLCONF = "parvis.networks.connectors.youtube.tests.urls"
    settings.LANGUAGE_CODE = "en"
    yield
    registry.get_connector_class.cache_clear()
    registry.publishing_networks.cache_clear()


@pytest.fixture
def local_google(yt_server: ScriptedServer, settings: Any) -> ScriptedServer:
    """Google's consent page, token endpoint and the YouTube API on loopback; the person approves."""
    settings.PARVIS_YOUTUBE_API_URL = yt_server.url
    settings.PARVIS_YOUTUBE_AUTHORIZE_URL = f"{yt_server.url}/o/oauth2/v2/auth"
    settings.PARVIS_YOUTUBE_TOKEN_URL = f"{yt_server.url}/token"
    settings.PARVIS_BASE_URL = "https://parvis.example"
    challenges: dict[str, str] = {}

    def authorize(request: Recorded) -> Reply:
        code = f"4/code-{len(challenges) + 1}"
        challenges[code] = request.arg("code_challenge")
        target = request.arg("redirect_uri") + "?" + urlencode({"state": request.arg("state"), "code": code})
        return Reply(status=302, headers={"Location": target})

    def token(request: Recorded) -> Reply:
        form = request.form()
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenges.get(form.get("code", "")) != expected or form.get("client_secret") != "yt-secret":
            return Reply(status=400, json={"error": "invalid_grant", "error_description": "Bad Request"})
        return Reply(json=fixture("token.json"))

    yt_server.add("GET", "/o/oauth2/v2/auth", handler=authorize)
    yt_server.add("POST", "/token", handler=token)
    yt_server.add("GET", "/youtube/v3/channels", json=fixture("channels_mine.json"))
    return yt_server


@pytest.fixture
def registered(alice: Membership, local_google: ScriptedServer) -> None:
    oauth2.app_credentials_save(
        membership=alice,
        network="youtube",
        instance_url=local_google.url,
        redirect_uri="https://parvis.example" + reverse("web:youtube_callback"),
        client_id="yt-client.apps.googleusercontent.com",
        client_secret="yt-secret",
    )


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def _approve(authorize_url: str) -> str:
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def test_the_registry_fixture_makes_youtube_a_known_network() -> None:
    assert registry.display_name("youtube") == "YouTube"
    assert "youtube" not in registry.publishing_networks()  # it reads and moderates; it publishes nothing


def test_an_owner_is_asked_for_the_app_when_there_is_none(client: Client, alice: Membership, local_google: Any) -> None:
    content = _signed_in(client, alice).get(reverse("web:youtube_connect")).content.decode()

    assert 'id="youtube-no-app"' in content
    assert 'id="youtube-app-form"' in content
    assert "https://parvis.example/accounts/youtube/callback/" in content


def test_a_community_manager_cannot_enter_the_app(client: Client, camille: Membership, local_google: Any) -> None:
    signed_in = _signed_in(client, camille)

    assert signed_in.post(reverse("web:youtube_app"), {"client_id": "id", "client_secret": "s"}).status_code == 403
    assert OAuthClient.objects.count() == 0


def test_an_owner_saves_the_app(client: Client, alice: Membership, local_google: ScriptedServer) -> None:
    signed_in = _signed_in(client, alice)

    response = signed_in.post(
        reverse("web:youtube_app"), {"client_id": "yt-client.apps.googleusercontent.com", "client_secret": "yt-secret"}
    )

    assert response.status_code == 302
    assert 'id="youtube-connect-form"' in signed_in.get(reverse("web:youtube_connect")).content.decode()


def test_members_who_cannot_manage_accounts_are_refused(client: Client, theo: Membership, local_google: Any) -> None:
    assert _signed_in(client, theo).get(reverse("web:youtube_connect")).status_code == 403


def test_connecting_goes_through_google_and_stores_the_channel_with_its_tokens(
    client: Client, camille: Membership, local_google: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)

    start = signed_in.post(reverse("web:youtube_connect"))

    assert start.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert start["Location"].startswith(f"{local_google.url}/o/oauth2/v2/auth?")
    assert query["scope"] == SCOPE
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "https://parvis.example/accounts/youtube/callback/"

    done = signed_in.get(_approve(start["Location"]))

    assert done.status_code == 302, done.content.decode()
    account = ConnectedAccount.objects.get()
    assert (account.network, account.external_id, account.handle) == ("youtube", CHANNEL_ID, "@ccilyon")
    assert account.credentials["refresh_token"] == "1//0gRefreshYT"
    assert account.credentials["token_auth_method"] == "client_secret_post"
    exchange = local_google.only("POST", "/token").form()
    assert exchange["grant_type"] == "authorization_code" and exchange["client_secret"] == "yt-secret"
    assert local_google.only("GET", "/youtube/v3/channels").header("Authorization") == "Bearer ya29.a0AfH6SMB"


def test_a_refused_consent_is_shown_clearly(
    client: Client, camille: Membership, local_google: ScriptedServer, registered: None
) -> None:
    signed_in = _signed_in(client, camille)
    start = signed_in.post(reverse("web:youtube_connect"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = signed_in.get(reverse("web:youtube_callback"), {"state": state, "error": "access_denied"})

    assert response.status_code == 400
    assert "Google did not allow Parvis to use the channel (access_denied)" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0


def test_a_google_account_without_a_channel_connects_nothing(
    client: Client, camille: Membership, local_google: ScriptedServer, registered: None
) -> None:
    local_google.reset()
    local_google.add(
        "GET",
        "/o/oauth2/v2/auth",
        handler=lambda r: Reply(
            status=302,
            headers={"Location": r.arg("redirect_uri") + "?" + urlencode({"state": r.arg("state"), "code": "4/x"})},
        ),
    )
    local_google.add("POST", "/token", json=fixture("token.json"))
    local_google.add("GET", "/youtube/v3/channels", json=fixture("channels_none.json"))
    signed_in = _signed_in(client, camille)

    response = signed_in.get(_approve(signed_in.post(reverse("web:youtube_connect"))["Location"]))

    assert response.status_code == 400
    assert "no YouTube channel" in response.content.decode()
    assert ConnectedAccount.objects.count() == 0
