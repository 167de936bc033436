from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parvis.community.models import Identity, Member
from parvis.community.services import identities_count_messages, identities_mark_following, identities_resolve
from parvis.core.models import Workspace
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.protocol import Author

MONDAY = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
MARIE = Author(external_id="109", handle="@marie@social.example", display_name="Marie Dupont")


def _resolve(workspace: Workspace, *sightings: tuple[Author, datetime], network: str = "fake") -> dict[str, Identity]:
    return identities_resolve(workspace=workspace, network=network, authors=sightings)


def test_a_new_author_gets_a_member_and_an_identity(workspace: Workspace) -> None:
    identities = _resolve(workspace, (MARIE, MONDAY))

    identity = identities["109"]
    assert (identity.handle, identity.display_name, identity.first_seen_at) == (
        "@marie@social.example",
        "Marie Dupont",
        MONDAY,
    )
    assert identity.member.display_name == "Marie Dupont"
    assert identity.member.workspace == workspace


def test_a_member_without_display_name_is_named_after_the_handle(workspace: Workspace) -> None:
    identities = _resolve(workspace, (Author(external_id="7", handle="@anon@social.example"), MONDAY))

    assert identities["7"].member.display_name == "@anon@social.example"


def test_a_known_author_keeps_the_same_identity(workspace: Workspace) -> None:
    first = _resolve(workspace, (MARIE, MONDAY))["109"]

    again = _resolve(workspace, (MARIE, MONDAY + timedelta(days=1)))["109"]

    assert again.pk == first.pk
    assert Identity.objects.count() == 1
    assert Member.objects.count() == 1


def test_an_author_seen_twice_in_one_batch_gets_one_identity(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY), (MARIE, MONDAY + timedelta(minutes=5)))

    assert Identity.objects.count() == 1


def test_the_same_external_id_in_another_workspace_is_another_person(workspace: Workspace) -> None:
    mine = _resolve(workspace, (MARIE, MONDAY))["109"]

    theirs = _resolve(WorkspaceFactory(), (MARIE, MONDAY))["109"]

    assert theirs.pk != mine.pk
    assert theirs.member_id != mine.member_id


def test_the_same_external_id_on_another_network_is_another_identity(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY))

    _resolve(workspace, (MARIE, MONDAY), network="mastodon")

    assert Identity.objects.filter(workspace=workspace).count() == 2


def test_a_later_sighting_moves_last_seen(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY))

    _resolve(workspace, (MARIE, MONDAY + timedelta(days=2)))

    identity = Identity.objects.select_related("member").get()
    assert identity.last_seen_at == MONDAY + timedelta(days=2)
    assert identity.member.last_seen_at == MONDAY + timedelta(days=2)
    assert identity.first_seen_at == MONDAY


def test_a_renamed_author_gets_the_new_handle(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY))
    renamed = Author(external_id="109", handle="@marie.dupont@social.example", display_name="Marie D.")

    _resolve(workspace, (renamed, MONDAY + timedelta(days=1)))

    identity = Identity.objects.get()
    assert (identity.handle, identity.display_name) == ("@marie.dupont@social.example", "Marie D.")


def test_an_older_sighting_does_not_bring_back_an_old_handle(workspace: Workspace) -> None:
    renamed = Author(external_id="109", handle="@marie.dupont@social.example", display_name="Marie D.")
    _resolve(workspace, (renamed, MONDAY + timedelta(days=1)))

    _resolve(workspace, (MARIE, MONDAY))

    identity = Identity.objects.get()
    assert identity.handle == "@marie.dupont@social.example"
    assert identity.last_seen_at == MONDAY + timedelta(days=1)


def test_an_older_sighting_moves_first_seen_back(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY))

    _resolve(workspace, (MARIE, MONDAY - timedelta(days=3)))

    identity = Identity.objects.select_related("member").get()
    assert identity.first_seen_at == MONDAY - timedelta(days=3)
    assert identity.member.first_seen_at == MONDAY - timedelta(days=3)


def test_the_returned_identities_say_what_is_stored(workspace: Workspace) -> None:
    _resolve(workspace, (MARIE, MONDAY))
    renamed = Author(external_id="109", handle="@marie.dupont@social.example", display_name="Marie D.")

    identity = _resolve(workspace, (renamed, MONDAY + timedelta(days=1)))["109"]

    assert identity.handle == "@marie.dupont@social.example"
    assert identity.last_seen_at == MONDAY + timedelta(days=1)


def test_nobody_to_resolve_writes_nothing(workspace: Workspace) -> None:
    assert _resolve(workspace) == {}
    assert not Member.objects.exists()


def test_message_counts_add_up(workspace: Workspace) -> None:
    identity = _resolve(workspace, (MARIE, MONDAY))["109"]

    identities_count_messages(counts={identity.pk: 2})
    identities_count_messages(counts={identity.pk: 1})

    identity.refresh_from_db()
    assert identity.message_count == 3


def test_following_keeps_the_first_date(workspace: Workspace) -> None:
    identity = _resolve(workspace, (MARIE, MONDAY))["109"]

    identities_mark_following(identities=[identity], since=MONDAY)
    identities_mark_following(identities=[identity], since=MONDAY + timedelta(days=1))

    identity.refresh_from_db()
    assert identity.follows_since == MONDAY
