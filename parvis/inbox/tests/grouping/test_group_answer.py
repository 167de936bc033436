"""Answering a group once: each person on their own thread, or one full answer the others point to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.grouping import (
    group_answer,
    group_list,
    group_remove_messages,
    group_split,
    messages_group,
    render_answer,
)
from parvis.inbox.models import (
    AnswerMode,
    ConversationStatus,
    Direction,
    GroupStatus,
    Message,
    MessageGroup,
)
from parvis.inbox.services import ReplyError
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import AccountStatus, Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind

QUESTIONS = [
    ("@org Le salon est-il accessible en fauteuil roulant ?", "@marie@social.example", "Marie"),
    ("@org Est-ce que le salon est accessible en fauteuil ?", "@paul@social.example", ""),
    ("@org Le salon sera-t-il accessible aux fauteuils roulants ?", "@lea@social.example", "Léa"),
]


@pytest.fixture
def group(account: ConnectedAccount) -> MessageGroup:
    now = timezone.now()
    messages = [
        MessageFactory(
            conversation__account=account,
            text=text,
            external_id=f"q{index}",
            author=IdentityFactory(member__workspace=account.workspace, handle=handle, display_name=name),
            occurred_at=now - timedelta(minutes=10 - index),
        )
        for index, (text, handle, name) in enumerate(QUESTIONS)
    ]
    messages_group(workspace=account.workspace, messages=messages)
    [shown] = group_list(account.workspace)
    assert shown.size == 3
    return shown


def _incoming(group: MessageGroup) -> list[Message]:
    return list(group.messages.filter(direction=Direction.IN).order_by("occurred_at"))


def test_render_answer_fills_the_name_and_the_handle(group: MessageGroup) -> None:
    marie, paul, _lea = _incoming(group)
    assert render_answer("Bonjour {name} ({handle}), oui !", marie) == "Bonjour Marie (@marie@social.example), oui !"
    assert render_answer("Bonjour {name}, oui ! {parent_url} {other}", paul) == (
        "Bonjour @paul@social.example, oui ! {parent_url} {other}"
    )


def test_each_mode_replies_to_everyone_on_their_own_thread(camille: Membership, group: MessageGroup) -> None:
    report = group_answer(membership=camille, group=group, text="{name}, oui : entrée B, de plain-pied.")

    assert not report.failed
    assert [sent.in_reply_to_id for sent in report.sent] == ["q0", "q1", "q2"]
    actions = [Action.objects.get(pk=sent.action_id) for sent in report.sent]
    assert [action.payload["text"] for action in actions] == [
        "Marie, oui : entrée B, de plain-pied.",
        "@paul@social.example, oui : entrée B, de plain-pied.",
        "Léa, oui : entrée B, de plain-pied.",
    ]
    assert {action.kind for action in actions} == {ActionKind.REPLY}
    group.refresh_from_db()
    assert (group.status, group.answered_by, group.answer_mode) == (GroupStatus.ANSWERED, camille.user, "each")
    assert group.answer_text == "{name}, oui : entrée B, de plain-pied."
    assert {message.conversation.status for message in _incoming(group)} == {ConversationStatus.WAITING}
    entry = AuditEntry.objects.get(verb="inbox.group_answer")
    assert entry.data["sent"] == [sent.pk for sent in report.sent]
    assert AuditEntry.objects.filter(verb="inbox.reply").count() == 3


def test_a_refused_reply_is_reported_and_the_others_still_go(camille: Membership, group: MessageGroup) -> None:
    # The fake network takes 280 characters: "Marie " and "Léa " + 274 fit, "@paul@social.example " + 274 does not.
    report = group_answer(membership=camille, group=group, text="{name} " + "a" * 274)

    assert [message.external_id for message, _ in report.failed] == ["q1"]
    assert "280" in report.failed[0][1]
    assert len(report.sent) == 2


def test_point_mode_answers_one_and_points_the_others_to_it(
    camille: Membership, group: MessageGroup, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    marie, paul, lea = _incoming(group)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = group_answer(
            membership=camille,
            group=group,
            text="Oui {name} : entrée B, de plain-pied, et des places réservées au parking.",
            mode=AnswerMode.POINT,
            pointer_text="{name}, nous avons répondu ici : {parent_url}",
            first=paul,
        )

    main, *pointers = report.sent
    assert main.in_reply_to_id == "q1"
    main_action = Action.objects.get(pk=main.action_id)
    assert main_action.status == ActionStatus.DONE
    for sent in pointers:
        action = Action.objects.get(pk=sent.action_id)
        assert action.parent_id == main_action.pk
        assert action.payload["parent_url_in_text"] is True
        assert action.status == ActionStatus.DONE, action.last_error
    texts = {request.in_reply_to_id: request.text for request in FakeConnector.published}
    assert texts["q1"].startswith("Oui @paul@social.example : entrée B")
    assert texts["q0"] == f"Marie, nous avons répondu ici : {main_action.external_url}"
    assert texts["q2"] == f"Léa, nous avons répondu ici : {main_action.external_url}"
    assert main_action.external_url.startswith("https://fake.example/")
    group.refresh_from_db()
    assert group.answer_mode == "point"
    assert {m.pk for m in (marie, lea)} == {m.pk for m in _incoming(group) if m.pk != paul.pk}


def test_point_mode_needs_the_parent_url(camille: Membership, group: MessageGroup) -> None:
    with pytest.raises(ReplyError, match="parent_url"):
        group_answer(membership=camille, group=group, text="Oui.", mode=AnswerMode.POINT, pointer_text="Voir plus haut")
    assert not Action.objects.exists()


def test_point_mode_without_a_first_answer_sends_nothing(
    camille: Membership, group: MessageGroup, account: ConnectedAccount
) -> None:
    with pytest.raises(ReplyError):
        group_answer(
            membership=camille, group=group, text="a" * 400, mode=AnswerMode.POINT, pointer_text="Ici : {parent_url}"
        )
    assert not Action.objects.exists()
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_a_disconnected_account_is_reported(
    camille: Membership, group: MessageGroup, account: ConnectedAccount
) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(status=AccountStatus.DISABLED)

    report = group_answer(membership=camille, group=group, text="Oui.")

    assert len(report.failed) == 3 and not report.sent
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_an_analyst_cannot_answer_a_group(nadia: Membership, group: MessageGroup) -> None:
    with pytest.raises(PermissionDenied):
        group_answer(membership=nadia, group=group, text="Oui.")


def test_another_workspace_cannot_answer(oscar: Membership, group: MessageGroup) -> None:
    with pytest.raises(PermissionError):
        group_answer(membership=oscar, group=group, text="Oui.")


def test_removing_a_message_recomputes_the_group(camille: Membership, group: MessageGroup) -> None:
    *_others, lea = _incoming(group)

    group_remove_messages(membership=camille, group=group, message_ids=[lea.pk])

    group.refresh_from_db()
    lea.refresh_from_db()
    assert lea.group_id is None
    assert (group.size, group.embedded) == (2, 2)
    assert AuditEntry.objects.filter(verb="inbox.group_remove").exists()


def test_split_moves_messages_to_a_group_of_their_own(camille: Membership, group: MessageGroup) -> None:
    _marie, paul, lea = _incoming(group)

    new = group_split(membership=camille, group=group, message_ids=[paul.pk, lea.pk])

    group.refresh_from_db()
    assert (group.size, new.size) == (1, 2)
    assert set(new.messages.values_list("pk", flat=True)) == {paul.pk, lea.pk}
    assert new.centroid is not None
    assert list(group_list(group.workspace)) == [new]


def test_split_refuses_messages_of_another_group(
    camille: Membership, group: MessageGroup, account: ConnectedAccount
) -> None:
    stranger = MessageFactory(conversation__account=account)
    with pytest.raises(ValueError):
        group_split(membership=camille, group=group, message_ids=[stranger.pk])
