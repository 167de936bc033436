"""Messages arrive triaged: language, sentiment, class, signals and priority, filled inside the ingest."""

from __future__ import annotations

import numpy as np
from django.utils import timezone

from parvis.inbox.models import Conversation, LabelSource, Message, TrainingStatus, WorkspaceClassModel
from parvis.networks.protocol import EventKind
from parvis.networks.tests.factories import NetworkEventFactory
from parvis.nlp import classes, language


def _message(external_id: str) -> Message:
    return Message.objects.select_related("conversation").get(external_id=external_id)


def test_a_question_arrives_with_its_language_sentiment_class_signals_and_priority(account, receive):
    receive(account, NetworkEventFactory(external_id="q1", text="Bonjour, le salon ouvre à quelle heure samedi ?"))

    message = _message("q1")
    assert message.language == "fr"
    assert message.sentiment in {"positive", "neutral", "negative"}
    assert message.sentiment_score is not None
    assert message.category == "question"
    assert message.category_source == LabelSource.MODEL
    assert 0 < message.category_score <= 1
    assert message.signals["question_mark"] is True
    assert message.signals["profanity"] == []
    assert 0 < message.priority <= 100
    assert message.conversation.priority == message.priority


def test_a_follow_without_text_is_not_triaged(account, receive):
    receive(account, NetworkEventFactory(kind=EventKind.FOLLOW, external_id="f1", text=""))

    message = _message("f1")
    assert (message.category, message.sentiment, message.language, message.priority) == ("", "", "", 0)
    assert message.signals == {}
    assert message.conversation.priority == 0


def test_an_insult_outranks_praise_in_the_same_batch(account, receive):
    receive(
        account,
        NetworkEventFactory(external_id="i1", text="Bande de connards, vous êtes des incapables et des escrocs !"),
        NetworkEventFactory(external_id="p1", text="Merci beaucoup pour cette belle soirée, bravo à toute l'équipe !"),
    )

    insult, praise = _message("i1"), _message("p1")
    assert insult.category in {"insult-or-hate", "aggressive"}
    assert "connards" in insult.signals["profanity"]
    assert praise.category == "praise"
    assert insult.priority > praise.priority
    assert insult.conversation.priority > praise.conversation.priority


def test_the_language_is_detected_once_per_batch(account, receive, monkeypatch):
    calls = []
    real = language.detect_languages

    def counting(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(language, "detect_languages", counting)

    receive(
        account,
        NetworkEventFactory(external_id="a", text="Is the fair open on Sunday?"),
        NetworkEventFactory(external_id="b", text="Le salon est-il ouvert dimanche ?"),
    )

    assert calls == [2]
    assert [_message("a").language, _message("b").language] == ["en", "fr"]


def _always(label: str) -> classes.ClassModel:
    """A model that answers `label` whatever the text (zero weights, one large intercept)."""
    intercept = np.array([10.0 if name == label else 0.0 for name in classes.LABELS])
    return classes.ClassModel(classes.LABELS, np.zeros((len(classes.LABELS), 384)), intercept)


def test_the_workspace_model_triages_its_messages_read_once_per_version(account, receive, monkeypatch):
    WorkspaceClassModel.objects.create(
        workspace=account.workspace,
        version=1,
        status=TrainingStatus.READY,
        blob=_always("praise").to_bytes(),
        requested_at=timezone.now(),
        trained_at=timezone.now(),
    )
    loads = []
    real = classes.ClassModel.from_bytes.__func__

    def counting(cls, data):
        loads.append(len(data))
        return real(cls, data)

    monkeypatch.setattr(classes.ClassModel, "from_bytes", classmethod(counting))

    receive(account, NetworkEventFactory(external_id="w1", text="Le salon ouvre à quelle heure ?"))
    receive(account, NetworkEventFactory(external_id="w2", text="Où se garer près du salon ?"))

    assert [_message("w1").category, _message("w2").category] == ["praise", "praise"]
    assert len(loads) == 1  # the second batch reused the deserialised model

    WorkspaceClassModel.objects.create(
        workspace=account.workspace,
        version=2,
        status=TrainingStatus.READY,
        blob=_always("spam-or-advertising").to_bytes(),
        requested_at=timezone.now(),
        trained_at=timezone.now(),
    )
    receive(account, NetworkEventFactory(external_id="w3", text="Le salon est-il gratuit ?"))

    assert _message("w3").category == "spam-or-advertising"
    assert len(loads) == 2


def test_another_workspace_keeps_the_seed_model(account, receive, oscar):
    WorkspaceClassModel.objects.create(
        workspace=oscar.workspace,
        version=1,
        status=TrainingStatus.READY,
        blob=_always("praise").to_bytes(),
        requested_at=timezone.now(),
    )

    receive(account, NetworkEventFactory(external_id="s1", text="Le salon ouvre à quelle heure samedi ?"))

    assert _message("s1").category == "question"


def test_a_reply_lands_in_a_conversation_whose_priority_is_its_highest_unanswered_message(account, receive):
    receive(account, NetworkEventFactory(external_id="m1", text="Merci pour l'accueil, c'était parfait !"))
    receive(
        account,
        NetworkEventFactory(
            kind=EventKind.REPLY,
            external_id="m2",
            in_reply_to_id="m1",
            text="Par contre je n'ai toujours pas reçu ma facture, c'est inadmissible.",
        ),
    )

    first, second = _message("m1"), _message("m2")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.pk == second.conversation_id
    assert conversation.priority == max(first.priority, second.priority)
