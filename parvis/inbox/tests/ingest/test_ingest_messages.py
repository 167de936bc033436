"""What arrives from a network, through the in-pipe, into the inbox and the community."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parvis.community.models import Identity, Member
from parvis.core.models import Membership
from parvis.inbox.models import Conversation, ConversationStatus, Direction, Message, MessageKind
from parvis.inbox.services import message_reply
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import EventKind, NetworkEvent
from parvis.networks.services import account_poll, action_execute
from parvis.networks.tests.factories import AuthorFactory, ConnectedAccountFactory, NetworkEventFactory

MORNING = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _receive(account: ConnectedAccount, *events: NetworkEvent) -> None:
    FakeConnector.inbox.extend(events)
    report = account_poll(account_id=account.pk)
    assert report is not None, account.__class__.objects.get(pk=account.pk).last_error


def _message(external_id: str) -> Message:
    return Message.objects.select_related("conversation", "author__member").get(external_id=external_id)


# --- conversations ----------------------------------------------------------------------------


def test_a_mention_opens_a_new_conversation(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1", text="@org Le salon ouvre à quelle heure ?"))

    conversation = _message("s1").conversation
    assert conversation.status == ConversationStatus.NEW
    assert conversation.kind == MessageKind.MENTION
    assert conversation.preview == "@org Le salon ouvre à quelle heure ?"


def test_the_same_event_twice_in_one_batch_is_stored_once(account: ConnectedAccount) -> None:
    event = NetworkEventFactory(external_id="s1")

    _receive(account, event, event)

    assert Message.objects.filter(external_id="s1").count() == 1


def test_a_reply_to_a_stored_message_joins_its_conversation(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1", thread_key="s1"))

    _receive(account, NetworkEventFactory(kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1"))

    assert _message("s2").conversation == _message("s1").conversation
    assert Conversation.objects.count() == 1


def test_a_reply_in_the_same_batch_as_its_parent_joins_its_conversation(account: ConnectedAccount) -> None:
    _receive(
        account,
        NetworkEventFactory(external_id="s1"),
        NetworkEventFactory(kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1"),
    )

    assert _message("s2").conversation == _message("s1").conversation


def test_an_answer_to_our_reply_joins_the_conversation(camille: Membership, account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1"))
    sent = message_reply(membership=camille, message=_message("s1"), text="Le salon ouvre à 9 h.")
    assert sent.action is not None
    action_execute(action_id=sent.action.pk)
    sent.action.refresh_from_db()

    _receive(
        account,
        NetworkEventFactory(kind=EventKind.REPLY, external_id="s3", in_reply_to_id=sent.action.external_id),
    )

    assert _message("s3").conversation == _message("s1").conversation


def test_a_new_message_in_a_done_conversation_reopens_it(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1"))
    Conversation.objects.update(status=ConversationStatus.DONE)

    _receive(account, NetworkEventFactory(kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1"))

    assert _message("s1").conversation.status == ConversationStatus.NEW


def test_a_reopened_conversation_goes_back_to_the_person_it_was_assigned_to(
    camille: Membership, account: ConnectedAccount
) -> None:
    _receive(account, NetworkEventFactory(external_id="s1"))
    Conversation.objects.update(status=ConversationStatus.DONE, assignee=camille.user)

    _receive(account, NetworkEventFactory(kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1"))

    assert _message("s1").conversation.status == ConversationStatus.ASSIGNED


def test_an_answer_in_a_conversation_waiting_for_it_puts_it_back_in_the_queue(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1"))
    Conversation.objects.update(status=ConversationStatus.WAITING)

    _receive(account, NetworkEventFactory(kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1"))

    assert _message("s1").conversation.status == ConversationStatus.NEW


def test_a_new_message_moves_the_conversation_up_with_its_preview(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1", occurred_at=MORNING))
    later = MORNING + timedelta(hours=2)

    _receive(
        account,
        NetworkEventFactory(
            kind=EventKind.REPLY, external_id="s2", in_reply_to_id="s1", occurred_at=later, text="Merci !"
        ),
    )

    conversation = _message("s1").conversation
    assert (conversation.last_message_at, conversation.preview) == (later, "Merci !")


def test_a_late_event_does_not_move_the_conversation_back_in_time(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1", occurred_at=MORNING, text="Premier"))
    Conversation.objects.update(status=ConversationStatus.DONE)

    _receive(
        account,
        NetworkEventFactory(
            kind=EventKind.REPLY,
            external_id="s0",
            in_reply_to_id="s1",
            occurred_at=MORNING - timedelta(hours=1),
            text="Arrivé en retard",
        ),
    )

    conversation = _message("s1").conversation
    assert conversation.last_message_at == MORNING
    assert conversation.preview == "Premier"


def test_the_same_thread_on_two_accounts_makes_two_conversations(workspace: object) -> None:
    first = ConnectedAccountFactory(workspace=workspace)
    second = ConnectedAccountFactory(workspace=workspace)

    _receive(first, NetworkEventFactory(external_id="s1", thread_key="t"))
    FakeConnector.reset()
    _receive(second, NetworkEventFactory(external_id="s1", thread_key="t"))

    assert Conversation.objects.count() == 2


def test_a_follow_is_an_inbox_item_of_its_own(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(kind=EventKind.FOLLOW, external_id="f1", text=""))

    message = _message("f1")
    assert message.kind == MessageKind.FOLLOW
    assert message.conversation.kind == MessageKind.FOLLOW


# --- authors --------------------------------------------------------------------------------


def test_the_author_becomes_a_community_member_with_an_identity(account: ConnectedAccount) -> None:
    author = AuthorFactory(external_id="109", handle="@marie@social.example", display_name="Marie Dupont")

    _receive(account, NetworkEventFactory(external_id="s1", author=author))

    identity = _message("s1").author
    assert identity is not None
    assert (identity.network, identity.external_id, identity.handle) == ("fake", "109", "@marie@social.example")
    assert identity.member.display_name == "Marie Dupont"
    assert identity.member.workspace == account.workspace


def test_the_same_author_keeps_one_identity_across_messages(account: ConnectedAccount) -> None:
    author = AuthorFactory(external_id="109")

    _receive(account, NetworkEventFactory(author=author))
    _receive(account, NetworkEventFactory(author=author), NetworkEventFactory(author=author))

    assert Identity.objects.filter(external_id="109").count() == 1
    assert Member.objects.count() == 1
    assert Message.objects.filter(author__external_id="109").count() == 3


def test_an_author_seen_on_two_accounts_of_the_network_keeps_one_identity(workspace: object) -> None:
    author = AuthorFactory(external_id="109")

    _receive(ConnectedAccountFactory(workspace=workspace), NetworkEventFactory(author=author))
    FakeConnector.reset()
    _receive(ConnectedAccountFactory(workspace=workspace), NetworkEventFactory(author=author))

    assert Identity.objects.filter(external_id="109").count() == 1


def test_each_message_adds_to_the_authors_message_count(account: ConnectedAccount) -> None:
    author = AuthorFactory(external_id="109")

    _receive(account, NetworkEventFactory(author=author), NetworkEventFactory(author=author))
    _receive(account, NetworkEventFactory(author=author))

    assert Identity.objects.get(external_id="109").message_count == 3


def test_redelivered_messages_do_not_add_to_the_message_count(account: ConnectedAccount) -> None:
    event = NetworkEventFactory(author=AuthorFactory(external_id="109"))
    _receive(account, event)
    FakeConnector.reset()

    _receive(account, event)

    assert Identity.objects.get(external_id="109").message_count == 1


def test_a_follow_records_since_when_the_person_follows_us(account: ConnectedAccount) -> None:
    _receive(
        account,
        NetworkEventFactory(kind=EventKind.FOLLOW, occurred_at=MORNING, author=AuthorFactory(external_id="109")),
    )

    assert Identity.objects.get(external_id="109").follows_since == MORNING


def test_each_follower_in_a_batch_follows_us_since_their_own_follow(account: ConnectedAccount) -> None:
    yesterday = MORNING - timedelta(days=1)

    _receive(
        account,
        NetworkEventFactory(kind=EventKind.FOLLOW, occurred_at=yesterday, author=AuthorFactory(external_id="109")),
        NetworkEventFactory(kind=EventKind.FOLLOW, occurred_at=MORNING, author=AuthorFactory(external_id="110")),
    )

    assert Identity.objects.get(external_id="109").follows_since == yesterday
    assert Identity.objects.get(external_id="110").follows_since == MORNING


def test_a_follower_who_already_followed_us_keeps_the_first_date(account: ConnectedAccount) -> None:
    yesterday = MORNING - timedelta(days=1)
    author = AuthorFactory(external_id="109")
    _receive(account, NetworkEventFactory(kind=EventKind.FOLLOW, occurred_at=yesterday, author=author))

    _receive(account, NetworkEventFactory(kind=EventKind.FOLLOW, occurred_at=MORNING, author=author))

    assert Identity.objects.get(external_id="109").follows_since == yesterday


def test_a_follow_is_not_counted_as_a_message(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(kind=EventKind.FOLLOW, text="", author=AuthorFactory(external_id="109")))

    assert Identity.objects.get(external_id="109").message_count == 0


def test_an_event_without_author_is_stored_without_one(account: ConnectedAccount) -> None:
    _receive(account, NetworkEventFactory(external_id="s1", author=None))

    assert _message("s1").author is None


# --- content --------------------------------------------------------------------------------


def test_it_detects_a_french_question(account: ConnectedAccount) -> None:
    _receive(
        account,
        NetworkEventFactory(
            external_id="s1", text="@cci Bonjour, est-ce que les inscriptions pour le salon sont encore ouvertes ?"
        ),
    )

    assert _message("s1").language == "fr"


def test_it_detects_an_english_message(account: ConnectedAccount) -> None:
    _receive(
        account,
        NetworkEventFactory(external_id="s1", text="@cci Hello, are registrations for the fair still open this week?"),
    )

    assert _message("s1").language == "en"


def test_hostile_text_is_stored_as_it_came(account: ConnectedAccount) -> None:
    hostile = '<script>alert("pwned")</script> <img src=x onerror=alert(1)> {{ secret }} \' OR 1=1 --'

    _receive(account, NetworkEventFactory(external_id="s1", text=hostile))

    message = _message("s1")
    assert message.text == hostile
    assert message.conversation.preview == hostile


def test_a_received_message_keeps_what_the_network_said(account: ConnectedAccount) -> None:
    _receive(
        account,
        NetworkEventFactory(
            kind=EventKind.DIRECT_MESSAGE,
            external_id="d1",
            url="https://social.example/d1",
            visibility="direct",
            occurred_at=MORNING,
        ),
    )

    message = _message("d1")
    assert (message.direction, message.kind, message.visibility, message.url, message.occurred_at) == (
        Direction.IN,
        MessageKind.DIRECT_MESSAGE,
        "direct",
        "https://social.example/d1",
        MORNING,
    )
