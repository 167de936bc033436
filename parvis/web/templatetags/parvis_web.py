"""Small display helpers for Parvis pages. Nothing here marks text from a network as safe."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parvis.web import network_info
from parvis.web.labels import CONVERSATION_STATUS_LABELS

register = template.Library()

ACTION_KIND_LABELS = {
    "publish": gettext_lazy("Post"),
    "reply": gettext_lazy("Reply"),
    "favourite": gettext_lazy("Favourite"),
    "delete": gettext_lazy("Deletion"),
}


@register.filter
def network_label(network: str) -> str:
    """The network's name as its connector spells it (Mastodon, RSS/Atom feed...)."""
    return network_info.network_name(network)


@register.filter
def safe_url(value: str | None) -> str:
    """The URL if it is http(s), else "": links received from networks never run script (javascript:...)."""
    if not value:
        return ""
    try:
        scheme = urlsplit(str(value)).scheme.lower()
    except ValueError:
        return ""
    return str(value) if scheme in {"http", "https"} else ""


@register.filter
def network_initials(network: str) -> str:
    name = network_info.network_name(network)
    first_word = name.split()[0] if name.split() else "?"
    # An acronym stays whole (RSS); a name gives its first two letters (Mastodon → Ma).
    return first_word if first_word.isupper() and len(first_word) <= 3 else first_word[:2]


@register.filter
def conversation_status_label(status: str) -> str:
    return str(CONVERSATION_STATUS_LABELS.get(status, status))


@register.filter
def action_kind_label(kind: str) -> str:
    return str(ACTION_KIND_LABELS.get(kind, kind))


@register.simple_tag
def optional_url(name: str, *args: object) -> str:
    """The URL of `name`, or "" when no such page is installed (a connector's onboarding, for example)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def relative_time(value: datetime | None) -> str:
    """ "2 min ago", "3 hours ago", "yesterday"; older than a week, the date."""
    if not value:
        return ""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 0:
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(count)d min ago", "%(count)d min ago", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = hours // 24
    if days < 7:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


@register.filter
def author_label(author: object) -> str:
    """Who wrote a message: their display name, else their handle; "Unknown author" when nobody is known."""
    if author is None:
        return _("Unknown author")
    return str(getattr(author, "display_name", "") or getattr(author, "handle", "") or _("Unknown author"))
