"""The whole pipe with Bluesky's reference servers: connect, poll into the inbox, a thread through the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from atproto_client.utils import TextBuilder
from django.utils import timezone

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.networks.models import Action, ActionStatus, ConnectedAccount, PollCursor
from parvis.networks.protocol import ActionKind
from parvis.networks.services import account_poll, action_create, action_execute
from parvis.testing.atproto import AtprotoDevEnv, ConnectBluesky

pytestmark = [pytest.mark.atproto, pytest.mark.django_db]


def test_connecting_stores_the_session_and_never_the_app_password(
    bluesky_connect: ConnectBluesky, camille: Membership
) -> None:
    account, org = bluesky_connect(camille)

    account.refresh_from_db()
    assert account.network == "bluesky"
    assert account.external_id == org.did
    assert account.handle == f"@{org.handle}"
    assert set(account.credentials) == {"did", "handle", "access_jwt", "refresh_jwt", "pds_endpoint"}
    assert org.app_password not in str(account.credentials)


def test_a_poll_stores_each_mention_reply_and_follow_once(
    atproto_network: AtprotoDevEnv, bluesky_connect: ConnectBluesky, camille: Membership
) -> None:
    account, org = bluesky_connect(camille)
    account_poll(account_id=account.pk)  # the first poll sets the cursor
    ours = atproto_network.client(org).send_post("Le salon ouvre demain")
    bob = atproto_network.create_account("bob")
    people = atproto_network.client(bob)
    people.send_post(TextBuilder().text("Les ateliers sont gratuits ").mention(org.mention, org.did).text(" ?"))
    ref = {"uri": ours.uri, "cid": ours.cid}
    people.send_post("À quelle heure ?", reply_to={"root": ref, "parent": ref})
    people.follow(org.did)
    atproto_network.process_all()

    first = account_poll(account_id=account.pk)
    second = account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # as if the cursor were lost: the newest page again
    third = account_poll(account_id=account.pk)

    assert first is not None and first.stored == 3
    assert second is not None and second.received == 0
    assert third is not None and third.stored == 0
    messages = Message.objects.filter(account=account).order_by("occurred_at")
    assert [message.kind for message in messages] == ["mention", "reply", "follow"]
    assert messages[0].text == f"Les ateliers sont gratuits {org.mention} ?"
    assert messages[0].author.handle == f"@{bob.handle}"
    assert messages[1].external_id != "" and messages[1].text == "À quelle heure ?"


def test_a_three_post_thread_goes_out_through_parent_and_child_actions(
    atproto_network: AtprotoDevEnv,
    bluesky_connect: ConnectBluesky,
    camille: Membership,
    square_png: Path,
    settings: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    account, _org = bluesky_connect(camille)
    media_root = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    (media_root / "square.png").write_bytes(square_png.read_bytes())
    actions: list[Action] = []
    for text in ["1/3 Le programme du salon", "2/3 Le matin : ateliers", "3/3 L'après-midi : #Rencontres"]:
        parent = actions[-1] if actions else None
        payload: dict[str, object] = {"text": text, "reply_to_parent": parent is not None}
        if parent is None:
            payload["media"] = [{"path": "square.png", "mime_type": "image/png", "alt_text": "Le plan du salon"}]
        actions.append(
            action_create(
                workspace=camille.workspace,
                account=account,
                kind=ActionKind.PUBLISH if parent is None else ActionKind.REPLY,
                payload=payload,
                parent=parent,
            )
        )

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_execute(action_id=actions[0].pk)

    for action in actions:
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE, action.last_error
    first, second, third = (atproto_network.record(action.external_id) for action in actions)
    assert first is not None and second is not None and third is not None
    assert first["value"]["embed"]["images"][0]["alt"] == "Le plan du salon"
    root = {"uri": first["uri"], "cid": first["cid"]}
    assert second["value"]["reply"] == {"root": root, "parent": root}
    assert third["value"]["reply"] == {"root": root, "parent": {"uri": second["uri"], "cid": second["cid"]}}
    assert actions[0].external_url.startswith("https://bsky.app/profile/")


def test_a_second_attempt_of_the_same_action_does_not_post_twice(
    atproto_network: AtprotoDevEnv, bluesky_connect: ConnectBluesky, camille: Membership
) -> None:
    account, org = bluesky_connect(camille)
    action = action_create(
        workspace=camille.workspace, account=account, kind=ActionKind.PUBLISH, payload={"text": "Une seule fois"}
    )
    action_execute(action_id=action.pk)
    action.refresh_from_db()
    first_id = action.external_id
    # As if the worker died after the post went out: the same action, the same key, once more.
    Action.objects.filter(pk=action.pk).update(
        status=ActionStatus.PENDING, external_id="", next_attempt_at=timezone.now(), enqueued_at=None
    )

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.external_id == first_id
    assert [record["value"]["text"] for record in atproto_network.records(org)] == ["Une seule fois"]


def test_a_refreshed_session_is_stored_on_the_account(bluesky_connect: ConnectBluesky, camille: Membership) -> None:
    from parvis.networks.connectors.bluesky.tests.test_connector import _forged_jwt

    account, _org = bluesky_connect(camille)
    ConnectedAccount.objects.filter(pk=account.pk).update(
        credentials={**account.credentials, "access_jwt": _forged_jwt()}
    )
    old_refresh = account.credentials["refresh_jwt"]

    report = account_poll(account_id=account.pk)

    account.refresh_from_db()
    assert report is not None
    assert account.credentials["refresh_jwt"] != old_refresh
    assert account.credentials["access_jwt"] != _forged_jwt()
