from __future__ import annotations

import factory
from django.utils import timezone

from parvis.community.models import Identity, Member
from parvis.core.tests.factories import WorkspaceFactory


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    workspace = factory.SubFactory(WorkspaceFactory)
    display_name = factory.Sequence(lambda n: f"Membre {n}")
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.SelfAttribute("first_seen_at")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    member = factory.SubFactory(MemberFactory)
    workspace = factory.SelfAttribute("member.workspace")
    network = "fake"
    external_id = factory.Sequence(lambda n: f"author-id-{n}")
    handle = factory.Sequence(lambda n: f"@membre{n}@social.example")
    display_name = factory.SelfAttribute("member.display_name")
    first_seen_at = factory.SelfAttribute("member.first_seen_at")
    last_seen_at = factory.SelfAttribute("member.last_seen_at")
