"""The whole pipe with a real Mastodon API: polling fills the inbox once, an action answers on the network."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.networks.models import ActionStatus, PollCursor
from parvis.networks.protocol import ActionKind
from parvis.networks.services import account_poll, action_create, action_execute
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]


def test_a_poll_stores_each_mention_message_and_follow_once(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    bob = mastodon_server.create_account("bob", display_name="Bob")
    people = mastodon_server.client(bob)
    people.status_post(f"{org.mention} are the workshops free?")
    people.status_post(f"{org.mention} my number is 42", visibility="direct")
    people.account_follow(org.id)

    first = account_poll(account_id=account.pk)
    second = account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # as if the cursor were lost: the same events again
    third = account_poll(account_id=account.pk)

    assert first is not None and first.stored == 3
    assert second is not None and second.received == 0
    assert third is not None and third.received == 3 and third.stored == 0
    messages = Message.objects.filter(account=account).order_by("occurred_at")
    assert [message.kind for message in messages] == ["mention", "direct_message", "follow"]
    assert messages[0].text == f"{org.mention} are the workshops free?"
    assert messages[0].author.handle == mastodon_server.handle_of(bob)
    assert messages[1].visibility == "direct"


def test_a_reply_action_answers_the_right_status_on_mastodon(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    bob = mastodon_server.create_account("bob", display_name="Bob")
    question = mastodon_server.client(bob).status_post(f"{org.mention} when do you open?")
    account_poll(account_id=account.pk)
    message = Message.objects.get(account=account, external_id=str(question["id"]))
    action = action_create(
        workspace=camille.workspace,
        account=account,
        kind=ActionKind.REPLY,
        payload={
            "text": "At 9 every morning.",
            "in_reply_to_id": message.external_id,
            "in_reply_to_author": message.author.handle,
            "visibility": message.visibility,
        },
        source="inbox.reply",
    )

    done = action_execute(action_id=action.pk)

    assert done is not None
    assert done.status == ActionStatus.DONE, done.last_error
    reply = mastodon_server.client(org).status(done.external_id)
    assert str(reply["in_reply_to_id"]) == str(question["id"])
    assert done.external_url == reply["url"]
    notified = mastodon_server.client(bob).notifications(types=["mention"])
    assert [str(item["status"]["id"]) for item in notified] == [done.external_id]


def test_a_revoked_token_holds_the_account_for_reconnection(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, _org = mastodon_connect(camille)
    mastodon_server.add_fault(path="/api/v1/notifications", status=401)

    assert account_poll(account_id=account.pk) is None

    account.refresh_from_db()
    assert account.status == "needs_reauth"
    assert "reconnect the account" in account.last_error
