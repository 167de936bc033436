from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from parvis.publishing.models import PublishingSettings, ShortLink
from parvis.publishing.services.links import (
    CODE_ALPHABET,
    CODE_LENGTH,
    links_shorten_text,
    short_link_length,
    urls_in_text,
    utm_tagged,
)

pytestmark = pytest.mark.django_db


def test_it_replaces_each_url_by_a_parvis_short_link(post, mastodon):
    text = links_shorten_text(post=post, account=mastodon, text="Inscrivez-vous : https://cci.example/salon. Merci !")

    link = ShortLink.objects.get()
    assert text == f"Inscrivez-vous : https://parvis.example/l/{link.code}. Merci !"
    assert link.original_url == "https://cci.example/salon"
    assert (link.post, link.account, link.network, link.workspace) == (post, mastodon, "mastodon", post.workspace)


def test_codes_are_url_safe_and_of_the_announced_length(post, mastodon):
    text = links_shorten_text(post=post, account=mastodon, text="https://a.example/1 https://b.example/2")

    codes = list(ShortLink.objects.values_list("code", flat=True))
    assert len(set(codes)) == 2
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
    assert all(len(word) == short_link_length() for word in text.split())


def test_short_link_length_follows_the_base_url(settings):
    settings.PARVIS_BASE_URL = "https://p.example"

    assert short_link_length() == len("https://p.example/l/") + CODE_LENGTH


def test_the_same_url_for_the_same_post_and_account_keeps_its_code(post, mastodon):
    first = links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    again = links_shorten_text(post=post, account=mastodon, text="Voir https://cci.example/salon")

    assert again == f"Voir {first}"
    assert ShortLink.objects.count() == 1


def test_each_account_gets_its_own_link_so_clicks_are_counted_per_network(post, mastodon, linkedin):
    on_mastodon = links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    on_linkedin = links_shorten_text(post=post, account=linkedin, text="https://cci.example/salon")

    assert on_mastodon != on_linkedin
    assert sorted(ShortLink.objects.values_list("network", flat=True)) == ["linkedin", "mastodon"]


def test_the_target_carries_utm_per_network_campaign_and_post(post, linkedin):
    links_shorten_text(post=post, account=linkedin, text="https://cci.example/salon")

    query = parse_qs(urlsplit(ShortLink.objects.get().target_url).query)
    assert query == {
        "utm_source": ["linkedin"],
        "utm_medium": ["social"],
        "utm_campaign": ["salon-des-entreprises-2025"],
        "utm_content": [str(post.pk)],
    }


def test_the_campaigns_own_utm_name_wins_over_its_slug(post, mastodon, campaign):
    campaign.utm_campaign = "salon25"
    campaign.save()
    post.refresh_from_db()

    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")

    assert "utm_campaign=salon25" in ShortLink.objects.get().target_url


def test_utm_is_left_out_when_the_workspace_turns_it_off(post, mastodon):
    PublishingSettings.objects.create(workspace=post.workspace, utm_enabled=False)

    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon?x=1")

    assert ShortLink.objects.get().target_url == "https://cci.example/salon?x=1"


def test_without_shortening_the_urls_stay_in_the_text_with_their_utm(post, mastodon):
    PublishingSettings.objects.create(workspace=post.workspace, shorten_links=False, utm_medium="reseaux")

    text = links_shorten_text(post=post, account=mastodon, text="Lire https://cci.example/salon !")

    assert text.startswith("Lire https://cci.example/salon?utm_source=mastodon&utm_medium=reseaux")
    assert text.endswith(" !")
    assert not ShortLink.objects.exists()


def test_a_text_without_links_is_returned_unchanged(post, mastodon):
    assert (
        links_shorten_text(post=post, account=mastodon, text="Rendez-vous jeudi à 18 h.") == "Rendez-vous jeudi à 18 h."
    )
    assert not ShortLink.objects.exists()


def test_existing_parvis_short_links_are_not_shortened_again(post, mastodon):
    assert links_shorten_text(post=post, account=mastodon, text="https://parvis.example/l/AbCdEfGh") == (
        "https://parvis.example/l/AbCdEfGh"
    )
    assert not ShortLink.objects.exists()


def test_utm_merge_keeps_existing_parameters_and_the_fragment():
    tagged = utm_tagged(
        "https://cci.example/agenda?lang=fr&page=2#inscription", source="bluesky", medium="social", content="7"
    )

    assert (
        tagged
        == "https://cci.example/agenda?lang=fr&page=2&utm_source=bluesky&utm_medium=social&utm_content=7#inscription"
    )


def test_utm_merge_never_overwrites_the_authors_own_utm():
    tagged = utm_tagged(
        "https://cci.example/?UTM_SOURCE=newsletter&utm_campaign=printemps",
        source="x",
        medium="social",
        campaign="salon",
    )

    query = parse_qs(urlsplit(tagged).query)
    assert query["UTM_SOURCE"] == ["newsletter"]
    assert "utm_source" not in query
    assert query["utm_campaign"] == ["printemps"]
    assert query["utm_medium"] == ["social"]


def test_utm_merge_keeps_blank_parameters():
    assert utm_tagged("https://cci.example/?a=&b=1", source="x", medium="social") == (
        "https://cci.example/?a=&b=1&utm_source=x&utm_medium=social"
    )


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("Voir https://cci.example/a.", ["https://cci.example/a"]),
        ("(voir https://cci.example/a)", ["https://cci.example/a"]),
        ("https://fr.wikipedia.org/wiki/Lyon_(ville) !", ["https://fr.wikipedia.org/wiki/Lyon_(ville)"]),
        ("«https://cci.example/a»", ["https://cci.example/a"]),
        ("HTTP://CCI.EXAMPLE/A?b=1#c, et http://x.example", ["HTTP://CCI.EXAMPLE/A?b=1#c", "http://x.example"]),
        ("ftp://cci.example/a et mailto:a@b.c", []),
    ],
)
def test_urls_are_found_in_running_text_without_their_trailing_punctuation(text, urls):
    assert [found.url for found in urls_in_text(text)] == urls
