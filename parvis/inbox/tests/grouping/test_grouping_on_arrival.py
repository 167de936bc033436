"""Grouping on arrival: the after-ingest hook puts messages that ask the same thing in one group."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from parvis.inbox.grouping import group_list, messages_group
from parvis.inbox.ingest import ingest_messages
from parvis.inbox.models import Category, GroupStatus, LabelSource, Message, MessageGroup, MessageVector
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory, NetworkEventFactory
from parvis.nlp.grouping import vector_from_bytes

NOW = timezone.now()


def _event(text: str, minutes: int = 0, **kwargs: object) -> object:
    return NetworkEventFactory(text=text, occurred_at=NOW - timedelta(minutes=60 - minutes), **kwargs)


def test_the_same_question_from_two_accounts_lands_in_one_shown_group(account: ConnectedAccount) -> None:
    other = ConnectedAccountFactory(workspace=account.workspace, network="fake", handle="@org-events")
    ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ?")])
    ingest_messages(other, [_event("@org-events Est-ce que le salon est accessible en fauteuil ?", 5)])

    [group] = group_list(account.workspace)
    assert group.size == 2
    assert set(Message.objects.filter(group=group).values_list("account", flat=True)) == {account.pk, other.pk}
    assert group.representative_text == "Le salon est-il accessible en fauteuil roulant ?"
    assert group.status == GroupStatus.OPEN
    assert group.first_message_at < group.last_message_at


def test_a_different_question_is_not_grouped(account: ConnectedAccount) -> None:
    ingest_messages(
        account,
        [
            _event("@org Le salon est-il accessible en fauteuil roulant ?"),
            _event("@org Combien coûte un stand d'exposant au salon ?", 1),
        ],
    )

    assert not group_list(account.workspace).exists()
    assert MessageGroup.objects.filter(workspace=account.workspace).count() == 2  # one each, not shown


def test_the_centroid_and_each_vector_are_stored_as_float32_bytes(account: ConnectedAccount) -> None:
    ingest_messages(
        account,
        [
            _event("@org Le salon est-il accessible en fauteuil roulant ?"),
            _event("@org Le salon sera-t-il accessible aux fauteuils roulants ?", 1),
        ],
    )

    group = MessageGroup.objects.get(size=2)
    centroid = vector_from_bytes(group.centroid)
    assert centroid is not None and centroid.shape == (384,) and centroid.dtype == np.float32
    assert MessageVector.objects.count() == 2
    assert group.embedded == 2


def test_thanks_are_grouped_only_as_near_duplicates(account: ConnectedAccount) -> None:
    ingest_messages(
        account,
        [
            _event("@org Merci pour l'accueil au salon hier !"),
            _event("@org merci pour l'accueil au salon hier", 1),
            _event("@org Bravo à toute l'équipe pour l'organisation", 2),
        ],
    )

    [group] = group_list(account.workspace)
    assert group.size == 2 and group.centroid is None
    assert not MessageVector.objects.exists()  # nothing embedded: no question in the batch


def test_spam_confirmed_by_a_person_or_a_rule_is_never_grouped(account: ConnectedAccount) -> None:
    spam = [
        MessageFactory(
            conversation__account=account,
            text="Gagnez 1000 followers ici !!",
            category=Category.SPAM_OR_ADVERTISING,
            category_source=source,
        )
        for source in (LabelSource.PERSON, LabelSource.RULE)
    ]

    assert messages_group(workspace=account.workspace, messages=spam) == 0
    assert not MessageGroup.objects.exists()


def test_a_question_the_model_took_for_spam_is_still_grouped(account: ConnectedAccount) -> None:
    messages = [
        MessageFactory(
            conversation__account=account,
            text="@org Le salon est-il accessible en fauteuil roulant ?",
            category=category,
            category_source=LabelSource.MODEL,
        )
        for category in (Category.QUESTION, Category.SPAM_OR_ADVERTISING)
    ]

    messages_group(workspace=account.workspace, messages=messages)

    [group] = group_list(account.workspace)
    assert group.size == 2


def test_closed_and_old_groups_are_not_joined(account: ConnectedAccount) -> None:
    ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ?")])
    MessageGroup.objects.update(status=GroupStatus.CLOSED)
    ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ??", 1)])
    MessageGroup.objects.filter(status=GroupStatus.OPEN).update(last_message_at=NOW - timedelta(days=30))
    ingest_messages(account, [_event("@org le salon est-il accessible en fauteuil roulant", 2)])

    assert MessageGroup.objects.count() == 3
    assert not group_list(account.workspace).exists()


def test_another_workspace_never_joins(account: ConnectedAccount, oscar: object) -> None:
    elsewhere = ConnectedAccountFactory(network="fake")
    ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ?")])
    ingest_messages(elsewhere, [_event("@org Le salon est-il accessible en fauteuil roulant ?", 1)])

    assert MessageGroup.objects.count() == 2
    assert all(group.size == 1 for group in MessageGroup.objects.all())


def test_a_message_already_grouped_is_left_alone(account: ConnectedAccount) -> None:
    ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ?")])
    message = Message.objects.get()

    assert messages_group(workspace=account.workspace, messages=[message]) == 0
    assert MessageGroup.objects.get().size == 1


def test_a_grouping_failure_never_loses_the_batch(account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(texts: object, **kwargs: object) -> object:
        raise RuntimeError("model file missing")

    monkeypatch.setattr("parvis.nlp.embeddings.embed", broken)

    stored = ingest_messages(account, [_event("@org Le salon est-il accessible en fauteuil roulant ?")])

    assert stored == 1
    assert Message.objects.get().group_id is None
    assert not MessageGroup.objects.exists()
