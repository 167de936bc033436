"""Parvis's own short links: shortening a variant's text, UTM tagging, counting clicks.

`links_shorten_text` is called by `post_release` for every delivery: each http(s) URL of the
text becomes `PARVIS_BASE_URL/l/<code>`, one ShortLink per (post, account, URL), so clicks are
known per network, per post and per day. The redirect target gets UTM parameters when the
workspace's PublishingSettings ask for them. `short_link_length` tells the composer how many
characters a short link takes, to count a variant's length before it is released.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models import Campaign, LinkClickDay, Post, PublishingSettings, ShortLink

# Codes: 8 characters from 62 letters and digits — 2 x 10^14 possibilities, URL-safe, and not
# guessable by walking a sequence (secrets, not a counter).
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CODE_LENGTH = 8
CODE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
SHORT_PATH = "/l/"

# An http(s) URL in running text. Trailing punctuation is trimmed afterwards (see `_trim`).
# Quotes that end a URL: typographic double and single quotes (\u201c \u201d \u2018 \u2019).
URL_RE = re.compile("https?://[^\\s<>\"'«»\u201c\u201d\u2018\u2019]+", re.IGNORECASE)
_TRAILING = ".,;:!?…"
_PAIRS = {")": "(", "]": "[", "}": "{"}
MAX_URL_LENGTH = 2000


def _base_url() -> str:
    return str(settings.PARVIS_BASE_URL).rstrip("/")


def short_link_length() -> int:
    """How many characters a Parvis short link takes in a post (base URL + /l/ + code)."""
    return len(_base_url()) + len(SHORT_PATH) + CODE_LENGTH


def short_link_url(code: str) -> str:
    return f"{_base_url()}{SHORT_PATH}{code}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _trim(url: str) -> str:
    """Drop the punctuation that ends a sentence after a URL, and unbalanced closing brackets."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(last) > url.count(_PAIRS[last])):
            url = url[:-1]
        else:
            break
    return url


@dataclass(frozen=True)
class FoundURL:
    start: int
    end: int
    url: str


def urls_in_text(text: str) -> list[FoundURL]:
    """The http(s) URLs of a text, with their positions (trailing punctuation excluded)."""
    found: list[FoundURL] = []
    for match in URL_RE.finditer(text):
        url = _trim(match.group(0))
        if len(url) <= len("https://"):
            continue
        found.append(FoundURL(start=match.start(), end=match.start() + len(url), url=url))
    return found


def is_short_link(url: str) -> bool:
    return url.startswith(_base_url() + SHORT_PATH)


def _utm_campaign(campaign: Campaign | None) -> str:
    if campaign is None:
        return ""
    return campaign.utm_campaign or slugify(campaign.name)[:100]


