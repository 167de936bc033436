"""Favourites and boosts of our posts are stored once each and read as counts (per post, per person)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.community.models import Identity
from parvis.core.models import Membership
from parvis.inbox.models import Message, Reaction
from parvis.inbox.reactions import reaction_counts, reactions_by_identities
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ConnectedAccount, PollCursor
from parvis.networks.protocol import Author, EventKind
from parvis.networks.services import account_poll
from parvis.networks.tests.factories import NetworkEventFactory
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.django_db

MARIE = Author(external_id="marie@social.example", handle="@marie@social.example", display_name="Marie")


def reaction(kind: EventKind, number: int, target: str = "our-post-1") -> object:
    return NetworkEventFactory(
        kind=kind,
        external_id=f"{kind.value}:{number}",
        author=MARIE,
        in_reply_to_id=target,
        text="",
        occurred_at=timezone.now() - timedelta(minutes=10 - number),
    )


def test_reactions_are_stored_once_and_counted_per_post(account: ConnectedAccount) -> None:
    FakeConnector.inbox.extend(
        [
            reaction(EventKind.FAVOURITE, 1),
            reaction(EventKind.REBLOG, 2),
            reaction(EventKind.FAVOURITE, 3, target="our-post-2"),
        ]
    )
    account_poll(account_id=account.pk)
    PollCursor.objects.filter(account=account).delete()  # the network sends them all again

    again = account_poll(account_id=account.pk)

    assert again is not None and again.stored == 0
    assert Reaction.objects.filter(account=account).count() == 3
    assert not Message.objects.filter(account=account).exists()  # nothing to answer: not in the inbox
    assert reaction_counts(account, ["our-post-1", "our-post-2", "our-post-3"]) == {
        "our-post-1": {"favourite": 1, "reblog": 1},
        "our-post-2": {"favourite": 1, "reblog": 0},
    }
    marie = Identity.objects.get(external_id=MARIE.external_id)
    assert reactions_by_identities(account.workspace, [marie.pk]) == {"favourite": 2, "reblog": 1}


def test_the_author_panel_shows_what_the_person_reacted_to(
    account: ConnectedAccount, client: Client, camille: Membership
) -> None:
    FakeConnector.inbox.extend(
        [
            reaction(EventKind.FAVOURITE, 1),
            reaction(EventKind.FAVOURITE, 2, target="our-post-2"),
            NetworkEventFactory(external_id="q1", author=MARIE, text="@org Une question ?"),
        ]
    )
    account_poll(account_id=account.pk)
    question = Message.objects.get(external_id="q1")

    client.force_login(camille.user)
    content = client.get(reverse("web:conversation", args=[question.conversation_id])).content.decode()

    assert "Réactions à nos publications" in content
    assert "2 favoris, 0 partages" in content


@pytest.mark.network
def test_a_favourite_on_mastodon_is_counted_once(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership
) -> None:
    account, org = mastodon_connect(camille)
    ours = mastodon_server.client(org).status_post("Le salon ouvre demain à 9 h.")
    marie = mastodon_server.create_account("marie", display_name="Marie")
    mastodon_server.client(marie).status_favourite(ours["id"])
    mastodon_server.client(marie).status_reblog(ours["id"])

    account_poll(account_id=account.pk)
    account_poll(account_id=account.pk)

    assert reaction_counts(account, [str(ours["id"])]) == {str(ours["id"]): {"favourite": 1, "reblog": 1}}
