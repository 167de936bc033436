from django.urls import reverse

from parvis.inbox.models import Conversation
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


def test_the_accounts_page_shows_the_last_error_in_full(signed_in, camille, workspace):
    error = "https://blog.example/ returns an HTML page (text/html), not an RSS or Atom feed."
    ConnectedAccountFactory(workspace=workspace, handle="blog.example", status=AccountStatus.ERROR, last_error=error)

    content = signed_in(camille).get(reverse("web:accounts")).content.decode()

    assert error in content
    assert "En erreur" in content


def test_the_feed_form_shows_the_connectors_message(signed_in, camille, monkeypatch):
    # The feed connector is exercised by its own tests; here the fake network stands in for it.
    monkeypatch.setattr("parvis.networks.services.get_connector", lambda network: FakeConnector())
    FakeConnector.fail_next = [PermanentError("This address returns an HTML page, not a feed.")]

    response = signed_in(camille).post(reverse("web:account_feed_add"), {"url": "https://blog.example/"})

    assert response.status_code == 400
    assert "This address returns an HTML page, not a feed." in response.content.decode()


def test_the_feed_form_refuses_what_is_not_an_address(signed_in, camille):
    response = signed_in(camille).post(reverse("web:account_feed_add"), {"url": "pas une adresse"})

    assert response.status_code == 400
    assert not ConnectedAccount.objects.exists()


def test_polling_now_brings_in_what_is_new(signed_in, camille, account):
    from django.utils import timezone

    from parvis.networks.protocol import Author, EventKind, NetworkEvent

    FakeConnector.inbox.append(
        NetworkEvent(
            kind=EventKind.MENTION,
            external_id="fresh",
            occurred_at=timezone.now(),
            author=Author(external_id="a1", handle="@marie"),
            text="Vous êtes là ?",
        )
    )

    response = signed_in(camille).post(reverse("web:account_poll", args=[account.pk]))

    assert response.status_code == 302
    assert Conversation.objects.filter(account=account).exists()


def test_disconnecting_an_account(signed_in, camille, account):
    signed_in(camille).post(reverse("web:account_disconnect", args=[account.pk]))

    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED


def test_an_analyst_cannot_disconnect_an_account(signed_in, nadia, account):
    response = signed_in(nadia).post(reverse("web:account_disconnect", args=[account.pk]), follow=True)

    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE
    assert "ne permet pas de gérer" in response.content.decode()


def test_an_account_of_another_workspace_cannot_be_disconnected(signed_in, oscar, account):
    response = signed_in(oscar).post(reverse("web:account_disconnect", args=[account.pk]))

    assert response.status_code == 404
