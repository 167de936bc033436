"""The issue's acceptance scenario: a post composed once goes to Mastodon (mastodon-mock) and to
Bluesky (Bluesky's reference servers) with a correct variant each — a thread where it is too long
for one post, its image and alt text, its short link — and clicks on the short link are counted."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from parvis.core.models import Membership
from parvis.networks.models import Action, ActionStatus
from parvis.publishing.models import LinkClickDay, ShortLink
from parvis.publishing.services import media_upload, post_create
from parvis.testing.atproto import AtprotoDevEnv, ConnectBluesky
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = [pytest.mark.network, pytest.mark.atproto, pytest.mark.django_db]

ARTICLE = "https://www.cci-lyon.example/salon-2027?programme=1"
TEXT = (
    "Le salon des entreprises ouvre ses portes jeudi à 9 h au centre des congrès de Lyon. "
    "Plus de cent exposants, des ateliers et des conférences toute la journée vous attendent. "
    "L'entrée est gratuite pour les adhérents ; le programme complet et l'inscription sont ici : "
    f"{ARTICLE} #SalonCCI"
)  # about 330 characters: one Mastodon status (500), two Bluesky posts (300 graphemes)
SHORT_LINK = re.compile(r"https?://[^\s/]+/l/([A-Za-z0-9_-]+)")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#0b6b63").save(buffer, format="PNG")
    return SimpleUploadedFile("affiche.png", buffer.getvalue(), content_type="image/png")


def test_a_post_composed_once_goes_to_mastodon_and_bluesky_and_its_short_links_count_clicks(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    atproto_network: AtprotoDevEnv,
    bluesky_connect: ConnectBluesky,
    camille: Membership,
    client: Client,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    mastodon, mastodon_org = mastodon_connect(camille)
    bluesky, _bluesky_org = bluesky_connect(camille)
    image = media_upload(membership=camille, upload=_png(), alt_text="L'affiche du salon des entreprises")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = post_create(membership=camille, text=TEXT, accounts=[mastodon, bluesky], media=[image])

    actions = Action.objects.filter(delivery__post=post) | Action.objects.filter(parent__delivery__post=post)
    assert {action.status for action in Action.objects.all()} == {ActionStatus.DONE}, [
        (action.kind, action.last_error) for action in Action.objects.all()
    ]
    assert actions.exists()

    # Mastodon: one status (it fits in 500 characters), the image with its alt text, the short link.
    statuses = mastodon_server.client(mastodon_org).account_statuses(mastodon_org.id, limit=40)
    assert len(statuses) == 1
    [attachment] = statuses[0]["media_attachments"]
    assert attachment["description"] == "L'affiche du salon des entreprises"
    assert ARTICLE not in statuses[0]["content"]
    [mastodon_code] = set(SHORT_LINK.findall(statuses[0]["content"]))  # in the link's href and its text

    # Bluesky: a thread of two posts (300 graphemes each), the image on the first, the short link.
    delivery = post.deliveries.get(account=bluesky)
    assert len(delivery.thread) == 1
    first = Action.objects.get(pk=delivery.action_id)
    second = Action.objects.get(parent=first)
    first_record = atproto_network.record(first.external_id)
    second_record = atproto_network.record(second.external_id)
    assert first_record is not None and second_record is not None
    assert first_record["value"]["embed"]["images"][0]["alt"] == "L'affiche du salon des entreprises"
    root = {"uri": first_record["uri"], "cid": first_record["cid"]}
    assert second_record["value"]["reply"] == {"root": root, "parent": root}
    bluesky_text = first_record["value"]["text"] + " " + second_record["value"]["text"]
    [bluesky_code] = set(SHORT_LINK.findall(bluesky_text))
    assert "1/2" in first_record["value"]["text"] and "2/2" in second_record["value"]["text"]

    # One short link per network, each leading to the article tagged with its network.
    assert mastodon_code != bluesky_code
    for code, network in [(mastodon_code, "mastodon"), (bluesky_code, "bluesky")]:
        link = ShortLink.objects.get(code=code)
        assert link.network == network
        assert link.target_url.startswith(ARTICLE)
        assert f"utm_source={network}" in link.target_url

    # Clicks are counted per link and per day; a network's link preview is not a click.
    for _ in range(3):
        response = client.get(f"/l/{bluesky_code}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302
        assert response["Location"] == ShortLink.objects.get(code=bluesky_code).target_url
    client.get(f"/l/{mastodon_code}", HTTP_USER_AGENT=BROWSER)
    client.get(f"/l/{mastodon_code}", HTTP_USER_AGENT="Bluesky Cardyb/1.1")
    assert ShortLink.objects.get(code=bluesky_code).clicks == 3
    assert ShortLink.objects.get(code=mastodon_code).clicks == 1
    assert sum(LinkClickDay.objects.filter(link__code=bluesky_code).values_list("count", flat=True)) == 3
