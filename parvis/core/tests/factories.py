"""Factories for core rows. Personas (who acts) live in parvis/conftest.py."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from parvis.core.models import Membership, Role, Voice, VoiceKind, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("parvis-test-password")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")
    timezone = "Europe/Paris"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNITY_MANAGER


class VoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voice

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Voice {n}")
    kind = VoiceKind.ORGANISATION
