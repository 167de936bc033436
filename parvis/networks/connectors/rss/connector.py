"""RSS and Atom feeds: read-only accounts whose entries feed the listening pages.

The feed is downloaded through `parvis.core.http` (feedparser never fetches a
URL itself: it would bypass the private-address guard and the timeouts) with a
conditional GET, and parsed from memory. The cursor holds the validators of the
last response (ETag, Last-Modified) and a bounded list of the entries already
seen, so an entry without a date is still handed over exactly once.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import feedparser
import requests

from parvis.core import http
from parvis.networks.errors import PermanentError, RateLimited, TransientError
from parvis.networks.protocol import (
    AccountRef,
    ActionRequest,
    ActionResult,
    Author,
    Capabilities,
    EventKind,
    FetchResult,
    NetworkEvent,
    Profile,
)
from parvis.networks.text import html_to_text

MAX_FEED_BYTES = 5 * 1024 * 1024
# The whole download, not one socket read: a server dripping bytes must not hold a worker.
MAX_DOWNLOAD_SECONDS = 60.0
# Entries remembered beyond those still in the feed, so one that drops out and comes back
# is not handed over again. Stored as short digests to keep the cursor small.
SEEN_LIMIT = 1000
EXTERNAL_ID_MAX = 200  # ConnectedAccount.external_id

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class _Download:
    body: bytes
    url: str  # after redirects: the base of relative links
    content_type: str
    etag: str
    last_modified: str


class RssConnector:
    network: ClassVar[str] = "rss"
    display_name: ClassVar[str] = "RSS / Atom feed"
    capabilities: ClassVar[Capabilities] = Capabilities(
        actions=frozenset(),
        event_kinds=frozenset({EventKind.FEED_ENTRY}),
        poll_interval_seconds=15 * 60,
        oauth=False,
        token_paste=False,
    )

    def verify(self, account: AccountRef) -> Profile:
        """Download and parse the feed once; its title names the account."""
        url = account.instance_url.strip()
        download = _download(url)
        if download is None:  # pragma: no cover - no validators were sent, a server has no reason to say 304
            raise TransientError("The feed server answered with an unexpected 304 Not Modified; try again.")
        parsed = _parse(download)
        title = _one_line(_plain(parsed.feed.get("title", ""), parsed.feed.get("title_detail")))
        host = urlsplit(url).hostname or url
        return Profile(
            external_id=_account_id(url),
            handle=(title or host)[:200],
            display_name=(title or host)[:200],
            url=(_web_link(parsed.feed.get("link", "")) or url)[:500],
        )

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Entries not seen yet, oldest first. A 304 Not Modified gives nothing and keeps the cursor."""
        download = _download(
            account.instance_url,
            etag=str(cursor.get("etag", "")),
            last_modified=str(cursor.get("last_modified", "")),
        )
        if download is None:
            return FetchResult(events=[], cursor=cursor)
        parsed = _parse(download)
        previously_seen: list[str] = [str(digest) for digest in cursor.get("seen", [])]
        seen = set(previously_seen)
        now = datetime.now(UTC)
        in_feed: dict[str, None] = {}  # digests in document order
        fresh: list[tuple[int, NetworkEvent]] = []
        for position, entry in enumerate(parsed.entries):
            event = _event(entry, now)
            if event is None:
                continue
            digest = _digest(event.external_id)
            if digest in in_feed:
                continue
            in_feed[digest] = None
            if digest not in seen:
                fresh.append((position, event))
        # Feeds list the newest first: among equal dates, the later in the document is the older.
        fresh.sort(key=lambda item: (item[1].occurred_at, -item[0]))
        remembered = [*in_feed, *(digest for digest in previously_seen if digest not in in_feed)]
        new_cursor: dict[str, Any] = {"seen": remembered[: max(SEEN_LIMIT, len(in_feed))]}
        if download.etag:
            new_cursor["etag"] = download.etag
        if download.last_modified:
            new_cursor["last_modified"] = download.last_modified
        return FetchResult(events=[event for _, event in fresh], cursor=new_cursor)

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        raise PermanentError("A feed is read-only: Parvis cannot publish, reply or act on it.")

    def count_characters(self, text: str) -> int:
        return len(text)


