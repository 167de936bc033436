"""The issue's acceptance scenario: ten people ask the same question in different words, in French and
English, on two networks (a real Mastodon API, mastodon-mock, and the fake network); they end up in one
group, and one move answers them all, each on their own network and thread, each with their name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.inbox.grouping import group_answer, group_list
from parvis.inbox.models import ConversationStatus, Direction, GroupStatus, Message
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus
from parvis.networks.protocol import ActionKind, Author
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import ConnectedAccountFactory, NetworkEventFactory
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

ON_MASTODON = [
    ("marie", "Marie", "{org} Bonjour, le salon est-il accessible en fauteuil roulant ?"),
    ("paul", "Paul", "{org} Est-ce que le salon est accessible en fauteuil ?"),
    ("lea", "Léa", "{org} Le salon sera-t-il accessible aux fauteuils roulants ?"),
    ("karim", "Karim", "{org} Accessible en fauteuil roulant, le salon ? Merci !"),
    ("sophie", "Sophie", "{org} Je suis en fauteuil roulant : le salon est-il accessible ?"),
    ("john", "John", "{org} Is the Salon des entreprises wheelchair accessible?"),
]
ON_FAKE = [
    (
        "@ines@social.example",
        "Inès",
        "@org Le salon des entreprises est-il accessible aux personnes en fauteuil roulant ?",
    ),
    ("@hugo@social.example", "Hugo", "@org Bonjour ! Le salon est accessible en fauteuil roulant ? #SalonCCI"),
    ("@amina@social.example", "", "@org Salon accessible aux fauteuils roulants ?"),
    ("@emma@social.example", "Emma", "@org Is the salon accessible for wheelchair users?"),
]
DIFFERENT = "{org} Combien coûte un stand d'exposant au salon ?"
ANSWER = "Bonjour {name}, oui : l'entrée B est de plain-pied et des places sont réservées au parking."


def test_ten_people_asking_the_same_thing_are_answered_in_one_move(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    camille: Membership,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    mastodon, org = mastodon_connect(camille)
    fake = ConnectedAccountFactory(workspace=camille.workspace, network="fake", handle="@cci-salon")
    questions: dict[str, str] = {}  # status id on Mastodon -> who asked
    people = {}
    for username, name, text in ON_MASTODON:
        person = mastodon_server.create_account(username, display_name=name)
        people[username] = person
        status = mastodon_server.client(person).status_post(text.format(org=org.mention))
        questions[str(status["id"])] = username
    stand_seller = mastodon_server.create_account("nora", display_name="Nora")
    different = mastodon_server.client(stand_seller).status_post(DIFFERENT.format(org=org.mention))
    start = timezone.now() - timedelta(minutes=30)
    FakeConnector.inbox.extend(
        NetworkEventFactory(
            external_id=f"fake-q{index}",
            text=text,
            author=Author(external_id=f"fake-person-{index}", handle=handle, display_name=name),
            occurred_at=start + timedelta(minutes=index),
        )
        for index, (handle, name, text) in enumerate(ON_FAKE)
    )

    account_poll(account_id=mastodon.pk)
    account_poll(account_id=fake.pk)

    # One group of ten, across both accounts and networks; the other question stays out of it.
    [group] = group_list(camille.workspace)
    assert group.size == 10, " | ".join(
        f"{m.text} g{m.group_id} {m.language} {m.category} {m.kind} {m.moderation_state}"
        for m in Message.objects.filter(direction=Direction.IN)
    )
    members = list(group.messages.filter(direction=Direction.IN).select_related("account", "author"))
    assert {message.account.network for message in members} == {"mastodon", "fake"}
    odd_one = Message.objects.get(account=mastodon, external_id=str(different["id"]))
    assert odd_one.group_id != group.pk

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = group_answer(membership=camille, group=group, text=ANSWER)

    assert not report.failed
    replies = Action.objects.filter(kind=ActionKind.REPLY)
    assert replies.count() == 10
    assert {action.status for action in replies} == {ActionStatus.DONE}, [a.last_error for a in replies]

    # Mastodon: each person has an answer in their own thread, which names and notifies them.
    for status_id, username in questions.items():
        message = Message.objects.get(account=mastodon, external_id=status_id)
        [sent] = message.conversation.messages.filter(direction=Direction.OUT)
        assert sent.action is not None
        reply = mastodon_server.client(org).status(sent.action.external_id)
        assert str(reply["in_reply_to_id"]) == status_id
        assert username in {mention["username"] for mention in reply["mentions"]}
        name = next(name for user, name, _ in ON_MASTODON if user == username)
        assert f"Bonjour {name}, oui" in reply["content"]
        notified = mastodon_server.client(people[username]).notifications(types=["mention"])
        assert str(reply["id"]) in {str(item["status"]["id"]) for item in notified}

    # The fake network: each answer in reply to its question, with the person's name or @handle.
    published = {request.in_reply_to_id: request.text for request in FakeConnector.published}
    for index, (handle, name, _) in enumerate(ON_FAKE):
        assert published[f"fake-q{index}"] == ANSWER.replace("{name}", name or handle)

    group.refresh_from_db()
    assert group.status == GroupStatus.ANSWERED
    assert {message.conversation.status for message in members} == {ConversationStatus.WAITING}
    assert not odd_one.conversation.messages.filter(direction=Direction.OUT).exists()


def test_point_mode_answers_on_mastodon_and_points_the_others_to_that_status(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    camille: Membership,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    mastodon, org = mastodon_connect(camille)
    fake = ConnectedAccountFactory(workspace=camille.workspace, network="fake", handle="@cci-salon")
    marie = mastodon_server.create_account("marie", display_name="Marie")
    paul = mastodon_server.create_account("paul", display_name="Paul")
    first = mastodon_server.client(marie).status_post(f"{org.mention} Le salon est-il accessible en fauteuil roulant ?")
    second = mastodon_server.client(paul).status_post(f"{org.mention} Est-ce que le salon est accessible en fauteuil ?")
    FakeConnector.inbox.append(
        NetworkEventFactory(
            external_id="fake-q",
            text="@org Le salon sera-t-il accessible aux fauteuils roulants ?",
            author=Author(external_id="fake-ines", handle="@ines@social.example", display_name="Inès"),
            occurred_at=timezone.now() - timedelta(minutes=5),
        )
    )
    account_poll(account_id=mastodon.pk)
    account_poll(account_id=fake.pk)
    [group] = group_list(camille.workspace)
    assert group.size == 3
    chosen = Message.objects.get(account=mastodon, external_id=str(first["id"]))

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = group_answer(
            membership=camille,
            group=group,
            text="Oui {name} : entrée B, de plain-pied, et des places réservées au parking P2.",
            mode="point",
            pointer_text="{name}, la réponse est ici : {parent_url}",
            first=chosen,
        )

    assert not report.failed and len(report.sent) == 3
    main = Action.objects.get(pk=report.sent[0].action_id)
    assert main.status == ActionStatus.DONE and main.external_url
    pointers = Action.objects.filter(parent=main)
    assert pointers.count() == 2
    assert {action.status for action in pointers} == {ActionStatus.DONE}, [a.last_error for a in pointers]
    # The full answer, in Marie's thread.
    full = mastodon_server.client(org).status(main.external_id)
    assert str(full["in_reply_to_id"]) == str(first["id"])
    # Paul, on Mastodon, and Inès, on the other network, get the address of that answer in their own thread.
    paul_action = pointers.get(account=mastodon)
    paul_reply = mastodon_server.client(org).status(paul_action.external_id)
    assert str(paul_reply["in_reply_to_id"]) == str(second["id"])
    assert main.external_url in paul_reply["content"]
    assert "{parent_url}" not in paul_reply["content"]
    [to_ines] = [request for request in FakeConnector.published if request.in_reply_to_id == "fake-q"]
    assert to_ines.text == f"Inès, la réponse est ici : {main.external_url}"
