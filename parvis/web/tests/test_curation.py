from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from parvis.listening.models import FeedEntry
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import CurationDismissal, Post, PostOrigin
from parvis.publishing.selectors_curation import relay_share


@pytest.fixture
def feed(workspace):
    return ConnectedAccountFactory(workspace=workspace, network="rss", handle="Presse éco")


@pytest.fixture
def article(workspace, feed):
    return FeedEntry.objects.create(
        workspace=workspace,
        source=feed,
        external_id="a1",
        title="Les PME lyonnaises exportent davantage",
        url="https://presse.example/pme-export",
        summary="<script>alert(1)</script> Une étude.",
        published_at=timezone.now(),
    )


@pytest.fixture
def demo_account(workspace):
    return ConnectedAccountFactory(workspace=workspace, network="fake", handle="@cci_lyon")


def test_the_curation_page_lists_entries_with_a_prefilled_relay_form(signed_in, camille, article, demo_account):
    content = signed_in(camille).get(reverse("web:curation")).content.decode()

    assert "Les PME lyonnaises exportent davantage" in content
    assert "Les PME lyonnaises exportent davantage\n\nhttps://presse.example/pme-export</textarea>" in content
    assert reverse("web:curation_relay", args=[article.pk]) in content
    assert 'value="repost"' not in content  # an RSS entry is only relayed as a link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content


def test_one_click_relays_the_entry_and_the_counter_reflects_it(signed_in, camille, article, demo_account):
    client = signed_in(camille)

    response = client.post(
        reverse("web:curation_relay", args=[article.pk]),
        {"relay_kind": "link", "accounts": [demo_account.pk], "text": "À lire : https://presse.example/pme-export"},
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.origin, post.relay_kind, post.relay_url) == (PostOrigin.RELAY, "link", article.url)
    assert relay_share(camille.workspace)[0].last.relayed == 1
    content = client.get(reverse("web:curation")).content.decode()
    assert "Les PME lyonnaises exportent davantage" not in content  # no longer to relay
    assert "Les PME lyonnaises" in client.get(reverse("web:curation"), {"show": "relayed"}).content.decode()


def test_an_account_of_another_workspace_is_refused(signed_in, camille, article, oscar):
    stranger = ConnectedAccountFactory(workspace=oscar.workspace, network="fake")

    signed_in(camille).post(
        reverse("web:curation_relay", args=[article.pk]), {"relay_kind": "link", "accounts": [stranger.pk]}
    )

    assert not Post.objects.exists()


def test_a_relay_without_an_account_says_so(signed_in, camille, article, demo_account):
    response = signed_in(camille).post(
        reverse("web:curation_relay", args=[article.pk]), {"relay_kind": "link"}, follow=True
    )

    assert not Post.objects.exists()
    assert "message-error" in response.content.decode()


def test_an_entry_is_dismissed_and_restored(signed_in, camille, article):
    client = signed_in(camille)

    client.post(reverse("web:curation_dismiss", args=[article.pk]))
    assert CurationDismissal.objects.filter(entry=article).exists()
    assert "Les PME lyonnaises" not in client.get(reverse("web:curation")).content.decode()

    client.post(reverse("web:curation_dismiss", args=[article.pk]), {"restore": "1"})
    assert not CurationDismissal.objects.exists()


def test_an_entry_of_another_workspace_is_not_found(signed_in, oscar, article):
    assert signed_in(oscar).post(reverse("web:curation_dismiss", args=[article.pk])).status_code == 404


def test_an_analyst_sees_the_list_but_cannot_relay(signed_in, nadia, article):
    client = signed_in(nadia)

    content = client.get(reverse("web:curation")).content.decode()
    assert "Les PME lyonnaises" in content
    assert reverse("web:curation_relay", args=[article.pk]) not in content
    assert client.post(reverse("web:curation_dismiss", args=[article.pk])).status_code == 403


def test_a_network_post_offers_boost_and_quote_from_accounts_of_its_network(
    signed_in, camille, workspace, demo_account
):
    source = ConnectedAccountFactory(workspace=workspace, network="fake", handle="@veille")
    entry = FeedEntry.objects.create(
        workspace=workspace,
        source=source,
        external_id="status-7",
        title="Bravo aux lauréats",
        url="https://fake.example/@partenaire/7",
        published_at=timezone.now(),
    )
    client = signed_in(camille)

    content = client.get(reverse("web:curation")).content.decode()
    assert 'value="repost"' in content and 'value="quote"' in content

    client.post(reverse("web:curation_relay", args=[entry.pk]), {"relay_kind": "repost", "accounts": [demo_account.pk]})

    post = Post.objects.get()
    assert (post.relay_kind, post.relay_network, post.relay_external_id) == ("repost", "fake", "status-7")
