from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Campaign, LinkClickDay, Post, ShortLink
from parvis.publishing.services.links import link_click_record, links_shorten_text

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def campaign(workspace):
    return Campaign.objects.create(workspace=workspace, name="Salon 2025", utm_campaign="salon25")


@pytest.fixture
def post(workspace, campaign):
    return Post.objects.create(
        workspace=workspace, text="Inscriptions au salon ouvertes", scheduled_at=timezone.now(), campaign=campaign
    )


@pytest.fixture
def mastodon(workspace):
    return ConnectedAccountFactory(workspace=workspace, network="mastodon", handle="@cci")


@pytest.fixture
def bluesky(workspace):
    return ConnectedAccountFactory(workspace=workspace, network="bluesky", handle="cci.bsky.social")


@pytest.fixture
def link(post, mastodon):
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon?lang=fr#programme")
    return ShortLink.objects.get()


def _follow(client, link, **headers):
    return client.get(reverse("web:short_link", args=[link.code]), headers={"User-Agent": BROWSER, **headers})


def test_a_short_link_redirects_to_its_target_without_sign_in(client, link):
    response = _follow(client, link)

    assert response.status_code == 302
    assert response["Location"] == link.target_url
    assert response["Location"].startswith("https://cci.example/salon?lang=fr&utm_source=mastodon")
    assert response["Location"].endswith("#programme")


def test_a_click_is_counted_for_the_day_and_the_network(client, link):
    _follow(client, link)
    _follow(client, link)

    day = LinkClickDay.objects.get()
    assert (day.link.network, day.day, day.count) == ("mastodon", timezone.localdate(timezone=link.workspace.zone), 2)
    assert ShortLink.objects.get().clicks == 2


def test_head_requests_are_redirected_but_not_counted(client, link):
    response = client.head(reverse("web:short_link", args=[link.code]), headers={"User-Agent": BROWSER})

    assert response.status_code == 302
    assert not LinkClickDay.objects.exists()


@pytest.mark.parametrize(
    "agent",
    [
        "http.rb/5.1.1 (Mastodon/4.2.1; +https://piaille.fr/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "Twitterbot/1.0",
        "facebookexternalhit/1.1",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    ],
)
def test_link_previews_of_the_networks_are_redirected_but_not_counted(client, link, agent):
    response = client.get(reverse("web:short_link", args=[link.code]), headers={"User-Agent": agent})

    assert response.status_code == 302
    assert ShortLink.objects.get().clicks == 0


def test_browser_prefetches_are_not_counted(client, link):
    _follow(client, link, Sec_Purpose="prefetch")

    assert ShortLink.objects.get().clicks == 0


def test_an_unknown_code_is_a_404_page(client, link):
    response = client.get(reverse("web:short_link", args=["Inconnu1"]), headers={"User-Agent": BROWSER})

    assert response.status_code == 404
    assert "Lien inconnu" in response.content.decode() or "Unknown link" in response.content.decode()


@pytest.mark.parametrize("code", ["https:", "..", "a%2F%2Fevil.example", "x" * 40])
def test_malformed_codes_never_redirect(client, link, code):
    response = client.get(f"/l/{code}", headers={"User-Agent": BROWSER})

    assert response.status_code == 404
    assert "Location" not in response


def test_the_redirect_ignores_any_destination_given_in_the_request(client, link):
    response = client.get(
        reverse("web:short_link", args=[link.code]) + "?next=https://evil.example&url=https://evil.example",
        headers={"User-Agent": BROWSER},
    )

    assert response["Location"] == link.target_url


def test_the_statistics_page_shows_clicks_per_network_post_and_campaign(signed_in, nadia, post, mastodon, bluesky):
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    links_shorten_text(post=post, account=bluesky, text="https://cci.example/salon")
    for link in ShortLink.objects.all():
        for _ in range(3 if link.network == "mastodon" else 1):
            link_click_record(link=link)

    response = signed_in(nadia).get(reverse("web:links"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "vendor/chartjs/chart.umd.min.js" in content
    assert "Salon 2025" in content
    assert "Inscriptions au salon ouvertes" in content
    assert 'id="links-chart-data"' in content
    per_network = content[content.index('id="per-network-title"') : content.index('id="per-campaign-title"')]
    assert per_network.index("Mastodon") < per_network.index("Bluesky")


def test_the_statistics_page_filters_by_network(signed_in, nadia, post, mastodon, bluesky):
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/salon")
    links_shorten_text(post=post, account=bluesky, text="https://cci.example/autre")
    for link in ShortLink.objects.all():
        link_click_record(link=link)

    content = signed_in(nadia).get(reverse("web:links"), {"network": "bluesky"}).content.decode()

    assert "https://cci.example/autre" in content
    assert "https://cci.example/salon" not in content


def test_the_statistics_page_needs_the_analytics_permission(signed_in, theo):
    assert signed_in(theo).get(reverse("web:links")).status_code == 403


def test_the_statistics_page_shows_nothing_of_another_workspace(signed_in, oscar, link):
    link_click_record(link=link)

    content = signed_in(oscar).get(reverse("web:links")).content.decode()

    assert link.code not in content


def test_the_csv_export_has_one_line_per_link_and_day(signed_in, nadia, link):
    today = timezone.now()
    link_click_record(link=link, at=today)
    link_click_record(link=link, at=today)
    link_click_record(link=link, at=today - dt.timedelta(days=1))

    response = signed_in(nadia).get(reverse("web:links_export"), {"days": 7})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "day",
        "code",
        "short_url",
        "original_url",
        "network",
        "account",
        "post_id",
        "campaign",
        "clicks",
    ]
    assert [row[-1] for row in rows[1:]] == ["1", "2"]
    assert {row[4] for row in rows[1:]} == {"mastodon"}
    assert rows[1][7] == "Salon 2025"


def test_the_csv_export_defuses_spreadsheet_formulas(signed_in, nadia, workspace, mastodon):
    evil = Campaign.objects.create(workspace=workspace, name='=HYPERLINK("https://evil.example")')
    post = Post.objects.create(workspace=workspace, text="x", scheduled_at=timezone.now(), campaign=evil)
    links_shorten_text(post=post, account=mastodon, text="https://cci.example/")
    link_click_record(link=ShortLink.objects.get())

    rows = list(csv.reader(io.StringIO(signed_in(nadia).get(reverse("web:links_export")).content.decode())))

    assert rows[1][7].startswith("'=")
