"""Bearer tokens: who may call the API, and as which membership."""

from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import ApiToken, Membership
from parvis.core.services import api_token_create


def test_a_request_without_a_token_is_refused_with_401(api, workspace):
    response = api.get("/accounts")

    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_errors_are_in_french_when_the_client_asks_for_it(client, workspace):
    english = client.get("/api/v1/accounts", headers={"Accept-Language": "en"}).json()["detail"]
    french = client.get("/api/v1/accounts", headers={"Accept-Language": "fr"}).json()["detail"]

    assert english == "Missing, unknown or revoked API token."
    assert french != english


def test_an_unknown_token_is_refused_with_401(api, workspace):
    response = api.with_token("pv_not-a-real-token").get("/accounts")

    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0"])
def test_an_authorization_header_that_is_not_a_bearer_token_is_refused_with_401(client, camille, header):
    response = client.get("/api/v1/accounts", headers={"Authorization": header})

    assert response.status_code == 401


def test_a_revoked_token_is_refused_with_401(api, camille):
    token, raw = api_token_create(membership=camille, name="script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    response = api.with_token(raw).get("/accounts")

    assert response.status_code == 401


def test_a_token_of_a_user_removed_from_the_workspace_is_refused_with_401(api, camille):
    _token, raw = api_token_create(membership=camille, name="script")
    Membership.objects.filter(pk=camille.pk).delete()

    response = api.with_token(raw).get("/accounts")

    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_is_refused_with_401(api, camille):
    _token, raw = api_token_create(membership=camille, name="script")
    camille.user.is_active = False
    camille.user.save()

    response = api.with_token(raw).get("/accounts")

    assert response.status_code == 401


def test_a_valid_token_is_accepted(api, camille):
    response = api.as_(camille).get("/accounts")

    assert response.status_code == 200


def test_the_workspace_comes_from_the_token_even_when_the_browser_session_names_another(
    api, client, alice, oscar, account
):
    # Oscar is signed in to the web interface of his own workspace and uses his token: the session
    # pointing at Alice's workspace (tampered or stale) must not matter to the API.
    client.force_login(oscar.user)
    session = client.session
    session["parvis_workspace_id"] = alice.workspace.pk
    session.save()

    response = api.as_(oscar).get("/accounts", workspace_id=alice.workspace.pk)

    assert response.status_code == 200
    assert response.json() == []


def test_a_signed_in_browser_session_without_a_token_is_refused_with_401(api, client, camille):
    client.force_login(camille.user)

    response = api.get("/accounts")

    assert response.status_code == 401


def test_using_a_token_records_when_it_was_last_used(api, camille):
    token, raw = api_token_create(membership=camille, name="script")

    api.with_token(raw).get("/accounts")

    token.refresh_from_db()
    assert token.last_used_at is not None
