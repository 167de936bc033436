"""End to end: a post composed once goes to Mastodon (mastodon-mock, a real Mastodon API on
loopback) as a thread with its image and alt text, and to the fake network as its own variant."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import PostStatus
from parvis.publishing.selectors import post_view_get
from parvis.publishing.services import VariantInput, media_upload, post_create
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

PARAGRAPH = (
    "Le salon des entreprises ouvre ses portes jeudi à 9 h au centre des congrès de Lyon. "
    "Plus de cent exposants, des ateliers et des conférences toute la journée vous attendent. "
    "L'entrée est gratuite pour les adhérents ; inscrivez-vous dès maintenant sur notre site. "
)
TEXT = (PARAGRAPH * 4).strip() + "\n\n#SalonCCI #Lyon"


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#0b6b63").save(buffer, format="PNG")
    return SimpleUploadedFile("affiche.png", buffer.getvalue(), content_type="image/png")


def test_a_post_too_long_for_mastodon_goes_out_as_a_thread_with_its_image_and_alt_text(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    camille: Membership,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    mastodon, org = mastodon_connect(camille)
    fake = ConnectedAccountFactory(workspace=camille.workspace, handle="@cci_lyon")
    image = media_upload(membership=camille, upload=_png(), alt_text="L'affiche du salon des entreprises")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = post_create(
            membership=camille,
            text=TEXT,
            accounts=[mastodon, fake],
            media=[image],
            variants={fake.pk: VariantInput(text="Salon des entreprises jeudi à 9 h ! #SalonCCI", media=[image.pk])},
        )

    # Mastodon: a thread of several statuses, each answering the one before, the image on the first.
    delivery = post.deliveries.get(account=mastodon)
    assert len(delivery.thread) >= 1
    client = mastodon_server.client(org)
    statuses = sorted(client.account_statuses(org.id, limit=40), key=lambda status: int(status["id"]))
    assert len(statuses) == 1 + len(delivery.thread)
    assert statuses[0]["in_reply_to_id"] is None
    for before, after in itertools.pairwise(statuses):
        assert str(after["in_reply_to_id"]) == str(before["id"])
    [attachment] = statuses[0]["media_attachments"]
    assert attachment["description"] == "L'affiche du salon des entreprises"
    assert all(not status["media_attachments"] for status in statuses[1:])
    total = len(statuses)
    for position, status in enumerate(statuses, start=1):
        assert f"{position}/{total}" in status["content"]
    assert "SalonCCI" in statuses[-1]["content"]

    # The fake network: its own variant, one post, the same image.
    [sent] = FakeConnector.published
    assert sent.text == "Salon des entreprises jeudi à 9 h ! #SalonCCI"
    assert sent.media[0].alt_text == "L'affiche du salon des entreprises"

    # Every action is done and the post reads as published.
    assert set(Action.objects.values_list("status", flat=True)) == {ActionStatus.DONE}
    assert post_view_get(camille.workspace, post.pk).status == PostStatus.PUBLISHED
