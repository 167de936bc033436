"""Comments on Instagram: the first comment under a post, answers to comments, and read-back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from parvis.networks.connectors.facebook.tests.graph_testing import graph_calls, restamped, serve, serve_data, v
from parvis.networks.connectors.instagram.connector import InstagramConnector
from parvis.networks.connectors.instagram.tests.conftest import IG_ID, image
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.testing.scripted_http import ScriptedServer

MEDIA_ID = "17920238422030506"
TOP = "17858893269000001"
REPLY = "17858893269000002"


def _comment(text: str, in_reply_to_id: str, thread_root_id: str = "") -> ActionRequest:
    return ActionRequest(
        kind=ActionKind.REPLY,
        idempotency_key=uuid.uuid4().hex,
        text=text,
        in_reply_to_id=in_reply_to_id,
        thread_root_id=thread_root_id,
    )


def test_a_first_comment_goes_under_its_post_without_asking_what_it_is(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "POST", f"{MEDIA_ID}/comments", "ig_comment_created.json")

    result = connector.execute(account, _comment("Inscriptions : lien en bio.", MEDIA_ID, thread_root_id=MEDIA_ID))

    assert graph_calls(graph) == [("POST", f"{MEDIA_ID}/comments")]
    assert graph.only("POST", v(f"{MEDIA_ID}/comments")).form() == {"message": "Inscriptions : lien en bio."}
    assert result.external_id == "17870913679156914"


def test_an_answer_to_a_comment_is_a_reply_under_it(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "GET", TOP, "comment_top_level.json")
    serve(graph, "POST", f"{TOP}/replies", "reply_created.json")

    result = connector.execute(account, _comment("Oui, chacun s'inscrit.", TOP))

    assert graph.only("GET", v(TOP)).arg("fields") == "id,parent_id"
    assert graph.only("POST", v(f"{TOP}/replies")).form() == {"message": "Oui, chacun s'inscrit."}
    assert result.external_id == "17881770991003328"


def test_an_answer_to_a_reply_goes_under_its_top_level_comment(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "GET", REPLY, "comment_is_reply.json")
    serve(graph, "POST", f"{TOP}/replies", "reply_created.json")

    connector.execute(account, _comment("Avec plaisir.", REPLY))

    graph.only("POST", v(f"{TOP}/replies"))


def test_an_answer_to_a_tagged_post_is_a_comment_on_it(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve(graph, "GET", MEDIA_ID, "error_100_parent_id_on_media.json")
    serve(graph, "POST", f"{MEDIA_ID}/comments", "ig_comment_created.json")

    connector.execute(account, _comment("Merci d'être venue !", MEDIA_ID))

    graph.only("POST", v(f"{MEDIA_ID}/comments"))


def test_a_comment_with_an_image_is_refused(connector: InstagramConnector, account: AccountRef) -> None:
    request = ActionRequest(
        kind=ActionKind.REPLY, idempotency_key="k", text="Voici", in_reply_to_id=MEDIA_ID, media=(image(),)
    )

    with pytest.raises(PermanentError, match="cannot carry images"):
        connector.execute(account, request)


def test_a_comment_whose_answer_was_lost_is_found_among_the_comments(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3  # type: ignore[attr-defined]
    serve(graph, "POST", f"{MEDIA_ID}/comments", "ig_comment_created.json", delay=1.0)
    serve_data(graph, "GET", f"{MEDIA_ID}/comments", restamped("media_comments_mine.json", "timestamp"))

    result = connector.execute(account, _comment("Inscriptions : lien en bio.", MEDIA_ID, thread_root_id=MEDIA_ID))

    assert result.external_id == "17870913679156914"  # ours, not the copy someone else wrote
    assert len(graph.received("POST", v(f"{MEDIA_ID}/comments"))) == 1


def test_a_post_is_located_by_its_caption_since_the_attempt(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    serve_data(graph, "GET", f"{IG_ID}/media", restamped("user_media.json", "timestamp"))
    request = ActionRequest(
        kind=ActionKind.PUBLISH, idempotency_key="k", text="Assemblée générale jeudi à 18 h. #CCILyon"
    )
    since = datetime.now(UTC) - timedelta(minutes=1)

    found = connector.locate(account, request, since=since)

    assert found is not None and found.external_id == MEDIA_ID
    assert graph.only("GET", v(f"{IG_ID}/media")).arg("since") == str(int((since - timedelta(minutes=2)).timestamp()))


def test_a_post_is_located_by_its_id(connector: InstagramConnector, graph: ScriptedServer, account: AccountRef) -> None:
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")
    request = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="k", text="x")

    found = connector.locate(account, request, external_id=MEDIA_ID)

    assert found is not None and found.url == "https://www.instagram.com/p/DBx4kQ2Nq7Z/"
    assert graph.only("GET", v(MEDIA_ID)).arg("fields") == "id,caption,timestamp,permalink"


def test_a_post_that_is_gone_is_not_located(
    connector: InstagramConnector, graph: ScriptedServer, account: AccountRef
) -> None:
    graph.add(
        "GET",
        v(MEDIA_ID),
        status=400,
        json={
            "error": {
                "message": "Unsupported get request.",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
            }
        },
    )
    request = ActionRequest(kind=ActionKind.PUBLISH, idempotency_key="k", text="x")

    assert connector.locate(account, request, external_id=MEDIA_ID) is None
