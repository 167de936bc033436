"""Link cards: the title, description and image of a web page, as Bluesky's apps show under a post.

Bluesky does not build cards itself: the app that writes the post reads the page and puts
its card in the record (app.bsky.embed.external). Parvis reads the page through its own HTTP
session (private addresses refused, size and time limited), from Open Graph tags first, then
<title> and <meta name="description">. Nothing here raises: a page that cannot be read gives a
card with the address as its title and no image.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from parvis.core import http

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_IMAGE_BYTES = 1_000_000
TITLE_MAX = 300
DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class Card:
    title: str
    description: str
    image: tuple[bytes, str] | None = None  # the image's bytes and its type


class _MetaReader(HTMLParser):
    """Collects <meta> properties and the <title> text of the <head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {name.lower(): value or "" for name, value in attrs}
            name = (values.get("property") or values.get("name") or "").lower()
            if name and "content" in values:
                self.meta.setdefault(name, values["content"].strip())
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done:
            self.title += data


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def read_card(url: str, *, max_bytes: int, timeout: float) -> Card:
    fallback = Card(title=urlsplit(url).hostname or url, description="")
    try:
        with http.session(timeout=timeout) as session:
            response = session.get(url, stream=True, headers={"Accept": "text/html"})
            if response.status_code != 200 or "html" not in response.headers.get("Content-Type", "").lower():
                response.close()
                return fallback
            body = http.read_limited(response, max_bytes=max_bytes, max_seconds=timeout)
            encoding = response.encoding or "utf-8"
            reader = _MetaReader()
            reader.feed(body.decode(encoding, errors="replace"))
            meta = reader.meta
            title = meta.get("og:title") or meta.get("twitter:title") or reader.title
            description = meta.get("og:description") or meta.get("description") or ""
            image_url = meta.get("og:image") or meta.get("twitter:image") or ""
            image = _read_image(session, urljoin(response.url or url, image_url), timeout) if image_url else None
    except (requests.RequestException, LookupError, ValueError):
        return fallback
    return Card(
        title=_shorten(title, TITLE_MAX) or fallback.title,
        description=_shorten(description, DESCRIPTION_MAX),
        image=image,
    )


def _read_image(session: requests.Session, url: str, timeout: float) -> tuple[bytes, str] | None:
    try:
        response = session.get(url, stream=True)
        mime = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code != 200 or mime not in IMAGE_TYPES:
            response.close()
            return None
        return http.read_limited(response, max_bytes=MAX_IMAGE_BYTES, max_seconds=timeout), mime
    except requests.RequestException:
        return None
