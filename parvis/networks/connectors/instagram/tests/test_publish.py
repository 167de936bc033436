"""Publishing on Instagram: containers, waiting for them, publishing each exactly once, and the limits."""

from __future__ import annotations

import uuid

import pytest

from parvis.networks.connectors.facebook.tests.graph_testing import graph_calls, restamped, serve, serve_data, v
from parvis.networks.connectors.instagram import connector as instagram_connector
from parvis.networks.connectors.instagram.connector import InstagramConnector
from parvis.networks.connectors.instagram.tests.conftest import IG_ID, PUBLIC, image
from parvis.networks.errors import PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, MediaFile
from parvis.testing.scripted_http import ScriptedServer

CONTAINER = "17889615691921648"
MEDIA_ID = "17920238422030506"
CAPTION = "Assemblée générale jeudi à 18 h. #CCILyon"


def _publish(*media: MediaFile, text: str = CAPTION, key: str = "") -> ActionRequest:
    return ActionRequest(
        kind=ActionKind.PUBLISH, idempotency_key=key or uuid.uuid4().hex, text=text, media=media or (image(),)
    )


def _script_quota(graph: ScriptedServer, name: str = "publishing_limit.json") -> None:
    serve(graph, "GET", f"{IG_ID}/content_publishing_limit", name)


# --- one image ----------------------------------------------------------------------------------------


