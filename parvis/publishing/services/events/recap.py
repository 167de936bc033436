"""After the event: the numbers, the top questions, the most active people, our posts; Markdown and CSV."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.networks.models import ActionStatus
from parvis.publishing.models import EventPostKind, LiveEvent, WallItem
from parvis.publishing.services.events.common import network_name
from parvis.publishing.services.events.reads import event_posts
from parvis.publishing.services.events.texts import render_announcement


@dataclass(frozen=True)
class PublishedLink:
    """One account's variant of a post: what it said there, and where it is."""

    network: str
    handle: str
    url: str
    status: str
    text: str = ""


@dataclass(frozen=True)
class RecapPost:
    kind: str
    kind_label: str
    text: str
    scheduled_at: datetime
    session: str
    links: list[PublishedLink]


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    network: str
    count: int


@dataclass(frozen=True)
class EventRecap:
    event: LiveEvent
    published: int  # deliveries that went out
    published_per_network: dict[str, int]
    wall_items: int  # posts by others with the hashtag (hidden ones left out)
    contributors: int  # different people among them
    questions: int
    top_questions: list[WallItem]
    most_active: list[Person]
    posts: list[RecapPost]


def event_recap(event: LiveEvent, *, top: int = 10) -> EventRecap:
    """The event in numbers: what Parvis published per network, what the audience posted, who and what they asked."""
    links = event_posts(event)
    per_network: Counter[str] = Counter()
    posts = []
    for link in links:
        published = []
        for delivery in link.post.deliveries.all():
            status = delivery.action.status if delivery.action else ""
            if status == ActionStatus.DONE:
                per_network[network_name(delivery.account.network)] += 1
            published.append(
                PublishedLink(
                    network=network_name(delivery.account.network),
                    handle=delivery.account.handle,
                    url=delivery.action.external_url if delivery.action else "",
                    text=delivery.text,
                    status=status,
                )
            )
        posts.append(
            RecapPost(
                kind=link.kind,
                kind_label=str(EventPostKind(link.kind).label),
                text=link.post.text,
                scheduled_at=link.post.scheduled_at,
                session=link.session.title if link.session else "",
                links=published,
            )
        )
    others = WallItem.objects.filter(event=event, hidden=False, own=False)
    people: Counter[tuple[str, str]] = Counter(others.values_list("author_handle", "network"))
    names = dict(others.values_list("author_handle", "author_name"))
    top_questions = list(
        others.filter(is_question=True).select_related("session").order_by("-starred", "occurred_at", "id")[:top]
    )
    return EventRecap(
        event=event,
        published=sum(per_network.values()),
        published_per_network=dict(sorted(per_network.items())),
        wall_items=others.count(),
        contributors=len(people),
        questions=others.filter(is_question=True).count(),
        top_questions=top_questions,
        most_active=[
            Person(handle=handle, name=names.get(handle, ""), network=network_name(network), count=count)
            for (handle, network), count in sorted(people.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
        ],
        posts=posts,
    )


def recap_suggestion(recap: EventRecap) -> str:
    """A first draft of the thank-you post, in the workspace's language."""
    with translation.override(recap.event.workspace.language):
        numbers = [
            ngettext("%(count)s post from us", "%(count)s posts from us", recap.published),
            ngettext("%(count)s participant", "%(count)s participants", recap.contributors),
            ngettext("%(count)s post from you", "%(count)s posts from you", recap.wall_items),
        ]
        counts = (recap.published, recap.contributors, recap.wall_items)
        text = _("Thank you all for {event}! %(numbers)s on {hashtag}. See you next time!") % {
            "numbers": ", ".join(number % {"count": count} for number, count in zip(numbers, counts, strict=True))
        }
    return render_announcement(text, recap.event)


def _md(text: str) -> str:
    """Text from a network on one Markdown line: no HTML (escaped), no line breaks, no table pipes."""
    flat = " ".join(text.split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _first_text(post: RecapPost) -> str:
    return next((link.text for link in post.links if link.text), post.text)


def recap_markdown(recap: EventRecap) -> str:
    """The recap as a Markdown report (for a client, a newsletter, the team's wiki)."""
    event = recap.event
    zone = event.workspace.zone
    none = "- " + _("None")
    dates = (
        f"{event.starts_at.astimezone(zone):%Y-%m-%d %H:%M} → {event.ends_at.astimezone(zone):%Y-%m-%d %H:%M}"
        f" ({event.workspace.timezone})"
    )
    lines = [
        "# " + _("%(event)s — recap") % {"event": _md(event.name)},
        "",
        "- " + _("Hashtag: %(tag)s") % {"tag": event.tag},
        "- " + _("Dates: %(dates)s") % {"dates": dates},
    ]
    if event.place:
        lines.append("- " + _("Place: %(place)s") % {"place": _md(event.place)})
    lines += [
        "",
        "## " + _("In numbers"),
        "",
        "- " + _("Posts published by us: %(count)s") % {"count": recap.published},
    ]
    lines += [f"  - {_md(network)}: {count}" for network, count in recap.published_per_network.items()]
    lines += [
        "- " + _("Posts from the audience with the hashtag: %(count)s") % {"count": recap.wall_items},
        "- " + _("People who took part: %(count)s") % {"count": recap.contributors},
        "- " + _("Questions: %(count)s") % {"count": recap.questions},
        "",
        "## " + _("Top questions"),
        "",
    ]
    lines += [
        f"- {'★ ' if item.starred else ''}{_md(item.author_handle)}: {_md(item.text)}" for item in recap.top_questions
    ] or [none]
    lines += ["", "## " + _("Most active people"), ""]
    lines += [f"- {_md(person.handle)} ({_md(person.network)}): {person.count}" for person in recap.most_active] or [
        none
    ]
    lines += ["", "## " + _("Our posts"), ""]
    for post in recap.posts:
        when = post.scheduled_at.astimezone(zone)
        urls = ", ".join(f"[{_md(link.network)}]({link.url})" for link in post.links if link.url.startswith("http"))
        lines.append(
            f"- {when:%Y-%m-%d %H:%M} · {_md(post.kind_label)} · {_md(_first_text(post))}"
            + (f" — {urls}" if urls else "")
        )
    if not recap.posts:
        lines.append(none)
    return "\n".join(lines) + "\n"


# Handles are safe as they are; any other cell starting like a formula gets a quote (CSV injection).
_SAFE_HANDLE_RE = re.compile(r"^@[\w.:@-]+$")


def _cell(value: str) -> str:
    if value.startswith(("=", "+", "-", "@", "\t", "\r")) and not _SAFE_HANDLE_RE.match(value):
        return "'" + value
    return value


def recap_csv(recap: EventRecap) -> str:
    """Everything posted about the event, one line per post: ours (one line per account) and the audience's."""
    target = recap.event
    zone = target.workspace.zone
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "kind", "time", "network", "author", "name", "text", "url", "question", "starred"])
    for post in recap.posts:
        for link in post.links or [PublishedLink(network="", handle="", url="", status="")]:
            writer.writerow(
                [
                    "parvis",
                    post.kind,
                    post.scheduled_at.astimezone(zone).isoformat(timespec="minutes"),
                    link.network,
                    _cell(link.handle),
                    "",
                    _cell(link.text or post.text),
                    _cell(link.url),
                    "",
                    "",
                ]
            )
    for item in WallItem.objects.filter(event=target, hidden=False).order_by("occurred_at", "id"):
        writer.writerow(
            [
                "own" if item.own else "audience",
                "question" if item.is_question else "post",
                item.occurred_at.astimezone(zone).isoformat(timespec="minutes"),
                network_name(item.network),
                _cell(item.author_handle),
                _cell(item.author_name),
                _cell(item.text),
                _cell(item.url),
                "yes" if item.is_question else "",
                "yes" if item.starred else "",
            ]
        )
    return out.getvalue()
