"""The current workspace comes from the signed-in user's memberships, never from the session alone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse

from parvis.core.middleware import SESSION_KEY, CurrentWorkspaceMiddleware
from parvis.core.models import Membership, Role
from parvis.core.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory


def _resolve(rf, user, session_value=None) -> HttpRequest:
    """Run a request through the middleware and return it as the view would see it."""
    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    if session_value is not None:
        request.session[SESSION_KEY] = session_value
    CurrentWorkspaceMiddleware(lambda request: HttpResponse())(request)
    return request


def test_an_anonymous_visitor_has_no_workspace(rf, workspace):
    request = _resolve(rf, AnonymousUser(), session_value=workspace.pk)

    assert request.membership is None
    assert request.workspace is None


def test_a_member_gets_the_workspace_chosen_in_the_session(rf, alice):
    other = MembershipFactory(user=alice.user, workspace=WorkspaceFactory(name="Zénith"), role=Role.ANALYST)

    request = _resolve(rf, alice.user, session_value=other.workspace.pk)

    assert request.workspace == other.workspace
    assert request.membership == other


def test_a_session_naming_a_workspace_the_user_is_not_a_member_of_is_ignored(rf, alice, oscar):
    request = _resolve(rf, alice.user, session_value=oscar.workspace.pk)

    assert request.workspace == alice.workspace
    assert request.membership == alice


def test_an_outsider_never_gets_the_workspace_his_session_names(rf, alice, oscar):
    request = _resolve(rf, oscar.user, session_value=alice.workspace.pk)

    assert request.workspace == oscar.workspace


def test_a_user_without_any_membership_gets_no_workspace_even_if_the_session_names_one(rf, workspace):
    stranger = UserFactory(username="stranger")

    request = _resolve(rf, stranger, session_value=workspace.pk)

    assert request.workspace is None
    assert request.membership is None


def test_a_member_removed_from_the_session_workspace_loses_it(rf, alice):
    kept = MembershipFactory(user=alice.user, workspace=WorkspaceFactory(name="Zénith"))
    Membership.objects.filter(pk=alice.pk).delete()

    request = _resolve(rf, alice.user, session_value=alice.workspace.pk)

    assert request.workspace == kept.workspace


def test_without_a_choice_in_the_session_the_first_workspace_by_name_is_used(rf, alice):
    MembershipFactory(user=alice.user, workspace=WorkspaceFactory(name="Zénith"))
    MembershipFactory(user=alice.user, workspace=WorkspaceFactory(name="Atelier"))

    request = _resolve(rf, alice.user)

    assert request.workspace.name == "Atelier"


@pytest.mark.parametrize("garbled", ["not-a-number", "", "12abc", ["1"]])
def test_a_garbled_session_value_falls_back_to_a_workspace_the_user_belongs_to(rf, alice, garbled):
    request = _resolve(rf, alice.user, session_value=garbled)

    assert request.workspace == alice.workspace


def test_the_workspace_id_may_be_stored_as_a_string(rf, alice):
    other = MembershipFactory(user=alice.user, workspace=WorkspaceFactory(name="Zénith"))

    request = _resolve(rf, alice.user, session_value=str(other.workspace.pk))

    assert request.workspace == other.workspace


def test_the_middleware_is_installed_after_authentication(settings):
    middleware = settings.MIDDLEWARE

    assert middleware.index("parvis.core.middleware.CurrentWorkspaceMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
