"""Publishing on a Page, commenting, liking and deleting: the requests sent and what comes back."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from parvis.networks.connectors.facebook.connector import FacebookConnector
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID
from parvis.networks.connectors.facebook.tests.graph_testing import (
    graph_calls,
    multipart,
    restamped,
    serve,
    serve_data,
    v,
)
from parvis.networks.errors import PermanentError, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, MediaFile
from parvis.testing.scripted_http import ScriptedServer

POST_ID = f"{PAGE_ID}_598240123456789"
TEXT = "Assemblée générale jeudi à 18 h."


def _request(kind: ActionKind = ActionKind.PUBLISH, **fields: object) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


# --- publishing -------------------------------------------------------------------------------------


def test_a_text_post_with_a_link_goes_to_the_page_feed(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json")

    result = connector.execute(page, _request(text=TEXT, link_url="https://cci.example/ag"))

    sent = graph.only("POST", v(f"{PAGE_ID}/feed"))
    assert sent.form() == {"message": TEXT, "link": "https://cci.example/ag"}
    assert result.external_id == POST_ID
    assert result.url == f"https://www.facebook.com/{POST_ID}"


def test_a_post_without_link_sends_only_the_message(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json")

    connector.execute(page, _request(text=TEXT))

    assert graph.only("POST", v(f"{PAGE_ID}/feed")).form() == {"message": TEXT}


def test_one_photo_is_uploaded_with_its_caption_and_description(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, photo: Path
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/photos", "photo_published.json")
    media = MediaFile(path=str(photo), mime_type="image/jpeg", alt_text="L'affiche de l'assemblée générale")

    result = connector.execute(page, _request(text=TEXT, media=(media,)))

    parts = multipart(graph.only("POST", v(f"{PAGE_ID}/photos")))
    assert parts["message"].text == TEXT
    assert parts["alt_text_custom"].text == "L'affiche de l'assemblée générale"
    assert parts["source"].content == photo.read_bytes()
    assert parts["source"].filename == "affiche.jpg"
    assert parts["source"].content_type == "image/jpeg"
    assert "published" not in parts
    assert result.external_id == f"{PAGE_ID}_598240777777777"  # the post, not the photo: comments go under it


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, photo: Path
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/photos", "photo_unpublished.json", times=1)
    serve(graph, "POST", f"{PAGE_ID}/photos", "photo_unpublished_2.json", times=1)
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json")
    media = (
        MediaFile(path=str(photo), mime_type="image/jpeg", alt_text="Première"),
        MediaFile(path=str(photo), mime_type="image/jpeg"),
    )

    result = connector.execute(page, _request(text=TEXT, media=media))

    uploads = [multipart(request) for request in graph.received("POST", v(f"{PAGE_ID}/photos"))]
    assert [upload["published"].text for upload in uploads] == ["false", "false"]
    assert uploads[0]["alt_text_custom"].text == "Première"
    assert "alt_text_custom" not in uploads[1]
    feed = graph.only("POST", v(f"{PAGE_ID}/feed")).form()
    assert feed["message"] == TEXT
    assert json.loads(feed["attached_media[0]"]) == {"media_fbid": "598240111111111"}
    assert json.loads(feed["attached_media[1]"]) == {"media_fbid": "598240222222222"}
    assert [call[0] for call in graph_calls(graph)] == ["POST", "POST", "POST"]
    assert result.external_id == POST_ID


def test_nothing_to_publish_is_refused_before_calling_facebook(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="nothing to publish"):
        connector.execute(page, _request(text="   "))
    assert graph.requests == []


def test_a_file_facebook_does_not_take_is_refused(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, photo: Path
) -> None:
    with pytest.raises(PermanentError, match="video/mp4"):
        connector.execute(page, _request(text=TEXT, media=(MediaFile(path=str(photo), mime_type="video/mp4"),)))
    assert graph.requests == []


def test_more_photos_than_allowed_are_refused(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, photo: Path
) -> None:
    media = tuple(MediaFile(path=str(photo), mime_type="image/jpeg") for _ in range(11))

    with pytest.raises(PermanentError, match="at most 10 photos"):
        connector.execute(page, _request(text=TEXT, media=media))


def test_a_missing_file_is_refused(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, tmp_path: Path
) -> None:
    media = MediaFile(path=str(tmp_path / "gone.jpg"), mime_type="image/jpeg")

    with pytest.raises(PermanentError, match="could not be read"):
        connector.execute(page, _request(text=TEXT, media=(media,)))


# --- a lost answer: read back before anyone sends it again -------------------------------------------


def test_a_post_whose_answer_was_lost_is_found_on_the_page_instead_of_failing(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json", delay=1.0)
    serve_data(graph, "GET", f"{PAGE_ID}/posts", restamped("page_posts.json", "created_time"))

    result = connector.execute(page, _request(text=TEXT))

    assert result.external_id == POST_ID
    assert result.url == "https://www.facebook.com/ccilyon/posts/598240123456789"
    assert len(graph.received("POST", v(f"{PAGE_ID}/feed"))) == 1
    looked = graph.only("GET", v(f"{PAGE_ID}/posts"))
    assert looked.arg("fields") == "id,message,created_time,permalink_url"
    assert int(looked.arg("since")) > 0


def test_a_post_whose_answer_was_lost_and_is_not_on_the_page_stays_temporary(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json", delay=1.0)
    serve(graph, "GET", f"{PAGE_ID}/posts", "empty_list.json")

    with pytest.raises(TransientError, match="did not answer in time"):
        connector.execute(page, _request(text="Un texte que Facebook n'a pas gardé"))


# --- comments, likes, deletion --------------------------------------------------------------------------


def test_a_reply_is_a_comment_on_the_object_it_answers(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{POST_ID}/comments", "comment_created.json")
    serve(graph, "GET", "598240123456789_1187410842130611", "comment_permalink.json")

    result = connector.execute(
        page, _request(ActionKind.REPLY, text="Ordre du jour et inscription : lien en bio.", in_reply_to_id=POST_ID)
    )

    assert graph.only("POST", v(f"{POST_ID}/comments")).form() == {
        "message": "Ordre du jour et inscription : lien en bio."
    }
    assert result.external_id == "598240123456789_1187410842130611"
    assert result.url.endswith("comment_id=1187410842130611")


def test_a_comment_is_published_even_when_its_link_cannot_be_read(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "POST", f"{POST_ID}/comments", "comment_created.json")
    serve(graph, "GET", "598240123456789_1187410842130611", "error_2_service.json")

    result = connector.execute(page, _request(ActionKind.REPLY, text="Merci !", in_reply_to_id=POST_ID))

    assert result.external_id == "598240123456789_1187410842130611"
    assert result.url == ""


def test_a_comment_whose_answer_was_lost_is_found_under_the_post(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "POST", f"{POST_ID}/comments", "comment_created.json", delay=1.0)
    serve_data(graph, "GET", f"{POST_ID}/comments", restamped("post_comments_mine.json", "created_time"))

    result = connector.execute(
        page, _request(ActionKind.REPLY, text="Ordre du jour et inscription : lien en bio.", in_reply_to_id=POST_ID)
    )

    assert result.external_id == "598240123456789_1187410842130611"
    assert len(graph.received("POST", v(f"{POST_ID}/comments"))) == 1


def test_a_reply_without_target_is_refused(connector: FacebookConnector, page: AccountRef) -> None:
    with pytest.raises(PermanentError, match="which post it answers"):
        connector.execute(page, _request(ActionKind.REPLY, text="Merci"))


def test_a_like_is_posted_on_the_object(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "POST", "598240123456789_1201/likes", "success.json")

    result = connector.execute(page, _request(ActionKind.FAVOURITE, target_id="598240123456789_1201"))

    assert graph.only("POST", v("598240123456789_1201/likes")).body == b""
    assert result.external_id == "598240123456789_1201"


def test_a_deletion_deletes_the_post(connector: FacebookConnector, graph: ScriptedServer, page: AccountRef) -> None:
    serve(graph, "DELETE", POST_ID, "success.json")

    result = connector.execute(page, _request(ActionKind.DELETE, target_id=POST_ID))

    graph.only("DELETE", v(POST_ID))
    assert result.external_id == POST_ID
    assert result.data == {}


def test_deleting_a_post_that_is_already_gone_is_done(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "DELETE", POST_ID, "error_100_33.json")
    serve(graph, "GET", POST_ID, "error_100_33.json")

    result = connector.execute(page, _request(ActionKind.DELETE, target_id=POST_ID))

    assert result.data == {"already_gone": True}


def test_deleting_a_post_facebook_refuses_to_delete_fails(
    connector: FacebookConnector, graph: ScriptedServer, page: AccountRef
) -> None:
    serve(graph, "DELETE", POST_ID, "error_200_permissions.json")
    serve(graph, "GET", POST_ID, "post.json")

    with pytest.raises(PermanentError, match="permission"):
        connector.execute(page, _request(ActionKind.DELETE, target_id=POST_ID))


def test_reposting_is_not_something_facebook_does_from_parvis(connector: FacebookConnector, page: AccountRef) -> None:
    with pytest.raises(PermanentError, match="cannot do"):
        connector.execute(page, _request(ActionKind.REPOST, target_id=POST_ID))
