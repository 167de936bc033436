from __future__ import annotations

import factory
from django.utils import timezone

from parvis.community.tests.factories import IdentityFactory
from parvis.inbox.models import Conversation, Direction, Message, MessageKind
from parvis.networks.tests.factories import ConnectedAccountFactory


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    account = factory.SubFactory(ConnectedAccountFactory)
    workspace = factory.SelfAttribute("account.workspace")
    thread_key = factory.Sequence(lambda n: f"thread-{n}")
    kind = MessageKind.MENTION
    last_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    """A received mention; pass kind/visibility/author as needed."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    account = factory.SelfAttribute("conversation.account")
    workspace = factory.SelfAttribute("conversation.workspace")
    direction = Direction.IN
    kind = MessageKind.MENTION
    external_id = factory.Sequence(lambda n: f"status-in-{n}")
    author = factory.SubFactory(IdentityFactory, member__workspace=factory.SelfAttribute("...workspace"))
    text = "@org Bonjour, le salon est-il accessible en fauteuil ?"
    visibility = "public"
    occurred_at = factory.LazyFunction(timezone.now)
