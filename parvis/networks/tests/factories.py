from __future__ import annotations

import factory
from django.utils import timezone

from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.models import ConnectedAccount


class ConnectedAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectedAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    network = "fake"
    instance_url = "https://fake.example"
    external_id = factory.Sequence(lambda n: f"acct-{n}")
    handle = factory.Sequence(lambda n: f"@org{n}")
    display_name = "Organisation"
    credentials = factory.LazyFunction(lambda: {"access_token": "token"})
    next_poll_at = factory.LazyFunction(timezone.now)
