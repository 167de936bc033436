"""The outbox with an X account: a thread in order, refreshed tokens stored, a dead token holds the account."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from parvis.core.models import Membership
from parvis.networks.connectors.x.tests.conftest import OWN_ID, fixture
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, action_execute
from parvis.testing.scripted_http import Recorded, Reply, ScriptedServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]


def _account(camille: Membership, server: ScriptedServer, **credentials: Any) -> ConnectedAccount:
    values: dict[str, Any] = {
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "expires_at": int(time.time()) + 7200,
        "token_url": f"{server.url}/2/oauth2/token",
        "token_auth_method": "",
        "client_id": "x-client",
        "client_secret": "x-secret",
    }
    values.update(credentials)
    fields: dict[str, Any] = {"credentials": values}
    account: ConnectedAccount = ConnectedAccount.objects.create(
        workspace=camille.workspace,
        network="x",
        instance_url=server.url,
        external_id=OWN_ID,
        handle="@ccilyon",
        **fields,
    )
    return account


def test_a_thread_goes_out_in_order_each_post_answering_the_previous(
    x_server: ScriptedServer, camille: Membership
) -> None:
    ids = itertools.count(1001)

    def create(request: Recorded) -> Reply:
        return Reply(status=201, json={"data": {"id": str(next(ids)), "text": request.json()["text"]}})

    x_server.add("POST", "/2/tweets", handler=create)
    account = _account(camille, x_server)
    first = action_create(
        workspace=camille.workspace, account=account, kind=ActionKind.PUBLISH, payload={"text": "1/2"}
    )
    second = action_create(
        workspace=camille.workspace,
        account=account,
        kind=ActionKind.REPLY,
        payload={"text": "2/2", "reply_to_parent": True},
        parent=first,
    )

    done_first = action_execute(action_id=first.pk)
    done_second = action_execute(action_id=second.pk)

    assert done_first is not None and done_first.status == ActionStatus.DONE, done_first.last_error
    assert done_second is not None and done_second.status == ActionStatus.DONE, done_second.last_error
    bodies = [r.json() for r in x_server.received("POST", "/2/tweets")]
    assert bodies == [{"text": "1/2"}, {"text": "2/2", "reply": {"in_reply_to_tweet_id": "1001"}}]
    assert done_second.external_url == "https://x.com/ccilyon/status/1002"


def test_tokens_refreshed_during_an_action_are_stored_on_the_account(
    x_server: ScriptedServer, camille: Membership
) -> None:
    x_server.add("POST", "/2/tweets", status=401, json=fixture("error_unauthorized.json"), times=1)
    x_server.add("POST", "/2/tweets", status=201, json=fixture("create_tweet.json"))
    x_server.add("POST", "/2/oauth2/token", json=fixture("token.json"))
    account = _account(camille, x_server)
    action = action_create(
        workspace=camille.workspace, account=account, kind=ActionKind.PUBLISH, payload={"text": "Hi"}
    )

    done = action_execute(action_id=action.pk)

    assert done is not None and done.status == ActionStatus.DONE, done.last_error
    account.refresh_from_db()
    assert account.credentials["access_token"] == "bWRjZDhkVm5lc0tHc3V"
    assert account.credentials["refresh_token"] == "bWRjZDhkVm5lc0tHc3VfcmVmcmVzaA"
    assert account.credentials["client_id"] == "x-client"


def test_a_refused_refresh_holds_the_post_and_flags_the_account(x_server: ScriptedServer, camille: Membership) -> None:
    x_server.add("POST", "/2/tweets", status=401, json=fixture("error_unauthorized.json"))
    x_server.add("POST", "/2/oauth2/token", status=400, json=fixture("token_refresh_refused.json"))
    account = _account(camille, x_server)
    action = action_create(
        workspace=camille.workspace, account=account, kind=ActionKind.PUBLISH, payload={"text": "Hi"}
    )

    done = action_execute(action_id=action.pk)

    assert done is not None and done.status == ActionStatus.HELD
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_REAUTH
    assert "reconnect" in account.last_error