def utm_tagged(url: str, *, source: str, medium: str, campaign: str = "", content: str = "") -> str:
    """`url` with utm_* parameters added; its own query parameters, fragment and utm_* are kept."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    present = {key.lower() for key, _ in pairs}
    wanted = [
        ("utm_source", source),
        ("utm_medium", medium),
        ("utm_campaign", campaign),
        ("utm_content", content),
    ]
    added = [(key, value) for key, value in wanted if value and key not in present]
    if not added:
        return url
    query = f"{parts.query}&{urlencode(added)}" if parts.query else urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _settings_of(workspace: Workspace) -> PublishingSettings:
    found = PublishingSettings.objects.filter(workspace=workspace).first()
    return found if found is not None else PublishingSettings(workspace=workspace)


def _link_for(*, post: Post, account: ConnectedAccount, url: str, target: str) -> ShortLink:
    existing = ShortLink.objects.filter(post=post, account=account, original_url=url).first()
    if existing is not None:
        return existing
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    workspace=post.workspace,
                    code=new_code(),
                    original_url=url,
                    target_url=target,
                    post=post,
                    account=account,
                    network=account.network,
                    campaign=post.campaign,
                )
        except IntegrityError:
            # Either a code collision (try another) or a concurrent release created the same link.
            existing = ShortLink.objects.filter(post=post, account=account, original_url=url).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not allocate a short link code")  # pragma: no cover


@transaction.atomic
def links_shorten_text(*, post: Post, account: ConnectedAccount, text: str) -> str:
    """Replace every http(s) URL of `text` by a Parvis short link for this post and account.

    With UTM tagging on, the redirect target carries utm_source (the network), utm_medium,
    utm_campaign (the post's campaign) and utm_content (the post id). With shortening off in
    the workspace's settings, the URLs stay in the text, UTM-tagged. Calling it again for the
    same post and account reuses the same codes.
    """
    found = urls_in_text(text)
    if not found:
        return text
    prefs = _settings_of(post.workspace)
    pieces: list[str] = []
    cursor = 0
    for item in found:
        pieces.append(text[cursor : item.start])
        cursor = item.end
        url = item.url
        if is_short_link(url) or len(url) > MAX_URL_LENGTH:
            pieces.append(url)
            continue
        target = url
        if prefs.utm_enabled:
            target = utm_tagged(
                url,
                source=account.network,
                medium=prefs.utm_medium,
                campaign=_utm_campaign(post.campaign),
                content=str(post.pk),
            )
        if not prefs.shorten_links:
            pieces.append(target)
            continue
        link = _link_for(post=post, account=account, url=url, target=target)
        pieces.append(short_link_url(link.code))
    pieces.append(text[cursor:])
    return "".join(pieces)


# --- Clicks -----------------------------------------------------------------------------------

# Link-preview fetchers and crawlers: they open every link posted on a network to draw a card.
# They are redirected like anyone, but not counted.
BOT_MARKERS = (
    "crawler",
    "spider",
    "preview",
    "facebookexternalhit",
    "facebookcatalog",
    "mastodon",
    "pleroma",
    "akkoma",
    "misskey",
    "bluesky",
    "cardyb",
    "linkedinbot",
    "twitterbot",
    "slackbot",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "embedly",
    "iframely",
    "outbrain",
    "pinterest",
    "vkshare",
    "redditbot",
    "applebot",
    "google-inspectiontool",
    "headlesschrome",
    "python-requests",
    "python-httpx",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "feedfetcher",
    "http.rb",
    "axios/",
    "node-fetch",
)


# "...bot" names (Googlebot, Twitterbot, LinkedInBot...), but not the phone brand Cubot.
_BOT_RE = re.compile(r"(?<!cu)bot\b|bot/|robot")


def is_bot(user_agent: str) -> bool:
    """True for an empty User-Agent or one of a crawler or link-preview fetcher."""
    agent = user_agent.strip().lower()
    if not agent:
        return True
    return bool(_BOT_RE.search(agent)) or any(marker in agent for marker in BOT_MARKERS)


def short_link_get(code: str) -> ShortLink | None:
    """The link behind a code, or None (malformed or unknown codes alike)."""
    if not CODE_RE.match(code):
        return None
    return ShortLink.objects.filter(code=code).select_related("workspace").first()


def link_click_record(*, link: ShortLink, at: dt.datetime | None = None) -> None:
    """Count one click: on the link and on its day (workspace time zone). Safe under concurrency."""
    moment = at or timezone.now()
    day = timezone.localtime(moment, link.workspace.zone).date()
    with transaction.atomic():
        ShortLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1, last_clicked_at=moment)
        updated = LinkClickDay.objects.filter(link=link, day=day).update(count=F("count") + 1)
        if updated:
            return
        try:
            with transaction.atomic():
                LinkClickDay.objects.create(link=link, day=day, count=1)
        except IntegrityError:
            # Another click created the day's row between our update and our insert.
            LinkClickDay.objects.filter(link=link, day=day).update(count=F("count") + 1)


# --- Statistics (reads) -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkFilter:
    start: dt.date
    end: dt.date  # inclusive
    network: str = ""
    campaign_id: int | None = None
    post_id: int | None = None


def click_days(workspace: Workspace, flt: LinkFilter) -> QuerySet[LinkClickDay]:
    days = LinkClickDay.objects.filter(link__workspace=workspace, day__gte=flt.start, day__lte=flt.end)
    if flt.network:
        days = days.filter(link__network=flt.network)
    if flt.campaign_id:
        days = days.filter(link__campaign_id=flt.campaign_id)
    if flt.post_id:
        days = days.filter(link__post_id=flt.post_id)
    return days


def clicks_per_day(workspace: Workspace, flt: LinkFilter) -> list[tuple[dt.date, int]]:
    """Every day of the period with its clicks (zero days included, for the chart)."""
    totals = {
        row["day"]: int(row["total"]) for row in click_days(workspace, flt).values("day").annotate(total=Sum("count"))
    }
    out: list[tuple[dt.date, int]] = []
    day = flt.start
    while day <= flt.end:
        out.append((day, totals.get(day, 0)))
        day += dt.timedelta(days=1)
    return out


def clicks_per_network(workspace: Workspace, flt: LinkFilter) -> list[tuple[str, int]]:
    rows = (
        click_days(workspace, flt)
        .values("link__network")
        .annotate(total=Sum("count"))
        .order_by("-total", "link__network")
    )
    return [(str(row["link__network"]), int(row["total"])) for row in rows]


@dataclass(frozen=True)
class PostClicks:
    post_id: int | None
    text: str
    clicks: int


def clicks_per_post(workspace: Workspace, flt: LinkFilter, *, limit: int = 50) -> list[PostClicks]:
    rows = (
        click_days(workspace, flt)
        .values("link__post_id", "link__post__text")
        .annotate(total=Sum("count"))
        .order_by("-total", "link__post_id")[:limit]
    )
    return [
        PostClicks(post_id=row["link__post_id"], text=str(row["link__post__text"] or ""), clicks=int(row["total"]))
        for row in rows
    ]


def clicks_per_campaign(workspace: Workspace, flt: LinkFilter) -> list[tuple[str, int]]:
    rows = (
        click_days(workspace, flt)
        .values("link__campaign__name")
        .annotate(total=Sum("count"))
        .order_by("-total", "link__campaign__name")
    )
    return [(str(row["link__campaign__name"] or ""), int(row["total"])) for row in rows]


def short_link_list(workspace: Workspace, flt: LinkFilter, *, limit: int = 100) -> QuerySet[ShortLink]:
    """The workspace's links with their clicks over the period (`period_clicks`), most clicked first."""
    links = ShortLink.objects.filter(workspace=workspace).select_related("post", "account", "campaign")
    if flt.network:
        links = links.filter(network=flt.network)
    if flt.campaign_id:
        links = links.filter(campaign_id=flt.campaign_id)
    if flt.post_id:
        links = links.filter(post_id=flt.post_id)
    period = Sum("click_days__count", filter=_period_q(flt))
    return links.annotate(period_clicks=Coalesce(period, 0)).order_by("-period_clicks", "-created_at")[:limit]


def _period_q(flt: LinkFilter) -> Q:
    return Q(click_days__day__gte=flt.start, click_days__day__lte=flt.end)


def click_rows(workspace: Workspace, flt: LinkFilter) -> Iterator[list[str]]:
    """CSV rows of the clicks: one per link and day."""
    yield ["day", "code", "short_url", "original_url", "network", "account", "post_id", "campaign", "clicks"]
    days = (
        click_days(workspace, flt)
        .select_related("link", "link__account", "link__campaign")
        .order_by("day", "link__code")
    )
    for row in days.iterator():
        link = row.link
        yield [
            row.day.isoformat(),
            link.code,
            short_link_url(link.code),
            link.original_url,
            link.network,
            link.account.handle if link.account else "",
            str(link.post_id or ""),
            link.campaign.name if link.campaign else "",
            str(row.count),
        ]
