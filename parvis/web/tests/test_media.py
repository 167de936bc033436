"""The media library page: upload with alt text, real format sniffed, edit, archive."""

from __future__ import annotations

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from parvis.publishing.models import MediaItem
from parvis.publishing.tests.factories import MediaItemFactory


def _png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0b6b63").save(buffer, format="PNG")
    return buffer.getvalue()


def _mp4(seconds: float, *, brand: bytes = b"isom") -> bytes:
    """The smallest MP4 header Parvis reads: ftyp, then moov/mvhd with a timescale and a duration."""
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", brand, 0, brand)
    timescale = 1000
    mvhd_payload = b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, timescale, int(seconds * timescale)) + b"\x00" * 80
    mvhd = struct.pack(">I4s", 8 + len(mvhd_payload), b"mvhd") + mvhd_payload
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    mdat = struct.pack(">I4s", 16, b"mdat") + b"\x00" * 8
    return ftyp + mdat + moov


def test_an_uploaded_image_keeps_its_alt_text_and_real_size(signed_in, camille):
    upload = SimpleUploadedFile("hall.png", _png(), content_type="image/png")

    response = signed_in(camille).post(
        reverse("web:media_library"), {"file": upload, "alt_text": "Le hall d'accueil", "title": "Hall"}
    )

    assert response.status_code == 302
    item = MediaItem.objects.get()
    assert (item.mime_type, item.width, item.height, item.alt_text, item.title) == (
        "image/png",
        40,
        30,
        "Le hall d'accueil",
        "Hall",
    )


def test_the_real_format_wins_over_the_name_and_the_browser(signed_in, camille):
    upload = SimpleUploadedFile("photo.gif", _png(), content_type="image/gif")

    signed_in(camille).post(reverse("web:media_library"), {"file": upload, "alt_text": "Photo"})

    assert MediaItem.objects.get().mime_type == "image/png"


def test_a_file_that_is_no_image_nor_video_is_refused(signed_in, camille):
    upload = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")

    response = signed_in(camille).post(reverse("web:media_library"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "neither an image" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_an_oversized_file_is_refused_with_its_size_and_the_limit(signed_in, camille, settings):
    settings.PARVIS_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("hall.png", _png(), content_type="image/png")

    response = signed_in(camille).post(reverse("web:media_library"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "the limit is 100" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_a_video_is_accepted_with_its_duration(signed_in, camille):
    upload = SimpleUploadedFile("film.mp4", _mp4(12.5), content_type="video/mp4")

    signed_in(camille).post(reverse("web:media_library"), {"file": upload, "alt_text": "Le film"})

    item = MediaItem.objects.get()
    assert (item.mime_type, item.duration_seconds) == ("video/mp4", 12.5)


def test_a_quicktime_video_is_recognised(signed_in, camille):
    upload = SimpleUploadedFile("film.mov", _mp4(3, brand=b"qt  "), content_type="application/octet-stream")

    signed_in(camille).post(reverse("web:media_library"), {"file": upload})

    assert MediaItem.objects.get().mime_type == "video/quicktime"


def test_the_alt_text_can_be_written_later(signed_in, camille):
    item = MediaItemFactory(workspace=camille.workspace, alt_text="")

    signed_in(camille).post(reverse("web:media_edit", args=[item.pk]), {"alt_text": "Une affiche", "title": "Affiche"})

    item.refresh_from_db()
    assert (item.alt_text, item.title) == ("Une affiche", "Affiche")


def test_an_archived_file_leaves_the_library_but_not_its_posts(signed_in, camille):
    item = MediaItemFactory(workspace=camille.workspace)

    signed_in(camille).post(reverse("web:media_archive", args=[item.pk]))

    content = signed_in(camille).get(reverse("web:compose")).content.decode()
    item.refresh_from_db()
    assert item.archived
    assert f'value="{item.pk}"' not in content


def test_another_workspaces_file_is_out_of_reach(signed_in, camille, oscar):
    item = MediaItemFactory(workspace=oscar.workspace, alt_text="Secret")

    page = signed_in(camille).get(reverse("web:media_library")).content.decode()
    response = signed_in(camille).post(reverse("web:media_edit", args=[item.pk]), {"alt_text": "Piraté"})

    assert "Secret" not in page
    assert response.status_code == 404


def test_an_analyst_cannot_upload(signed_in, nadia):
    upload = SimpleUploadedFile("hall.png", _png(), content_type="image/png")

    response = signed_in(nadia).post(reverse("web:media_library"), {"file": upload})

    assert response.status_code == 403
    assert not MediaItem.objects.exists()