# --- download ---------------------------------------------------------------------------------


def _download(url: str, *, etag: str = "", last_modified: str = "") -> _Download | None:
    """The feed's bytes, or None when the server says it has not changed (304)."""
    if not url:
        raise PermanentError("Enter the address of an RSS or Atom feed.")
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with http.session() as client, client.get(url, headers=headers, stream=True) as response:
            if response.status_code == 304:
                return None
            _raise_for_status(response)
            body = http.read_limited(response, max_bytes=MAX_FEED_BYTES, max_seconds=MAX_DOWNLOAD_SECONDS)
            return _Download(
                body=body,
                url=response.url or url,
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except http.UnsafeURLError as error:
        raise PermanentError(f"This feed address is not allowed: {error}") from error
    except http.ResponseTooLarge as error:
        raise PermanentError(
            f"This feed is too large: Parvis reads feeds of up to {MAX_FEED_BYTES // (1024 * 1024)} MB."
        ) from error
    except (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    ) as error:
        raise PermanentError(f"This is not a valid web address ({error}).") from error
    except requests.exceptions.TooManyRedirects as error:
        raise PermanentError("This feed address redirects in a loop.") from error
    except requests.exceptions.Timeout as error:
        raise TransientError("The feed server did not answer in time; try again later.") from error
    except requests.exceptions.ConnectionError as error:
        raise TransientError("Cannot reach the feed server: check the address, or try again later.") from error
    except requests.exceptions.RequestException as error:
        raise TransientError(
            f"The feed could not be downloaded ({error.__class__.__name__}); try again later."
        ) from error


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in {401, 403}:
        raise PermanentError(
            f"Access to this feed is denied (HTTP {status}). Parvis reads public feeds only, without a password."
        )
    if status == 404:
        raise PermanentError("There is no feed at this address (HTTP 404 Not Found). Check the address.")
    if status == 410:
        raise PermanentError("This feed has been removed by its site (HTTP 410 Gone).")
    if status == 429:
        retry_after = _retry_after(response.headers.get("Retry-After", ""))
        raise RateLimited("The feed server asks Parvis to slow down (HTTP 429).", retry_after=retry_after)
    if status >= 500:
        raise TransientError(f"The feed server has a problem (HTTP {status}); try again later.")
    raise PermanentError(f"The feed server refused the request (HTTP {status}).")


def _retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --- parsing ----------------------------------------------------------------------------------


def _parse(download: _Download) -> Any:
    """feedparser's result, or PermanentError when the document is not a feed.

    A feed with minor defects (feedparser's "bozo" flag: a wrong encoding declaration, a
    truncated end) is accepted as long as feedparser recognised a feed format or found entries.
    """
    if not download.body.strip():
        raise PermanentError("This address returned an empty response instead of an RSS or Atom feed.")
    # A stream, never bytes or str: feedparser opens a str that looks like a URL, and a
    # bytes body that happens to name a local file ("/etc/passwd") would be read from disk.
    parsed = feedparser.parse(
        io.BytesIO(download.body),
        response_headers={"content-type": download.content_type, "content-location": download.url},
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    if parsed.get("version") or parsed.entries:
        return parsed
    if _looks_like_html_page(download):
        raise PermanentError(_web_page_message(download))
    raise PermanentError(
        "This address does not return an RSS or Atom feed: its content cannot be read as one. "
        "Check the address, or ask the site for its feed."
    )


def _looks_like_html_page(download: _Download) -> bool:
    if download.content_type.split(";", 1)[0].strip().lower() in HTML_TYPES:
        return True
    head = download.body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


class _FeedLinkFinder(HTMLParser):
    """Collects <link rel="alternate" type="application/rss+xml" href="..."> (feed autodiscovery)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";", 1)[0].strip().lower()
        if "alternate" in rels and kind in FEED_LINK_TYPES and values.get("href", "").strip():
            self.hrefs.append(values["href"].strip())


def discover_feeds(page: bytes, page_url: str) -> list[str]:
    """Absolute http(s) addresses of the feeds an HTML page declares, in page order, without duplicates."""
    finder = _FeedLinkFinder()
    finder.feed(page.decode("utf-8", errors="replace"))
    finder.close()
    found: list[str] = []
    for href in finder.hrefs:
        absolute = _web_link(urljoin(page_url, href))
        if absolute and absolute not in found:
            found.append(absolute)
    return found


def _web_page_message(download: _Download) -> str:
    feeds = discover_feeds(download.body, download.url)
    intro = "This address returns a web page, not an RSS or Atom feed."
    if len(feeds) == 1:
        return f"{intro} The page links to its feed at {feeds[0]}: connect that address instead."
    if feeds:
        listed = ", ".join(feeds[:3])
        return f"{intro} The page links to these feeds: {listed}. Connect one of them instead."
    return f"{intro} The page does not link to a feed: look for an RSS or Atom link on the site and use its address."


# --- entries ----------------------------------------------------------------------------------


def _event(entry: Any, now: datetime) -> NetworkEvent | None:
    link = _web_link(entry.get("link", ""))
    title = _one_line(_plain(entry.get("title", ""), entry.get("title_detail")))
    text = _summary(entry)
    external_id = entry.get("id") or link
    if not external_id:
        if not (title or text):
            return None  # an empty item, e.g. the cut-off end of a truncated feed
        # Neither id nor link: the content is the only stable identity the entry has.
        external_id = "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return NetworkEvent(
        kind=EventKind.FEED_ENTRY,
        external_id=str(external_id),
        occurred_at=_entry_date(entry) or now,
        author=_author(entry),
        text=text,
        url=link,
        title=title,
        raw={"tags": [tag.get("term", "") for tag in entry.get("tags") or [] if tag.get("term")]},
    )


def _summary(entry: Any) -> str:
    if entry.get("summary"):
        return _plain(entry["summary"], entry.get("summary_detail"))
    for content in entry.get("content") or []:
        if content.get("value"):
            return _plain(content["value"], content)
    return ""


def _plain(value: str, detail: Any) -> str:
    """Plain text from a feed text construct; HTML ones lose their markup (script content included)."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "text/html")
    if kind in {"text/html", "application/xhtml+xml"}:
        # html_to_text only strips what starts like a block of HTML; feedparser tells us it is.
        return html_to_text(f"<div>{value}</div>")
    return str(value).strip()


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed is None:
            continue
        try:
            # feedparser normalises dates to UTC struct_time.
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
        except (OverflowError, ValueError, OSError):
            continue
    return None


def _author(entry: Any) -> Author | None:
    detail = entry.get("author_detail") or {}
    name = str(detail.get("name") or entry.get("author") or "").strip()
    email = str(detail.get("email") or "").strip()
    url = _web_link(detail.get("href", ""))
    if not (name or email or url):
        return None
    return Author(external_id=url or email or name, handle=name or email or url, display_name=name, url=url)


# --- small helpers ----------------------------------------------------------------------------


def _web_link(value: Any) -> str:
    """`value` if it is an http(s) address, else "" (a javascript: link must never reach a page)."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme.lower() in {"http", "https"} else ""


def _one_line(text: str) -> str:
    """Titles often carry the line breaks and indentation of the XML around them."""
    return " ".join(text.split())


def _digest(external_id: str) -> str:
    return hashlib.sha256(external_id.encode()).hexdigest()[:16]


def _account_id(url: str) -> str:
    if len(url) <= EXTERNAL_ID_MAX:
        return url
    return "sha256:" + hashlib.sha256(url.encode()).hexdigest()
