"""Signed, expiring public addresses of media files (Instagram downloads images from them)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, include, path, reverse

from parvis.networks.media_urls import DEFAULT_LIFETIME, ROUTE_PREFIX, media_public_url
from parvis.networks.protocol import ActionKind
from parvis.networks.services import _request_for
from parvis.networks.tests.factories import ActionFactory

# The site's routes plus this one, as parvis/urls.py includes it (at the root).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("parvis.networks.media_urls")),
    path("", include("parvis.urls")),
]

pytestmark = pytest.mark.urls(__name__)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.fixture
def image(settings: pytest.FixtureRequest) -> str:
    folder = Path(settings.MEDIA_ROOT) / "library" / "2026"  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "affiche ag.png").write_bytes(PNG)
    return "library/2026/affiche ag.png"


def _local(url: str) -> str:
    return urlsplit(url).path


def test_the_address_is_on_parvis_public_base_and_ends_with_the_file_name(
    image: str, settings: pytest.FixtureRequest
) -> None:
    settings.PARVIS_BASE_URL = "https://parvis.cci-lyon.example/"  # type: ignore[attr-defined]

    url = media_public_url(image)

    assert url.startswith(f"https://parvis.cci-lyon.example/{ROUTE_PREFIX}")
    assert url.endswith("/affiche%20ag.png")


def test_the_route_is_the_one_the_address_is_built_with(image: str) -> None:
    url = media_public_url(image)
    token = _local(url).split("/")[2]

    assert reverse("public_media", kwargs={"token": token, "name": "affiche ag.png"}) == _local(url)


def test_anyone_with_the_address_downloads_the_file(client: Client, image: str) -> None:
    response = client.get(_local(media_public_url(image)))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_head_request_is_answered_too(client: Client, image: str) -> None:
    assert client.head(_local(media_public_url(image))).status_code == 200


def test_an_expired_address_serves_nothing(client: Client, image: str) -> None:
    url = media_public_url(image, now=time.time() - DEFAULT_LIFETIME - 10)

    assert client.get(_local(url)).status_code == 404


def test_a_tampered_address_serves_nothing(client: Client, image: str) -> None:
    local = _local(media_public_url(image))
    prefix, token, name = local.rsplit("/", 2)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    assert client.get(f"{prefix}/{tampered}/{name}").status_code == 404


def test_an_address_signed_for_a_file_outside_the_library_serves_nothing(
    client: Client, settings: pytest.FixtureRequest, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("SECRET_KEY")
    outside = media_public_url("../secret.txt")
    absolute = media_public_url(str(tmp_path / "secret.txt"))

    assert client.get(_local(outside)).status_code == 404
    assert client.get(_local(absolute)).status_code == 404


def test_an_address_for_a_file_that_is_gone_serves_nothing(client: Client) -> None:
    assert client.get(_local(media_public_url("library/gone.jpg"))).status_code == 404


def test_the_address_cannot_be_posted_to(client: Client, image: str) -> None:
    assert client.post(_local(media_public_url(image))).status_code == 405


@pytest.mark.django_db
def test_each_attempt_hands_the_connector_a_public_address_for_each_media(image: str, client: Client) -> None:
    action = ActionFactory(
        kind=ActionKind.PUBLISH.value,
        payload={"text": "AG", "media": [{"path": image, "mime_type": "image/png", "alt_text": "L'affiche"}]},
    )

    request = _request_for(action)

    media = request.media[0]
    assert media.path.endswith("library/2026/affiche ag.png")
    assert media.alt_text == "L'affiche"
    response = client.get(_local(media.public_url))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
