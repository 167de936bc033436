"""Connecting a Bluesky account through its page: the form, the explanation, the refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.bluesky.forms import PasswordConnectForm, normalise_service_url
from parvis.networks.models import ConnectedAccount
from parvis.testing.atproto import AtprotoDevEnv

CONNECT = reverse("web:bluesky_connect")
ACCOUNTS = reverse("web:accounts")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings: pytest.FixtureRequest) -> None:
    """The pages are French by default; these tests read the English source strings."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def test_the_page_explains_app_passwords(client: Client, camille: Membership) -> None:
    page = _signed_in(client, camille).get(CONNECT)

    assert page.status_code == 200
    html = page.content.decode()
    assert "App passwords" in html
    assert 'name="app_password"' in html
    assert 'value="https://bsky.social"' in html


def test_only_members_who_manage_accounts_get_the_page(client: Client, theo: Membership) -> None:
    assert _signed_in(client, theo).get(CONNECT).status_code == 403


@pytest.mark.atproto
def test_a_handle_and_an_app_password_connect_the_account(
    client: Client, camille: Membership, atproto_network: AtprotoDevEnv
) -> None:
    org = atproto_network.create_account("cci")

    answer = _signed_in(client, camille).post(
        CONNECT,
        {"service_url": atproto_network.pds_url, "identifier": f"@{org.handle}", "app_password": org.app_password},
    )

    assert answer.status_code == 302 and answer["Location"] == ACCOUNTS
    account = ConnectedAccount.objects.get(workspace=camille.workspace, network="bluesky")
    assert account.external_id == org.did
    assert account.instance_url == atproto_network.pds_url


@pytest.mark.atproto
def test_a_wrong_password_is_shown_with_bluesky_s_reason_and_nothing_is_stored(
    client: Client, camille: Membership, atproto_network: AtprotoDevEnv
) -> None:
    org = atproto_network.create_account("cci")

    answer = _signed_in(client, camille).post(
        CONNECT, {"service_url": atproto_network.pds_url, "identifier": org.handle, "app_password": "my-password"}
    )

    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Invalid identifier or password" in html
    assert "does not look like an app password" in html
    assert not ConnectedAccount.objects.filter(network="bluesky").exists()


def test_an_unreachable_service_is_shown_as_an_error(client: Client, camille: Membership) -> None:
    answer = _signed_in(client, camille).post(
        CONNECT, {"service_url": "http://127.0.0.1:9", "identifier": "cci.test", "app_password": "abcd-efgh-ijkl-mnop"}
    )

    assert answer.status_code == 400
    assert "could not be reached" in answer.content.decode()


def test_hostile_text_in_an_error_is_shown_as_text(client: Client, camille: Membership) -> None:
    answer = _signed_in(client, camille).post(
        CONNECT, {"service_url": "javascript:alert(1)", "identifier": "<script>x</script>", "app_password": "x"}
    )

    assert answer.status_code == 400
    assert "<script>x</script>" not in answer.content.decode()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "https://bsky.social"),
        ("bsky.social", "https://bsky.social"),
        ("https://PDS.example.org/", "https://pds.example.org"),
        ("http://127.0.0.1:2583", "http://127.0.0.1:2583"),
        ("https://pds.example.org:443", "https://pds.example.org"),
    ],
)
def test_service_addresses_are_normalised(typed: str, expected: str) -> None:
    assert normalise_service_url(typed) == expected


def test_the_form_strips_the_at_sign_and_spots_what_is_not_an_app_password() -> None:
    form = PasswordConnectForm(
        data={"service_url": "", "identifier": " @cci.bsky.social ", "app_password": "abcd-efgh-ijkl-mnop"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["identifier"] == "cci.bsky.social"
    assert form.cleaned_data["service_url"] == "https://bsky.social"
    assert form.looks_like_app_password()
    other = PasswordConnectForm(data={"identifier": "cci.bsky.social", "app_password": "hunter2"})
    assert other.is_valid() and not other.looks_like_app_password()
