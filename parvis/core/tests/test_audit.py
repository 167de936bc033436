"""The audit log: every change to what the organisation says, kept and never rewritten."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import ProtectedError

from parvis.core.models import AuditEntry, Workspace
from parvis.core.selectors import audit_list
from parvis.core.services import audit_record
from parvis.core.tests.factories import WorkspaceFactory


@pytest.fixture
def entry(alice) -> AuditEntry:
    return audit_record(
        workspace=alice.workspace, actor=alice.user, verb="post.publish", target=alice.workspace, summary="Bonjour"
    )


def test_audit_record_stores_actor_verb_target_and_summary(alice):
    entry = audit_record(
        workspace=alice.workspace,
        actor=alice.user,
        verb="voice.create",
        target=alice.workspace,
        summary="Une voix",
        data={"kind": "brand"},
    )

    entry.refresh_from_db()
    assert (entry.actor, entry.verb, entry.summary, entry.data) == (
        alice.user,
        "voice.create",
        "Une voix",
        {"kind": "brand"},
    )
    assert (entry.target_type, entry.target_id) == ("Workspace", str(alice.workspace.pk))


def test_audit_record_accepts_a_target_named_by_a_string(alice):
    entry = audit_record(workspace=alice.workspace, actor=alice.user, verb="export.run", target="Export")

    assert (entry.target_type, entry.target_id) == ("Export", "")


def test_audit_record_by_the_system_or_an_anonymous_visitor_has_no_actor(workspace):
    by_system = audit_record(workspace=workspace, actor=None, verb="scheduler.tick", target=workspace)
    by_visitor = audit_record(workspace=workspace, actor=AnonymousUser(), verb="link.click", target=workspace)

    assert by_system.actor is None
    assert by_visitor.actor is None


def test_audit_record_keeps_the_first_2000_characters_of_a_long_summary(alice):
    entry = audit_record(
        workspace=alice.workspace, actor=alice.user, verb="post.publish", target="Post", summary="a" * 5000
    )

    assert len(entry.summary) == 2000


def test_saving_an_existing_entry_raises(entry):
    entry.summary = "Rewritten history"

    with pytest.raises(PermissionError):
        entry.save()
    entry.refresh_from_db()
    assert entry.summary == "Bonjour"


def test_deleting_an_entry_raises(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_updating_entries_through_a_queryset_raises(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="Rewritten")


def test_updating_entries_through_the_manager_raises(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="Rewritten")


def test_updating_entries_through_the_workspace_raises(entry, workspace):
    with pytest.raises(PermissionError):
        workspace.audit_entries.update(summary="Rewritten")


def test_bulk_updating_entries_raises(entry):
    entry.summary = "Rewritten"

    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update([entry], ["summary"])


def test_deleting_entries_through_a_queryset_raises(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_workspace_with_an_audit_log_cannot_be_deleted(entry, workspace):
    with pytest.raises(ProtectedError):
        Workspace.objects.filter(pk=workspace.pk).delete()


def test_deleting_a_user_keeps_their_entries_without_an_actor(entry, alice):
    alice.user.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.summary == "Bonjour"


def test_audit_list_shows_a_workspaces_entries_newest_first(alice):
    first = audit_record(workspace=alice.workspace, actor=alice.user, verb="first", target="Thing")
    second = audit_record(workspace=alice.workspace, actor=alice.user, verb="second", target="Thing")
    audit_record(workspace=WorkspaceFactory(), actor=None, verb="elsewhere", target="Thing")

    assert list(audit_list(alice.workspace)) == [second, first]
