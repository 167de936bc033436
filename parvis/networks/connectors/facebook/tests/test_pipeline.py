"""The whole out-pipe on a Page: a post, then its first comment once the post is out; a revoked token holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.connectors.facebook.tests.conftest import PAGE_ID, PAGE_TOKEN
from parvis.networks.connectors.facebook.tests.graph_testing import graph_calls, serve, v
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, action_execute
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.testing.scripted_http import ScriptedServer

pytestmark = pytest.mark.django_db

POST_ID = f"{PAGE_ID}_598240123456789"


@pytest.fixture
def page_account(camille: Membership, graph: ScriptedServer) -> ConnectedAccount:
    account: ConnectedAccount = ConnectedAccountFactory(
        workspace=camille.workspace,
        network="facebook",
        instance_url=graph.url,
        external_id=PAGE_ID,
        handle="@ccilyon",
        credentials={"access_token": PAGE_TOKEN, "page_id": PAGE_ID},
    )
    return account


def test_the_first_comment_goes_under_the_post_once_the_post_is_out(
    camille: Membership, graph: ScriptedServer, page_account: ConnectedAccount
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "feed_post_created.json")
    serve(graph, "POST", f"{POST_ID}/comments", "comment_created.json")
    serve(graph, "GET", "598240123456789_1187410842130611", "comment_permalink.json")
    post = action_create(
        workspace=camille.workspace,
        account=page_account,
        kind=ActionKind.PUBLISH,
        payload={"text": "Assemblée générale jeudi à 18 h.", "link_url": "https://cci.example/ag"},
    )
    comment = action_create(
        workspace=camille.workspace,
        account=page_account,
        kind=ActionKind.REPLY,
        payload={"text": "Ordre du jour : lien ci-dessus.", "reply_to_parent": True},
        parent=post,
    )

    assert action_execute(action_id=comment.pk) is None  # it waits for its post
    done_post = action_execute(action_id=post.pk)
    done_comment = action_execute(action_id=comment.pk)

    assert done_post is not None and done_post.status == ActionStatus.DONE, done_post.last_error
    assert done_post.external_id == POST_ID
    assert done_comment is not None and done_comment.status == ActionStatus.DONE, done_comment.last_error
    assert done_comment.external_id == "598240123456789_1187410842130611"
    assert graph_calls(graph)[:2] == [("POST", f"{PAGE_ID}/feed"), ("POST", f"{POST_ID}/comments")]
    assert graph.only("POST", v(f"{POST_ID}/comments")).form() == {"message": "Ordre du jour : lien ci-dessus."}


def test_a_revoked_token_holds_the_post_and_flags_the_page(
    camille: Membership, graph: ScriptedServer, page_account: ConnectedAccount
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_190_460.json")
    post = action_create(
        workspace=camille.workspace, account=page_account, kind=ActionKind.PUBLISH, payload={"text": "Bonjour"}
    )

    done = action_execute(action_id=post.pk)

    assert done is not None and done.status == ActionStatus.HELD
    page_account.refresh_from_db()
    assert page_account.status == AccountStatus.NEEDS_REAUTH
    assert "reconnect the account" in page_account.last_error


def test_a_throttled_page_waits_the_time_meta_gives(
    camille: Membership, graph: ScriptedServer, page_account: ConnectedAccount
) -> None:
    serve(graph, "POST", f"{PAGE_ID}/feed", "error_80001_page_throttled.json")
    post = action_create(
        workspace=camille.workspace, account=page_account, kind=ActionKind.PUBLISH, payload={"text": "Bonjour"}
    )

    before = timezone.now()
    done = action_execute(action_id=post.pk)

    assert done is not None and done.status == ActionStatus.PENDING
    assert before + timedelta(minutes=19) <= done.next_attempt_at <= timezone.now() + timedelta(minutes=19)
