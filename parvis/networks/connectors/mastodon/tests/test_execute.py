"""Writing: publish, reply, favourite, delete, checked through the mock's own API."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, MediaFile
from parvis.testing.mastodon import MastodonMockServer, MockAccount

pytestmark = pytest.mark.network


def _request(kind: ActionKind, **fields: object) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


def test_publish_posts_the_text_and_returns_its_id_and_url(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount, org_ref: AccountRef
) -> None:
    result = connector.execute(org_ref, _request(ActionKind.PUBLISH, text="Workshops open on 3 April."))

    status = mastodon_server.client(org).status(result.external_id)
    assert status["account"]["id"] == org.id
    assert "Workshops open on 3 April." in status["content"]
    assert result.url == status["url"]


def test_publish_uploads_the_image_with_its_description(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    square_png: Path,
) -> None:
    image = MediaFile(path=str(square_png), mime_type="image/png", alt_text="A red square, our new logo.")

    result = connector.execute(org_ref, _request(ActionKind.PUBLISH, text="New logo!", media=(image,)))

    status = mastodon_server.client(org).status(result.external_id)
    [attachment] = status["media_attachments"]
    assert attachment["description"] == "A red square, our new logo."
    assert attachment["type"] == "image"


def test_publishing_twice_with_one_idempotency_key_makes_one_post(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount, org_ref: AccountRef
) -> None:
    request = _request(ActionKind.PUBLISH, text="Only once, please.")

    first = connector.execute(org_ref, request)
    second = connector.execute(org_ref, request)

    assert first.external_id == second.external_id
    assert len(mastodon_server.client(org).account_statuses(org.id)) == 1


def test_publish_with_nothing_to_say_is_refused_before_calling_mastodon(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="nothing to publish"):
        connector.execute(org_ref, _request(ActionKind.PUBLISH, text="  "))


def test_reply_answers_the_status_and_mentions_its_author(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    question = mastodon_server.client(bob).status_post(f"{org.mention} when do you open?")

    result = connector.execute(
        org_ref,
        _request(
            ActionKind.REPLY,
            text="At 9 every morning.",
            in_reply_to_id=str(question["id"]),
            in_reply_to_author=mastodon_server.handle_of(bob),
            visibility="public",
        ),
    )

    reply = mastodon_server.client(org).status(result.external_id)
    assert str(reply["in_reply_to_id"]) == str(question["id"])
    assert [mention["acct"] for mention in reply["mentions"]] == ["bob"]
    notified = mastodon_server.client(bob).notifications(types=["mention"])
    assert [str(item["status"]["id"]) for item in notified] == [result.external_id]


def test_reply_does_not_mention_the_author_twice(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    question = mastodon_server.client(bob).status_post(f"{org.mention} hi")

    result = connector.execute(
        org_ref,
        _request(
            ActionKind.REPLY,
            text="Hello @bob, welcome!",
            in_reply_to_id=str(question["id"]),
            in_reply_to_author=mastodon_server.handle_of(bob),
        ),
    )

    reply = mastodon_server.client(org).status(result.external_id)
    assert reply["content"].count("@bob") == 1


def test_a_reply_to_a_direct_message_stays_direct(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    secret = mastodon_server.client(bob).status_post(f"{org.mention} my membership number is 42", visibility="direct")

    # Neither the author nor the visibility given: the connector asks Mastodon rather than guess.
    result = connector.execute(
        org_ref, _request(ActionKind.REPLY, text="Thanks, noted.", in_reply_to_id=str(secret["id"]))
    )

    reply = mastodon_server.client(org).status(result.external_id)
    assert reply["visibility"] == "direct"
    assert [mention["acct"] for mention in reply["mentions"]] == ["bob"]
    assert result.data["visibility"] == "direct"


def test_favourite_likes_the_status(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    kind_words = mastodon_server.client(bob).status_post("Lovely event yesterday")

    result = connector.execute(org_ref, _request(ActionKind.FAVOURITE, target_id=str(kind_words["id"])))

    assert result.external_id == str(kind_words["id"])
    assert mastodon_server.client(org).status(kind_words["id"])["favourited"] is True


def test_delete_removes_our_own_post(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount, org_ref: AccountRef
) -> None:
    ours = mastodon_server.client(org).status_post("Typo in this one")

    connector.execute(org_ref, _request(ActionKind.DELETE, target_id=str(ours["id"])))

    assert mastodon_server.client(org).account_statuses(org.id) == []


def test_deleting_someone_elses_post_is_refused_for_good(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    # Real Mastodon answers 404 here; mastodon-mock answers 403. Both mean: not yours.
    theirs = mastodon_server.client(bob).status_post("Not yours to delete")

    with pytest.raises(PermanentError, match="does not belong to this account"):
        connector.execute(org_ref, _request(ActionKind.DELETE, target_id=str(theirs["id"])))


def test_liking_a_post_that_does_not_exist_is_refused_for_good(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="no longer exists"):
        connector.execute(org_ref, _request(ActionKind.FAVOURITE, target_id="999999999"))


def test_a_post_too_long_for_the_server_is_refused_with_its_reason(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="Mastodon refused it: Validation failed: Text is too long"):
        connector.execute(org_ref, _request(ActionKind.PUBLISH, text="x" * 501))


def test_a_missing_image_file_is_a_permanent_error(connector: MastodonConnector, org_ref: AccountRef) -> None:
    missing = MediaFile(path="/nonexistent/parvis/picture.png", mime_type="image/png")

    with pytest.raises(PermanentError, match="could not be read"):
        connector.execute(org_ref, _request(ActionKind.PUBLISH, text="Look", media=(missing,)))
