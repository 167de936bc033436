from __future__ import annotations

import pytest

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import Membership
from parvis.inbox.services import message_reply
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.models import ConnectedAccount


def test_a_reply_stops_the_first_answer_timer(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(
        "parvis.inbox.services.sla_record_answer", lambda *, conversation, at: calls.append(conversation.pk)
    )
    author = IdentityFactory(member__workspace=account.workspace)
    question = MessageFactory(conversation__account=account, external_id="201", author=author)

    message_reply(membership=camille, message=question, text="Bonjour, oui !")

    assert calls == [question.conversation_id]
