from __future__ import annotations

import pytest

from parvis.core.models import AuditEntry
from parvis.core.permissions import PermissionDenied
from parvis.publishing.models import CurationDismissal, PostOrigin, RelayKind
from parvis.publishing.services.curation import (
    CurationError,
    curation_dismiss,
    curation_relay,
    curation_restore,
    relay_default_text,
    relay_kinds_for,
)

pytestmark = pytest.mark.django_db


def test_an_article_is_relayed_as_a_link_post_with_its_title_and_link(camille, article, demo_account):
    post = curation_relay(membership=camille, entry=article, relay_kind=RelayKind.LINK, accounts=[demo_account])

    assert (post.origin, post.relay_kind, post.relay_url) == (
        PostOrigin.RELAY,
        "link",
        "https://presse.example/pme-export",
    )
    assert post.text == "Les PME lyonnaises exportent davantage\n\nhttps://presse.example/pme-export"
    assert [delivery.account for delivery in post.deliveries.all()] == [demo_account]
    assert AuditEntry.objects.filter(verb="curation.relay", target_id=str(article.pk)).exists()


def test_the_comment_replaces_the_prefilled_text(camille, article, demo_account):
    post = curation_relay(
        membership=camille,
        entry=article,
        relay_kind=RelayKind.LINK,
        accounts=[demo_account],
        text="Belle progression pour nos PME ! https://presse.example/pme-export",
    )

    assert post.text.startswith("Belle progression pour nos PME !")


def test_an_rss_entry_can_only_be_relayed_as_a_link(camille, article, demo_account):
    assert relay_kinds_for(article) == [RelayKind.LINK]

    with pytest.raises(CurationError):
        curation_relay(membership=camille, entry=article, relay_kind=RelayKind.REPOST, accounts=[demo_account])


def test_a_post_on_a_connected_network_can_be_boosted(camille, network_post, demo_account):
    assert set(relay_kinds_for(network_post)) == {RelayKind.LINK, RelayKind.REPOST, RelayKind.QUOTE}

    post = curation_relay(membership=camille, entry=network_post, relay_kind=RelayKind.REPOST, accounts=[demo_account])

    assert (post.origin, post.relay_kind, post.relay_network, post.relay_external_id) == (
        PostOrigin.RELAY,
        "repost",
        "fake",
        "status-4242",
    )


def test_a_quote_carries_the_comment(camille, network_post, demo_account):
    post = curation_relay(
        membership=camille,
        entry=network_post,
        relay_kind=RelayKind.QUOTE,
        accounts=[demo_account],
        text="Félicitations à tous les lauréats.",
    )

    assert (post.relay_kind, post.text, post.relay_external_id) == (
        "quote",
        "Félicitations à tous les lauréats.",
        "status-4242",
    )


def test_a_quote_needs_a_comment(camille, network_post, demo_account):
    with pytest.raises(CurationError):
        curation_relay(membership=camille, entry=network_post, relay_kind=RelayKind.QUOTE, accounts=[demo_account])


def test_a_boost_comes_from_an_account_of_the_same_network(camille, network_post, workspace):
    from parvis.networks.tests.factories import ConnectedAccountFactory

    mastodon = ConnectedAccountFactory(workspace=workspace, network="mastodon")

    with pytest.raises(CurationError):
        curation_relay(membership=camille, entry=network_post, relay_kind=RelayKind.REPOST, accounts=[mastodon])


def test_an_entry_of_another_workspace_cannot_be_relayed(oscar, article):
    with pytest.raises(CurationError):
        curation_relay(membership=oscar, entry=article, relay_kind=RelayKind.LINK, accounts=[])


def test_an_analyst_cannot_relay(nadia, article, demo_account):
    with pytest.raises(PermissionDenied):
        curation_relay(membership=nadia, entry=article, relay_kind=RelayKind.LINK, accounts=[demo_account])


def test_dismissing_and_restoring_an_entry(camille, article):
    curation_dismiss(membership=camille, entry=article)
    curation_dismiss(membership=camille, entry=article)  # twice is harmless
    assert CurationDismissal.objects.filter(entry=article).count() == 1

    curation_restore(membership=camille, entry=article)
    assert not CurationDismissal.objects.exists()
    assert AuditEntry.objects.filter(verb__in=["curation.dismiss", "curation.restore"]).count() == 2


def test_relaying_a_dismissed_entry_brings_it_back(camille, article, demo_account):
    curation_dismiss(membership=camille, entry=article)

    curation_relay(membership=camille, entry=article, relay_kind=RelayKind.LINK, accounts=[demo_account])

    assert not CurationDismissal.objects.exists()


def test_an_entry_without_a_title_is_prefilled_with_its_summary(article):
    article.title = ""
    assert relay_default_text(article) == "Une étude de la CCI.\n\nhttps://presse.example/pme-export"