def test_one_image_goes_through_a_container_then_media_publish(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_in_progress.json", times=1)
    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")

    result = connector.execute(account, _publish(image(alt_text="L'affiche de l'AG")))

    assert graph_calls(graph) == [
        ("GET", f"{IG_ID}/content_publishing_limit"),
        ("POST", f"{IG_ID}/media"),
        ("GET", CONTAINER),
        ("GET", CONTAINER),
        ("POST", f"{IG_ID}/media_publish"),
        ("GET", MEDIA_ID),
    ]
    assert graph.only("POST", v(f"{IG_ID}/media")).form() == {
        "image_url": f"{PUBLIC}/token-affiche.jpg/affiche.jpg",
        "alt_text": "L'affiche de l'AG",
        "caption": CAPTION,
    }
    assert graph.received("GET", v(CONTAINER))[0].arg("fields") == "status_code,status"
    assert graph.only("POST", v(f"{IG_ID}/media_publish")).form() == {"creation_id": CONTAINER}
    assert graph.only("GET", v(f"{IG_ID}/content_publishing_limit")).arg("fields") == "quota_usage,config"
    assert result.external_id == MEDIA_ID
    assert result.url == "https://www.instagram.com/p/DBx4kQ2Nq7Z/"
    assert result.data == {"container_id": CONTAINER}


def test_a_video_is_published_as_a_reel(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")
    video = MediaFile(path="/x/ag.mp4", mime_type="video/mp4", alt_text="ignored", public_url=f"{PUBLIC}/t/ag.mp4")

    connector.execute(account, _publish(video))

    assert graph.only("POST", v(f"{IG_ID}/media")).form() == {
        "media_type": "REELS",
        "video_url": f"{PUBLIC}/t/ag.mp4",
        "caption": CAPTION,
    }


# --- carousels ------------------------------------------------------------------------------------------


def test_several_images_make_a_carousel_of_item_containers(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    for name in (
        "child_container_1.json",
        "child_container_2.json",
        "child_container_3.json",
        "carousel_container.json",
    ):
        serve(graph, "POST", f"{IG_ID}/media", name, times=1)
    graph.add("GET", v(r"\d+"), json={"status_code": "FINISHED"})
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")

    result = connector.execute(account, _publish(image("a.jpg", "Salle"), image("b.jpg"), image("c.jpg")))

    created = [request.form() for request in graph.received("POST", v(f"{IG_ID}/media"))]
    assert created[:3] == [
        {"image_url": f"{PUBLIC}/token-a.jpg/a.jpg", "alt_text": "Salle", "is_carousel_item": "true"},
        {"image_url": f"{PUBLIC}/token-b.jpg/b.jpg", "is_carousel_item": "true"},
        {"image_url": f"{PUBLIC}/token-c.jpg/c.jpg", "is_carousel_item": "true"},
    ]
    assert created[3] == {
        "media_type": "CAROUSEL",
        "children": "17899506308402767,18193870522147812,17853764134090485",
        "caption": CAPTION,
    }
    assert graph.only("POST", v(f"{IG_ID}/media_publish")).form() == {"creation_id": "18000748627392977"}
    assert result.external_id == MEDIA_ID


def test_more_than_ten_items_are_refused(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="at most 10"):
        connector.execute(account, _publish(*(image(f"{n}.jpg") for n in range(11))))
    assert graph.requests == []


# --- waiting, retrying, exactly once ------------------------------------------------------------------------


def test_a_container_still_processing_is_kept_for_the_next_attempt(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram_connector, "CONTAINER_WAIT", 0.0)
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_in_progress.json", times=1)
    request = _publish(key="retry-me")

    with pytest.raises(TransientError, match="still processing"):
        connector.execute(account, request)

    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")
    result = connector.execute(account, request)

    assert len(graph.received("POST", v(f"{IG_ID}/media"))) == 1  # the same container went on
    assert len(graph.received("GET", v(f"{IG_ID}/content_publishing_limit"))) == 1
    assert graph.only("POST", v(f"{IG_ID}/media_publish")).form() == {"creation_id": CONTAINER}
    assert result.external_id == MEDIA_ID


def test_a_container_published_by_an_earlier_attempt_is_found_not_published_again(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json", times=1)
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json", delay=1.0, times=1)
    serve(graph, "GET", CONTAINER, "container_finished.json", times=1)  # not visible yet within the attempt
    request = _publish(key="lost-answer")

    with pytest.raises(TransientError):
        connector.execute(account, request)

    # Next attempt: the container says it went out; the post is among the account's media.
    serve(graph, "GET", CONTAINER, "container_published.json")
    serve_data(graph, "GET", f"{IG_ID}/media", restamped("user_media.json", "timestamp"))
    result = connector.execute(account, request)

    assert len(graph.received("POST", v(f"{IG_ID}/media_publish"))) == 1
    assert result.external_id == MEDIA_ID
    assert result.url == "https://www.instagram.com/p/DBx4kQ2Nq7Z/"


def test_a_lost_answer_to_media_publish_is_settled_in_the_same_attempt(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json", times=1)
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json", delay=1.0)
    serve(graph, "GET", CONTAINER, "container_published.json")
    serve_data(graph, "GET", f"{IG_ID}/media", restamped("user_media.json", "timestamp"))

    result = connector.execute(account, _publish())

    assert result.external_id == MEDIA_ID
    assert len(graph.received("POST", v(f"{IG_ID}/media_publish"))) == 1


def test_an_expired_container_is_replaced(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram_connector, "CONTAINER_WAIT", 0.0)
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json", times=1)
    serve(graph, "GET", CONTAINER, "container_in_progress.json", times=1)
    request = _publish(key="expired")
    with pytest.raises(TransientError):
        connector.execute(account, request)

    serve(graph, "GET", CONTAINER, "container_expired.json")
    serve(graph, "POST", f"{IG_ID}/media", "carousel_container.json")
    graph.add("GET", v("18000748627392977"), json={"status_code": "FINISHED", "id": "18000748627392977"})
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")
    connector.execute(account, request)

    assert graph.only("POST", v(f"{IG_ID}/media_publish")).form() == {"creation_id": "18000748627392977"}


def test_a_container_in_error_fails_with_what_went_wrong(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_error.json")

    with pytest.raises(PermanentError, match="aspect ratio is not supported"):
        connector.execute(account, _publish())
    assert graph.received("POST", v(f"{IG_ID}/media_publish")) == []


def test_media_not_ready_at_publish_time_is_temporary(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "error_2207027_not_ready.json")

    with pytest.raises(TransientError, match="not ready for publishing"):
        connector.execute(account, _publish())


# --- limits ----------------------------------------------------------------------------------------------------


def test_the_daily_publishing_limit_reached_waits_an_hour_without_making_containers(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph, "publishing_limit_reached.json")

    with pytest.raises(RateLimited) as caught:
        connector.execute(account, _publish())

    assert caught.value.retry_after == 3600
    assert "100 posts" in caught.value.message
    assert graph_calls(graph) == [("GET", f"{IG_ID}/content_publishing_limit")]


def test_the_publishing_limit_error_of_media_publish_is_a_rate_limit(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "error_2207042_publishing_limit.json")

    with pytest.raises(RateLimited) as caught:
        connector.execute(account, _publish())

    assert caught.value.retry_after == 3600


def test_an_image_instagram_cannot_download_is_refused_with_metas_words(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "error_9004_media_fetch.json")

    with pytest.raises(PermanentError, match="could not be fetched from this uri"):
        connector.execute(account, _publish())


def test_an_image_of_the_wrong_shape_is_refused_with_metas_words(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "error_36003_aspect_ratio.json")

    with pytest.raises(PermanentError, match="valid aspect ratio"):
        connector.execute(account, _publish())


def test_a_publication_suspected_as_spam_is_refused_not_retried(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "error_2207051_spam.json")

    with pytest.raises(PermanentError, match="restrict certain activity"):
        connector.execute(account, _publish())


def test_a_post_without_image_is_refused(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    request = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="k", text=CAPTION)

    with pytest.raises(PermanentError, match="needs an image or a video"):
        connector.execute(account, request)
    assert graph.requests == []


def test_thirty_one_hashtags_are_refused(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    text = " ".join(f"#tag{n}" for n in range(31))

    with pytest.raises(PermanentError, match="at most 30 hashtags"):
        connector.execute(account, _publish(text=text))
    assert connector.check_text(" ".join(f"#tag{n}" for n in range(30))) == []


def test_too_long_a_caption_is_refused(connector: InstagramConnector, account: AccountRef) -> None:
    with pytest.raises(PermanentError, match="2200"):
        connector.execute(account, _publish(text="a" * 2201))


def test_an_image_without_a_public_address_is_refused(connector: InstagramConnector, account: AccountRef) -> None:
    media = MediaFile(path="/x/a.jpg", mime_type="image/jpeg")

    with pytest.raises(PermanentError, match="PARVIS_BASE_URL"):
        connector.execute(account, _publish(media))


def test_a_public_address_on_this_machine_is_refused(
    connector: InstagramConnector, account: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = []  # type: ignore[attr-defined]
    media = MediaFile(path="/x/a.jpg", mime_type="image/jpeg", public_url="http://127.0.0.1:8000/pm/t/a.jpg")

    with pytest.raises(PermanentError, match=r"cannot download images from http://127\.0\.0\.1"):
        connector.execute(account, _publish(media))


def test_a_png_is_refused(connector: InstagramConnector, account: AccountRef) -> None:
    media = MediaFile(path="/x/a.png", mime_type="image/png", public_url=f"{PUBLIC}/t/a.png")

    with pytest.raises(PermanentError, match="image/png"):
        connector.execute(account, _publish(media))


def test_liking_is_not_offered(connector: InstagramConnector, account: AccountRef) -> None:
    assert ActionKind.FAVOURITE not in connector.capabilities.actions
    with pytest.raises(PermanentError, match="cannot like"):
        connector.execute(account, ActionRequest(kind=ActionKind.FAVOURITE, idempotency_key="k", target_id=MEDIA_ID))


def test_a_post_found_after_a_lost_publish_is_not_published_again_even_if_the_container_lags(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json")  # Instagram's status lags behind the post
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json", delay=1.0)
    request = _publish(key="lagging")
    with pytest.raises(TransientError):
        connector.execute(account, request)

    serve_data(graph, "GET", f"{IG_ID}/media", restamped("user_media.json", "timestamp"))
    result = connector.execute(account, request)

    assert result.external_id == MEDIA_ID
    assert len(graph.received("POST", v(f"{IG_ID}/media_publish"))) == 1


def test_a_carousel_item_instagram_refuses_stops_before_the_carousel(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    _script_quota(graph)
    serve(graph, "POST", f"{IG_ID}/media", "child_container_1.json", times=1)
    serve(graph, "POST", f"{IG_ID}/media", "child_container_2.json", times=1)
    graph.add("GET", v("17899506308402767"), json={"status_code": "FINISHED"})
    graph.add("GET", v("18193870522147812"), json={"status_code": "ERROR", "status": "2207004"})

    with pytest.raises(PermanentError, match="too large"):
        connector.execute(account, _publish(image("a.jpg"), image("b.jpg")))

    assert len(graph.received("POST", v(f"{IG_ID}/media"))) == 2
    assert graph.received("POST", v(f"{IG_ID}/media_publish")) == []
