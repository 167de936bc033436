"""The whole out-pipe on Instagram: an image of the media library goes out through its public address."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, include, path

from parvis.core.models import Membership
from parvis.networks.connectors.facebook.tests.graph_testing import serve, v
from parvis.networks.connectors.instagram.tests.conftest import IG_ID, PAGE_ID, PAGE_TOKEN
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, action_execute
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.testing.scripted_http import ScriptedServer

# The site's routes with the public media route, as parvis/urls.py includes it.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("parvis.networks.media_urls")),
    path("", include("parvis.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

CONTAINER = "17889615691921648"
MEDIA_ID = "17920238422030506"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


@pytest.fixture
def ig_account(camille: Membership, graph: ScriptedServer) -> ConnectedAccount:
    account: ConnectedAccount = ConnectedAccountFactory(
        workspace=camille.workspace,
        network="instagram",
        instance_url=graph.url,
        external_id=IG_ID,
        handle="@ccilyon",
        credentials={"access_token": PAGE_TOKEN, "page_id": PAGE_ID, "ig_user_id": IG_ID},
    )
    return account


def test_an_image_post_and_its_first_comment_go_out_with_the_image_served_by_parvis(
    camille: Membership,
    graph: ScriptedServer,
    ig_account: ConnectedAccount,
    settings: pytest.FixtureRequest,
    client: Client,
) -> None:
    settings.PARVIS_BASE_URL = "https://parvis.cci-lyon.example"  # type: ignore[attr-defined]
    folder = Path(settings.MEDIA_ROOT) / "library"  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "affiche.jpg").write_bytes(JPEG)
    serve(graph, "GET", f"{IG_ID}/content_publishing_limit", "publishing_limit.json")
    serve(graph, "POST", f"{IG_ID}/media", "container_created.json")
    serve(graph, "GET", CONTAINER, "container_finished.json")
    serve(graph, "POST", f"{IG_ID}/media_publish", "media_published.json")
    serve(graph, "GET", MEDIA_ID, "media_permalink.json")
    serve(graph, "POST", f"{MEDIA_ID}/comments", "ig_comment_created.json")
    post = action_create(
        workspace=camille.workspace,
        account=ig_account,
        kind=ActionKind.PUBLISH,
        payload={
            "text": "Assemblée générale jeudi à 18 h.",
            "media": [{"path": "library/affiche.jpg", "mime_type": "image/jpeg", "alt_text": "L'affiche"}],
        },
    )
    comment = action_create(
        workspace=camille.workspace,
        account=ig_account,
        kind=ActionKind.REPLY,
        payload={"text": "Inscriptions : lien en bio.", "reply_to_parent": True},
        parent=post,
    )

    done_post = action_execute(action_id=post.pk)
    done_comment = action_execute(action_id=comment.pk)

    assert done_post is not None and done_post.status == ActionStatus.DONE, done_post.last_error
    assert done_post.external_id == MEDIA_ID
    assert done_post.external_url == "https://www.instagram.com/p/DBx4kQ2Nq7Z/"
    assert done_comment is not None and done_comment.status == ActionStatus.DONE, done_comment.last_error
    assert graph.only("POST", v(f"{MEDIA_ID}/comments")).form() == {"message": "Inscriptions : lien en bio."}
    created = graph.only("POST", v(f"{IG_ID}/media")).form()
    assert created["alt_text"] == "L'affiche"
    image_url = created["image_url"]
    assert image_url.startswith("https://parvis.cci-lyon.example/pm/")
    served = client.get(urlsplit(image_url).path)  # what Instagram downloads
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == JPEG  # type: ignore[attr-defined]
    assert served["Content-Type"] == "image/jpeg"
