"""Signed, expiring public addresses for media files, for networks that download them (Instagram).

Instagram does not take uploads: it fetches each image from a public URL given when the
post is prepared. `media_public_url` makes such a URL for one file of the media library:

    PARVIS_BASE_URL + /pm/<token>/<file name>

The token is a `django.core.signing` signature (salted, with SECRET_KEY) of the file's path
relative to MEDIA_ROOT and of an expiry time; without a valid, unexpired token nothing is
served, and only files inside MEDIA_ROOT ever are. The address is made afresh at each attempt
of an action (`networks.services._request_for`), so it lives DEFAULT_LIFETIME from then.

The view is public (networks fetch without signing in) and answers 404 to any bad, expired or
tampered token, so it says nothing about which files exist. Its route is in `urlpatterns`,
included at the site root by `parvis/urls.py`.
"""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

SALT = "parvis.networks.media_urls"
# The route, at the site root (kept here so the URL can be built without the URL configuration).
ROUTE_PREFIX = "pm/"
# Instagram keeps a container 24 hours and downloads the file when the container is made.
DEFAULT_LIFETIME = 24 * 3600


class MediaLinkInvalid(Exception):
    """The token is not one Parvis signed, has expired, or names no file of the media library."""


def media_public_url(relative_path: str, *, lifetime: int = DEFAULT_LIFETIME, now: float | None = None) -> str:
    """The public address of the media file at `relative_path` (relative to MEDIA_ROOT), valid `lifetime` seconds."""
    expires = int(time.time() if now is None else now) + lifetime
    token = signing.dumps({"p": relative_path, "e": expires}, salt=SALT, compress=True)
    name = PurePosixPath(relative_path).name or "media"
    return f"{settings.PARVIS_BASE_URL.rstrip('/')}/{ROUTE_PREFIX}{token}/{quote(name)}"


def media_file_for(token: str, *, now: float | None = None) -> Path:
    """The file a token names, checked: signed by Parvis, not expired, inside MEDIA_ROOT, a regular file."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise MediaLinkInvalid("bad signature") from exc
    if not isinstance(data, dict) or not isinstance(data.get("p"), str) or not isinstance(data.get("e"), int):
        raise MediaLinkInvalid("malformed token")
    if data["e"] < (time.time() if now is None else now):
        raise MediaLinkInvalid("expired")
    root = Path(settings.MEDIA_ROOT).resolve()
    relative = PurePosixPath(data["p"])
    if relative.is_absolute() or ".." in relative.parts:
        raise MediaLinkInvalid("outside the media library")
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise MediaLinkInvalid("no such file")
    return candidate


@require_http_methods(["GET", "HEAD"])
def public_media(request: HttpRequest, token: str, name: str) -> FileResponse:
    """Serve the file a valid token names (no sign-in: the network downloads it)."""
    try:
        file = media_file_for(token)
    except MediaLinkInvalid as exc:
        raise Http404("No such media") from exc
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path(f"{ROUTE_PREFIX}<str:token>/<str:name>", public_media, name="public_media"),
]
