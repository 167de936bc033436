"""The role → permission table: what each member of the team may do."""

from __future__ import annotations

import pytest

from parvis.core.models import Role
from parvis.core.permissions import ROLE_PERMISSIONS, Perm, PermissionDenied, role_has
from parvis.core.services import require

READS = {Perm.VIEW_INBOX, Perm.VIEW_LEDGER, Perm.VIEW_ANALYTICS, Perm.VIEW_AUDIT}
WRITES = set(Perm) - READS

# The table as the product describes it; core.permissions must say the same.
EXPECTED: dict[str, set[Perm]] = {
    Role.OWNER: set(Perm),
    Role.MANAGER: set(Perm) - {Perm.MANAGE_WORKSPACE},
    Role.COMMUNITY_MANAGER: {
        Perm.MANAGE_ACCOUNTS,
        Perm.PUBLISH,
        Perm.DRAFT,
        Perm.REPLY,
        Perm.MODERATE,
        Perm.VIEW_INBOX,
        Perm.VIEW_LEDGER,
        Perm.VIEW_ANALYTICS,
    },
    Role.CONTRIBUTOR: {Perm.DRAFT, Perm.VIEW_INBOX, Perm.VIEW_LEDGER},
    Role.ANALYST: READS,
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_the_permissions_of_the_table(role):
    assert {perm for perm in Perm if role_has(role, perm)} == EXPECTED[role]


def test_every_role_has_a_row_in_the_table():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_the_owner_may_do_everything():
    assert all(role_has(Role.OWNER, perm) for perm in Perm)


def test_only_the_owner_manages_the_workspace():
    assert [role for role in Role if role_has(role, Perm.MANAGE_WORKSPACE)] == [Role.OWNER]


def test_a_manager_manages_the_team_but_not_the_workspace():
    assert role_has(Role.MANAGER, Perm.MANAGE_TEAM)
    assert not role_has(Role.MANAGER, Perm.MANAGE_WORKSPACE)


def test_a_community_manager_publishes_and_replies_but_does_not_manage_the_team():
    assert role_has(Role.COMMUNITY_MANAGER, Perm.PUBLISH)
    assert role_has(Role.COMMUNITY_MANAGER, Perm.REPLY)
    assert not role_has(Role.COMMUNITY_MANAGER, Perm.MANAGE_TEAM)


def test_a_contributor_can_draft_but_not_publish():
    assert role_has(Role.CONTRIBUTOR, Perm.DRAFT)
    assert not role_has(Role.CONTRIBUTOR, Perm.PUBLISH)


def test_a_contributor_cannot_answer_the_inbox():
    assert not role_has(Role.CONTRIBUTOR, Perm.REPLY)


def test_community_managers_moderate_contributors_and_analysts_do_not():
    assert [role for role in Role if role_has(role, Perm.MODERATE)] == [
        Role.OWNER,
        Role.MANAGER,
        Role.COMMUNITY_MANAGER,
    ]


def test_an_analyst_reads_only():
    assert {perm for perm in WRITES if role_has(Role.ANALYST, perm)} == set()
    assert all(role_has(Role.ANALYST, perm) for perm in READS)


def test_roles_stored_as_plain_strings_are_understood():
    assert role_has("contributor", Perm.DRAFT)


def test_an_unknown_role_may_do_nothing():
    assert not any(role_has("intern", perm) for perm in Perm)


def test_require_lets_a_permitted_member_through(camille):
    require(camille, Perm.PUBLISH)


def test_require_refuses_the_contributor_publishing_and_names_the_permission(theo):
    with pytest.raises(PermissionDenied) as refused:
        require(theo, Perm.PUBLISH)

    assert refused.value.perm is Perm.PUBLISH


def test_require_refuses_the_analyst_replying(nadia):
    with pytest.raises(PermissionDenied):
        require(nadia, Perm.REPLY)
