"""Read-back: finding a post again on the server, by id or by text among the account's own posts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.mastodon import MastodonMockServer, MockAccount

pytestmark = pytest.mark.network


def _request(kind: ActionKind = ActionKind.PUBLISH, **fields: object) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


def test_mastodon_says_it_can_read_back_and_drops_second_copies() -> None:
    assert MastodonConnector.capabilities.read_back
    assert MastodonConnector.capabilities.idempotent_publish


def test_a_post_is_found_by_its_id(connector: MastodonConnector, org_ref: AccountRef) -> None:
    published = connector.execute(org_ref, _request(text="Assemblée générale jeudi."))

    found = connector.locate(org_ref, _request(), external_id=published.external_id)

    assert found is not None
    assert (found.external_id, found.url) == (published.external_id, published.url)


def test_a_deleted_post_is_not_found(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount, org_ref: AccountRef
) -> None:
    published = connector.execute(org_ref, _request(text="Bientôt supprimé."))
    mastodon_server.client(org).status_delete(published.external_id)

    assert connector.locate(org_ref, _request(), external_id=published.external_id) is None


def test_a_post_is_found_by_its_text_among_the_accounts_own_posts(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=5)
    connector.execute(org_ref, _request(text="Un autre message."))
    request = _request(text="Le salon ouvre à 9 h.\n\nEntrée libre : https://cci.example/salon #Lyon")
    published = connector.execute(org_ref, request)

    found = connector.locate(org_ref, request, since=since)

    assert found is not None
    assert found.external_id == published.external_id


def test_a_post_older_than_since_is_not_taken_for_the_request(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    request = _request(text="Même texte.")
    connector.execute(org_ref, request)

    assert connector.locate(org_ref, request, since=datetime.now(UTC) + timedelta(minutes=1)) is None


def test_a_post_that_was_never_published_is_not_found(connector: MastodonConnector, org_ref: AccountRef) -> None:
    connector.execute(org_ref, _request(text="Autre chose."))

    found = connector.locate(org_ref, _request(text="Jamais publié."), since=datetime.now(UTC) - timedelta(minutes=5))

    assert found is None


def test_a_reply_is_found_with_the_mention_parvis_put_in_front(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef
) -> None:
    marie = mastodon_server.create_account("marie")
    question = mastodon_server.client(marie).status_post("Le salon est-il gratuit ?")
    request = _request(
        ActionKind.REPLY,
        text="Oui, entrée libre.",
        in_reply_to_id=str(question["id"]),
        in_reply_to_author=mastodon_server.handle_of(marie),
    )
    published = connector.execute(org_ref, request)

    found = connector.locate(org_ref, request, since=datetime.now(UTC) - timedelta(minutes=5))

    assert found is not None
    assert found.external_id == published.external_id


def test_a_post_is_found_beyond_the_first_page(connector: MastodonConnector, org_ref: AccountRef) -> None:
    since = datetime.now(UTC) - timedelta(minutes=5)
    request = _request(text="Le premier de la série.")
    published = connector.execute(org_ref, request)
    for number in range(45):
        connector.execute(org_ref, _request(text=f"Message {number}"))

    found = connector.locate(org_ref, request, since=since)

    assert found is not None
    assert found.external_id == published.external_id
