"""Triage tests: the models load once per session (embedding, lexicons, language detector, seed model)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parvis.inbox import triage_training
from parvis.inbox.models import Message
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.protocol import NetworkEvent
from parvis.networks.services import account_poll


@pytest.fixture(scope="session", autouse=True)
def _triage_models() -> None:
    triage_training.warm_up()


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> None:
    triage_training.clear_cache()


@pytest.fixture
def receive() -> Callable[..., None]:
    """Let the fake network deliver these events to the account, through a real poll."""

    def _receive(account: ConnectedAccount, *events: NetworkEvent) -> None:
        PollCursor.objects.filter(account=account).delete()
        FakeConnector.inbox[:] = list(events)
        report = account_poll(account_id=account.pk)
        assert report is not None, ConnectedAccount.objects.get(pk=account.pk).last_error

    return _receive


@pytest.fixture
def message_on_side(account: ConnectedAccount) -> Callable[..., Message]:
    """A received message whose id puts it on the wanted side of the held-out split (ids are not reused)."""

    def _make(text: str, *, held_out: bool, category: str = "", **fields: object) -> Message:
        conversation = ConversationFactory(account=account)
        while True:
            message: Message = MessageFactory(conversation=conversation, text=text, category=category, **fields)
            if triage_training.is_held_out(message.pk) == held_out:
                return message
            message.delete()

    return _make
