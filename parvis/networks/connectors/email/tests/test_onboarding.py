"""Connecting a mailbox through its page, checked against Dovecot and aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from parvis.core.models import Membership
from parvis.networks.connectors.email.forms import MailboxConnectForm
from parvis.networks.models import ConnectedAccount
from parvis.testing.mail import DovecotServer, SmtpSink

APP = "parvis.networks.connectors.email"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(settings: pytest.FixtureRequest, email_registered: None) -> Iterator[None]:
    """The onboarding URLs and templates, whether or not the lead has wired them yet; English strings."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    try:
        reverse("web:email_connect")
    except Exception:  # noqa: BLE001 - not wired yet
        settings.ROOT_URLCONF = "parvis.networks.connectors.email.tests.urls"  # type: ignore[attr-defined]
    installed = list(settings.INSTALLED_APPS)  # type: ignore[attr-defined]
    if APP not in installed:
        settings.INSTALLED_APPS = [*installed, APP]  # type: ignore[attr-defined]
    yield


def _signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


def test_the_page_asks_for_imap_and_smtp(client: Client, camille: Membership) -> None:
    page = _signed_in(client, camille).get(reverse("web:email_connect"))

    assert page.status_code == 200
    html = page.content.decode()
    for field in ("from_address", "imap_host", "imap_port", "imap_password", "smtp_host", "sent_folder"):
        assert f'name="{field}"' in html


def test_only_members_who_manage_accounts_get_the_page(client: Client, theo: Membership) -> None:
    assert _signed_in(client, theo).get(reverse("web:email_connect")).status_code == 403


def test_smtp_credentials_default_to_the_imap_ones() -> None:
    form = MailboxConnectForm(
        {
            "from_address": "Contact@Example.org",
            "imap_host": "imap.example.org",
            "imap_port": "993",
            "imap_security": "ssl",
            "imap_username": "contact",
            "imap_password": "secret",
            "folder": "INBOX",
            "smtp_host": "smtp.example.org",
            "smtp_port": "465",
            "smtp_security": "ssl",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["smtp_username"] == "contact"
    assert form.cleaned_data["smtp_password"] == "secret"
    assert form.cleaned_data["from_address"] == "contact@example.org"


@pytest.mark.network
def test_a_mailbox_is_connected_after_both_servers_accept_it(
    client: Client, camille: Membership, dovecot_server: DovecotServer, smtp_server: SmtpSink
) -> None:
    box = dovecot_server.add_mailbox("cci")
    fields = dovecot_server.settings_for(box, smtp_server)

    response = _signed_in(client, camille).post(reverse("web:email_connect"), fields)

    assert response.status_code == 302, response.content.decode()[:3000]
    account = ConnectedAccount.objects.get(workspace=camille.workspace, network="email")
    assert (account.external_id, account.handle, account.display_name) == (box.address, box.address, "CCI Lyon")
    assert account.instance_url == f"imap://127.0.0.1:{dovecot_server.port}"


@pytest.mark.network
def test_a_wrong_password_says_so_and_connects_nothing(
    client: Client, camille: Membership, dovecot_server: DovecotServer, smtp_server: SmtpSink
) -> None:
    box = dovecot_server.add_mailbox("cci")
    fields = dovecot_server.settings_for(box, smtp_server, imap_password="wrong")

    response = _signed_in(client, camille).post(reverse("web:email_connect"), fields)

    assert response.status_code == 400
    assert "refused the user name or password" in response.content.decode()
    assert not ConnectedAccount.objects.filter(network="email").exists()
