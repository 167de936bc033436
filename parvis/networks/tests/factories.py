"""Factories for networks rows, and for what a network says (events) to feed the fake connector."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import factory
from django.utils import timezone

from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind, Author, EventKind, NetworkEvent


class ConnectedAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectedAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    network = "fake"
    instance_url = "https://fake.example"
    credentials = factory.Sequence(lambda n: {"access_token": f"token-{n}"})
    # The fake network names an account after its token, so reconnecting with that token finds it.
    external_id = factory.LazyAttribute(lambda account: f"id-{account.credentials['access_token']}")
    handle = factory.Sequence(lambda n: f"@org{n}")
    display_name = "Organisation"
    next_poll_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    account = factory.SubFactory(ConnectedAccountFactory)
    workspace = factory.SelfAttribute("account.workspace")
    kind = ActionKind.PUBLISH.value
    payload = factory.LazyFunction(lambda: {"text": "Assemblée générale jeudi à 18 h."})
    idempotency_key = factory.LazyFunction(lambda: uuid.uuid4().hex)
    status = ActionStatus.PENDING
    due_at = factory.LazyFunction(timezone.now)
    next_attempt_at = factory.SelfAttribute("due_at")


class AuthorFactory(factory.Factory):
    class Meta:
        model = Author

    external_id = factory.Sequence(lambda n: f"author-{n}")
    handle = factory.Sequence(lambda n: f"@person{n}@social.example")
    display_name = factory.Sequence(lambda n: f"Person {n}")


class NetworkEventFactory(factory.Factory):
    """A mention by default; pass kind=EventKind.REPLY, in_reply_to_id=... for a reply."""

    class Meta:
        model = NetworkEvent

    kind = EventKind.MENTION
    external_id = factory.Sequence(lambda n: f"status-{n}")
    occurred_at = factory.Sequence(lambda n: datetime(2026, 5, 4, 9, 0, tzinfo=UTC) + timedelta(minutes=n))
    author = factory.SubFactory(AuthorFactory)
    text = "@org Bonjour, à quelle heure ouvre le salon des entreprises ?"
    url = factory.LazyAttribute(lambda event: f"https://social.example/{event.external_id}")
