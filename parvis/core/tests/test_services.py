"""Core services: workspaces, the team, voices and API tokens."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from parvis.core.models import ApiToken, AuditEntry, Membership, Role, Voice, VoiceKind
from parvis.core.permissions import PermissionDenied
from parvis.core.services import (
    api_token_authenticate,
    api_token_create,
    membership_add,
    voice_create,
    workspace_create,
)
from parvis.core.tests.factories import UserFactory

# --- workspace_create ---------------------------------------------------------------------------


@pytest.fixture
def founder(db):
    return UserFactory(username="founder")


def test_workspace_create_makes_the_creator_its_owner(founder):
    workspace = workspace_create(name="Musée des Confluences", owner=founder)

    assert Membership.objects.get(workspace=workspace).user == founder
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER


def test_workspace_create_gives_it_an_organisation_voice_named_after_it(founder):
    workspace = workspace_create(name="Musée des Confluences", owner=founder)

    voice = Voice.objects.get(workspace=workspace)
    assert (voice.name, voice.kind) == ("Musée des Confluences", VoiceKind.ORGANISATION)


def test_workspace_create_writes_an_audit_entry(founder):
    workspace = workspace_create(name="Musée des Confluences", owner=founder)

    entry = AuditEntry.objects.get(workspace=workspace)
    assert (entry.verb, entry.actor, entry.target_id) == ("workspace.create", founder, str(workspace.pk))


def test_workspace_create_derives_the_slug_from_the_name(founder):
    workspace = workspace_create(name="Musée des Confluences", owner=founder)

    assert workspace.slug == "musee-des-confluences"


def test_workspace_create_picks_a_free_slug_when_the_name_is_taken(founder):
    workspace_create(name="Café du Parc", owner=founder)

    second = workspace_create(name="Café du Parc", owner=founder)

    assert second.slug == "cafe-du-parc-2"


def test_workspace_create_sets_the_time_zone(founder):
    workspace = workspace_create(name="Québec numérique", owner=founder, timezone_name="America/Toronto")

    assert workspace.zone.key == "America/Toronto"


def test_workspace_create_refuses_an_unknown_time_zone_and_writes_nothing(founder):
    with pytest.raises(ValidationError):
        workspace_create(name="Nulle part", owner=founder, timezone_name="Mars/Olympus")

    assert not Membership.objects.filter(user=founder).exists()


# --- membership_add -----------------------------------------------------------------------------


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer")


@pytest.fixture
def manager(workspace):
    return Membership.objects.create(workspace=workspace, user=UserFactory(username="manon"), role=Role.MANAGER)


def test_a_manager_adds_a_teammate_with_a_role(manager, newcomer):
    membership = membership_add(workspace=manager.workspace, user=newcomer, role=Role.CONTRIBUTOR, actor=manager)

    assert (membership.user, membership.role) == (newcomer, Role.CONTRIBUTOR)
    assert AuditEntry.objects.filter(verb="membership.set", actor=manager.user).exists()


def test_adding_an_existing_teammate_changes_their_role(manager, theo):
    membership_add(workspace=manager.workspace, user=theo.user, role=Role.COMMUNITY_MANAGER, actor=manager)

    theo.refresh_from_db()
    assert theo.role == Role.COMMUNITY_MANAGER


def test_a_community_manager_cannot_add_teammates(camille, newcomer):
    with pytest.raises(PermissionDenied):
        membership_add(workspace=camille.workspace, user=newcomer, role=Role.CONTRIBUTOR, actor=camille)


def test_a_manager_cannot_make_anyone_an_owner(manager, newcomer):
    with pytest.raises(PermissionDenied):
        membership_add(workspace=manager.workspace, user=newcomer, role=Role.OWNER, actor=manager)


def test_a_manager_cannot_promote_themselves_to_owner(manager):
    with pytest.raises(PermissionDenied):
        membership_add(workspace=manager.workspace, user=manager.user, role=Role.OWNER, actor=manager)


def test_a_manager_cannot_demote_an_owner(manager, alice):
    with pytest.raises(PermissionDenied):
        membership_add(workspace=alice.workspace, user=alice.user, role=Role.ANALYST, actor=manager)


def test_an_owner_can_make_another_owner(alice, camille):
    membership_add(workspace=alice.workspace, user=camille.user, role=Role.OWNER, actor=alice)

    camille.refresh_from_db()
    assert camille.role == Role.OWNER


def test_the_last_owner_cannot_step_down(alice):
    with translation.override("en"), pytest.raises(ValueError, match="at least one owner"):
        membership_add(workspace=alice.workspace, user=alice.user, role=Role.MANAGER, actor=alice)

    alice.refresh_from_db()
    assert alice.role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(alice, camille):
    membership_add(workspace=alice.workspace, user=camille.user, role=Role.OWNER, actor=alice)

    membership_add(workspace=alice.workspace, user=alice.user, role=Role.MANAGER, actor=alice)

    alice.refresh_from_db()
    assert alice.role == Role.MANAGER


def test_the_owner_of_another_workspace_cannot_add_teammates_here(oscar, workspace, newcomer):
    with pytest.raises(PermissionError):
        membership_add(workspace=workspace, user=newcomer, role=Role.OWNER, actor=oscar)

    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_unknown_role_is_refused(alice, newcomer):
    with pytest.raises(ValueError):
        membership_add(workspace=alice.workspace, user=newcomer, role="intern", actor=alice)


# --- voice_create -------------------------------------------------------------------------------


def test_a_community_manager_creates_a_voice(camille):
    voice = voice_create(workspace=camille.workspace, name="Le président", kind=VoiceKind.EXECUTIVE, actor=camille)

    assert voice.workspace == camille.workspace
    assert AuditEntry.objects.filter(verb="voice.create", target_id=str(voice.pk)).exists()


def test_a_contributor_cannot_create_a_voice(theo):
    with pytest.raises(PermissionDenied):
        voice_create(workspace=theo.workspace, name="Moi", kind=VoiceKind.PERSONA, actor=theo)


def test_the_owner_of_another_workspace_cannot_create_a_voice_here(oscar, workspace):
    with pytest.raises(PermissionError):
        voice_create(workspace=workspace, name="Intrus", kind=VoiceKind.BRAND, actor=oscar)

    assert not Voice.objects.filter(workspace=workspace).exists()


# --- API tokens ---------------------------------------------------------------------------------


def test_an_api_token_is_stored_as_its_sha256_digest_only(camille):
    token, raw = api_token_create(membership=camille, name="zapier")

    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = {getattr(token, field.attname) for field in ApiToken._meta.concrete_fields}
    assert raw not in stored
    assert token.prefix == raw[:10]


def test_the_raw_token_is_given_once_and_cannot_be_read_back(camille):
    token, raw = api_token_create(membership=camille, name="zapier")

    reloaded = ApiToken.objects.get(pk=token.pk)
    assert not any(raw in str(value) for value in vars(reloaded).values())


def test_each_token_is_different(camille):
    _first, raw_first = api_token_create(membership=camille, name="one")
    _second, raw_second = api_token_create(membership=camille, name="two")

    assert raw_first != raw_second


def test_creating_a_token_is_audited_without_the_token(camille):
    token, raw = api_token_create(membership=camille, name="zapier")

    entry = AuditEntry.objects.get(verb="api_token.create")
    assert (entry.actor, entry.target_id) == (camille.user, str(token.pk))
    assert raw not in entry.summary


def test_a_token_authenticates_as_its_membership(camille):
    _token, raw = api_token_create(membership=camille, name="zapier")

    assert api_token_authenticate(raw=raw) == camille


def test_a_token_acts_in_its_own_workspace_only(camille, oscar):
    # Oscar's user is also on Camille's team: his token made in his workspace still acts there.
    Membership.objects.create(workspace=camille.workspace, user=oscar.user, role=Role.ANALYST)
    _token, raw = api_token_create(membership=oscar, name="brasserie")

    assert api_token_authenticate(raw=raw).workspace == oscar.workspace


def test_an_unknown_token_is_refused(camille):
    api_token_create(membership=camille, name="zapier")

    assert api_token_authenticate(raw="pv_unknown") is None


def test_a_revoked_token_is_refused(camille):
    token, raw = api_token_create(membership=camille, name="zapier")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert api_token_authenticate(raw=raw) is None


def test_a_token_of_a_user_removed_from_the_workspace_is_refused(camille):
    _token, raw = api_token_create(membership=camille, name="zapier")
    Membership.objects.filter(pk=camille.pk).delete()

    assert api_token_authenticate(raw=raw) is None


def test_a_token_of_a_deactivated_user_is_refused(camille):
    _token, raw = api_token_create(membership=camille, name="zapier")
    camille.user.is_active = False
    camille.user.save()

    assert api_token_authenticate(raw=raw) is None


def test_a_token_follows_its_users_current_role(camille):
    _token, raw = api_token_create(membership=camille, name="zapier")
    Membership.objects.filter(pk=camille.pk).update(role=Role.ANALYST)

    assert api_token_authenticate(raw=raw).role == Role.ANALYST


def test_using_a_token_records_when_it_was_last_used(camille):
    token, raw = api_token_create(membership=camille, name="zapier")

    api_token_authenticate(raw=raw)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_refused_token_does_not_record_a_use(camille):
    token, raw = api_token_create(membership=camille, name="zapier")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    api_token_authenticate(raw=raw)

    token.refresh_from_db()
    assert token.last_used_at is None
