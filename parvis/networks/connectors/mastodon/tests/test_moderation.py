"""Relationships, private messages and reports on Mastodon, checked through the mock's own API."""

from __future__ import annotations

import uuid

import pytest

from parvis.core.models import Membership
from parvis.inbox.models import Message
from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.errors import PermanentError
from parvis.networks.models import ActionStatus
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest
from parvis.networks.services import account_poll, action_create, action_execute
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer, MockAccount

pytestmark = pytest.mark.network


def _request(kind: ActionKind, **fields: object) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]


def _relationship(server: MastodonMockServer, org: MockAccount, person: MockAccount) -> dict[str, object]:
    [relationship] = server.client(org).account_relationships(person.id)
    return dict(relationship)


def test_follow_block_unblock_mute_unmute_by_the_persons_qualified_account(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    person = f"bob@{mastodon_server.instance_host}"  # Author.external_id, as the inbox stores it

    followed = connector.execute(org_ref, _request(ActionKind.FOLLOW, target_id=person))
    assert followed.external_id == bob.id and followed.data["following"] is True
    assert _relationship(mastodon_server, org, bob)["following"] is True

    connector.execute(org_ref, _request(ActionKind.MUTE, target_id=person))
    assert _relationship(mastodon_server, org, bob)["muting"] is True
    connector.execute(org_ref, _request(ActionKind.UNMUTE, target_id=person))
    assert _relationship(mastodon_server, org, bob)["muting"] is False

    blocked = connector.execute(org_ref, _request(ActionKind.BLOCK, target_handle=f"@{person}"))
    assert blocked.data["blocking"] is True
    assert _relationship(mastodon_server, org, bob)["blocking"] is True
    connector.execute(org_ref, _request(ActionKind.UNBLOCK, target_id=bob.id))  # the instance's own id works too
    assert _relationship(mastodon_server, org, bob)["blocking"] is False


def test_an_unknown_person_is_a_permanent_error(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org: MockAccount, org_ref: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="does not know"):
        connector.execute(org_ref, _request(ActionKind.BLOCK, target_id="nobody@elsewhere.example"))
    with pytest.raises(PermanentError):
        connector.execute(org_ref, _request(ActionKind.FOLLOW))


def test_send_direct_posts_a_private_message_that_reaches_the_person(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    request = _request(
        ActionKind.SEND_DIRECT, target_handle=mastodon_server.handle_of(bob), text="Welcome, and thanks for following!"
    )

    result = connector.execute(org_ref, request)
    again = connector.execute(org_ref, request)  # a retry with the same key: one message

    status = mastodon_server.client(org).status(result.external_id)
    assert again.external_id == result.external_id
    assert status["visibility"] == "direct"
    assert "Welcome, and thanks for following!" in status["content"]
    [notification] = mastodon_server.client(bob).notifications(types=["mention"])
    assert str(notification["status"]["id"]) == result.external_id


def test_send_direct_needs_a_person_and_a_text(
    connector: MastodonConnector, mastodon_server: MastodonMockServer, org_ref: AccountRef, bob: MockAccount
) -> None:
    with pytest.raises(PermanentError):
        connector.execute(org_ref, _request(ActionKind.SEND_DIRECT, text="Hello"))
    with pytest.raises(PermanentError):
        connector.execute(org_ref, _request(ActionKind.SEND_DIRECT, target_handle=mastodon_server.handle_of(bob)))


def test_report_sends_the_post_and_its_author_to_the_instance_moderators(
    connector: MastodonConnector,
    mastodon_server: MastodonMockServer,
    org: MockAccount,
    org_ref: AccountRef,
    bob: MockAccount,
) -> None:
    insult = mastodon_server.client(bob).status_post(f"{org.mention} you are all idiots")

    result = connector.execute(
        org_ref, _request(ActionKind.REPORT, target_id=str(insult["id"]), text="Insult, charter clause 2.")
    )

    assert result.external_id
    assert result.data["status_id"] == str(insult["id"])
    assert result.data["account"] == f"bob@{mastodon_server.instance_host}"
    [report] = mastodon_server.client(org).admin_reports()  # what the instance's moderators see
    assert str(report["id"]) == result.external_id
    assert str(report["target_account"]["id"]) == bob.id
    assert [str(status["id"]) for status in report["statuses"]] == [str(insult["id"])]
    assert report["comment"] == "Insult, charter clause 2."


def test_hide_is_refused_because_mastodon_cannot_hide_a_reply(
    connector: MastodonConnector, org_ref: AccountRef
) -> None:
    with pytest.raises(PermanentError, match="cannot hide"):
        connector.execute(org_ref, _request(ActionKind.HIDE, target_id="1"))


@pytest.mark.django_db
def test_a_private_conversation_lands_in_one_inbox_conversation(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    account_poll(account_id=account.pk)
    bob = mastodon_server.create_account("bob")
    people = mastodon_server.client(bob)
    people.status_post(f"{org.mention} a first private question", visibility="direct")
    people.status_post(f"{org.mention} and another one", visibility="direct")

    account_poll(account_id=account.pk)

    messages = list(Message.objects.filter(account=account))
    assert [message.kind for message in messages] == ["direct_message", "direct_message"]
    assert len({message.conversation_id for message in messages}) == 1


@pytest.mark.django_db
def test_a_block_action_goes_through_the_outbox(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    bob = mastodon_server.create_account("bob")
    action = action_create(
        workspace=camille.workspace,
        account=account,
        kind=ActionKind.BLOCK,
        payload={"target_id": f"bob@{mastodon_server.instance_host}", "target_handle": mastodon_server.handle_of(bob)},
        source="moderation",
    )

    done = action_execute(action_id=action.pk)

    assert done is not None and done.status == ActionStatus.DONE, done.last_error if done else None
    assert _relationship(mastodon_server, org, bob)["blocking"] is True
