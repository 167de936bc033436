from django.urls import reverse

from parvis.core.middleware import SESSION_KEY
from parvis.core.tests.factories import MembershipFactory, WorkspaceFactory


def test_sign_in_page_speaks_french_by_default(client, db):
    response = client.get(reverse("web:login"))

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert "Se connecter" in response.content.decode()
    assert "Mot de passe" in response.content.decode()


def test_sign_in_page_speaks_english_when_the_browser_asks(client, db):
    response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="en">' in response.content.decode()
    assert "Sign in" in response.content.decode()
    assert "Password" in response.content.decode()


def test_signing_in_leads_to_the_inbox(client, camille):
    response = client.post(
        reverse("web:login"), {"username": "camille", "password": "parvis-test-password"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("web:inbox")
    assert "Boîte de réception" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, camille):
    response = client.post(reverse("web:login"), {"username": "camille", "password": "nope"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_ask_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("web:inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_signing_out_ends_the_session(signed_in, camille):
    client = signed_in(camille)

    response = client.post(reverse("web:logout"))

    assert response.status_code == 302
    assert client.get(reverse("web:inbox")).status_code == 302


def test_the_language_switcher_posts_to_set_language(signed_in, camille):
    response = signed_in(camille).get(reverse("web:inbox"))

    content = response.content.decode()
    assert f'action="{reverse("set_language")}"' in content
    assert 'value="en"' in content
    assert "English" in content


def test_the_workspace_switcher_moves_to_another_of_the_users_workspaces(signed_in, camille):
    other = WorkspaceFactory(name="Office de tourisme")
    MembershipFactory(workspace=other, user=camille.user)
    client = signed_in(camille)

    response = client.post(reverse("web:workspace_switch"), {"workspace": other.pk}, follow=True)

    assert client.session[SESSION_KEY] == other.pk
    assert response.context["workspace"] == other


def test_the_workspace_switcher_refuses_a_workspace_the_user_is_not_a_member_of(signed_in, camille, oscar):
    client = signed_in(camille)

    response = client.post(reverse("web:workspace_switch"), {"workspace": oscar.workspace_id})

    assert response.status_code == 404
    assert SESSION_KEY not in client.session


def test_a_user_without_workspace_is_told_what_to_do(client, db):
    from parvis.core.tests.factories import UserFactory

    client.force_login(UserFactory(username="nouvelle"))

    response = client.get(reverse("web:inbox"))

    assert response.status_code == 403
    assert "espace de travail" in response.content.decode()
