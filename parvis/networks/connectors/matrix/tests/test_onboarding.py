"""Connecting a Matrix account through its page: a token or a password login, against Synapse."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.matrix.forms import MatrixConnectForm, normalise_homeserver
from parvis.networks.models import ConnectedAccount
from parvis.testing.matrix import SynapseServer

APP = "parvis.networks.connectors.matrix"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(settings: pytest.FixtureRequest, matrix_registered: None) -> Iterator[None]:
    """The onboarding URLs and templates, whether or not the lead has wired them yet; English strings."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    if "web:matrix_connect" not in _known_names():
        settings.ROOT_URLCONF = "parvis.networks.connectors.matrix.tests.urls"  # type: ignore[attr-defined]
    installed = list(settings.INSTALLED_APPS)  # type: ignore[attr-defined]
    if APP not in installed:
        settings.INSTALLED_APPS = [*installed, APP]  # type: ignore[attr-defined]
    yield


def _known_names() -> set[str]:
    try:
        reverse("web:matrix_connect")
    except Exception:  # noqa: BLE001 - NoReverseMatch or a namespace not there
        return set()
    return {"web:matrix_connect"}


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def test_the_page_offers_a_token_or_a_password(client: Client, camille: Membership) -> None:
    page = _signed_in(client, camille).get(reverse("web:matrix_connect"))

    assert page.status_code == 200
    html = page.content.decode()
    for field in ("homeserver", "access_token", "user", "password", "default_room", "auto_join"):
        assert f'name="{field}"' in html
    assert "Access token" in html


def test_only_members_who_manage_accounts_get_the_page(client: Client, theo: Membership) -> None:
    assert _signed_in(client, theo).get(reverse("web:matrix_connect")).status_code == 403


def test_the_form_needs_a_token_or_a_user_and_password() -> None:
    form = MatrixConnectForm({"homeserver": "matrix.example.org"})

    assert not form.is_valid()
    assert "Paste an access token" in str(form.non_field_errors())
    assert normalise_homeserver("Matrix.Example.org/") == "https://matrix.example.org"
    assert not MatrixConnectForm({"homeserver": "x.org", "user": "bob", "password": "p"}).is_valid()
    assert not MatrixConnectForm({"homeserver": "ftp://x.org", "access_token": "t"}).is_valid()


@pytest.mark.network
def test_a_user_id_and_password_connect_the_account_and_the_password_is_not_kept(
    client: Client, camille: Membership, synapse_server: SynapseServer
) -> None:
    org = synapse_server.register("cci", display_name="CCI Lyon")

    response = _signed_in(client, camille).post(
        reverse("web:matrix_connect"),
        {
            "homeserver": synapse_server.base_url,
            "user": org.user_id,
            "password": org.password,
            "default_room": "#annonces:parvis.test",
            "auto_join": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    account = ConnectedAccount.objects.get(workspace=camille.workspace, network="matrix")
    assert account.external_id == org.user_id
    assert account.handle == org.user_id
    assert account.display_name == "CCI Lyon"
    credentials = account.credentials
    assert credentials["access_token"] and credentials["access_token"] != org.access_token
    assert credentials["default_room"] == "#annonces:parvis.test"
    assert credentials["auto_join"] is True
    assert org.password not in repr(credentials)


@pytest.mark.network
def test_a_pasted_token_connects_the_account(
    client: Client, camille: Membership, synapse_server: SynapseServer
) -> None:
    org = synapse_server.register("cci")

    response = _signed_in(client, camille).post(
        reverse("web:matrix_connect"), {"homeserver": synapse_server.base_url, "access_token": org.access_token}
    )

    assert response.status_code == 302
    account = ConnectedAccount.objects.get(workspace=camille.workspace, network="matrix")
    assert account.credentials["user_id"] == org.user_id
    assert account.credentials["auto_join"] is False


@pytest.mark.network
def test_a_wrong_password_or_token_says_so_and_connects_nothing(
    client: Client, camille: Membership, synapse_server: SynapseServer
) -> None:
    org = synapse_server.register("cci")
    signed_in = _signed_in(client, camille)

    wrong_password = signed_in.post(
        reverse("web:matrix_connect"),
        {"homeserver": synapse_server.base_url, "user": org.user_id, "password": "not-it"},
    )
    wrong_token = signed_in.post(
        reverse("web:matrix_connect"), {"homeserver": synapse_server.base_url, "access_token": "syt_nope"}
    )

    for response in (wrong_password, wrong_token):
        assert response.status_code == 400
        assert "refused these credentials" in response.content.decode()
    assert not ConnectedAccount.objects.filter(network="matrix").exists()
