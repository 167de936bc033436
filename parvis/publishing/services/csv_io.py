"""CSV export and import of posts, with a line-by-line validation report.

Import reads UTF-8 (with or without the BOM Excel writes) or Windows-1252 (older French Excel),
separated by commas or semicolons (French Excel), with a header line naming the columns in
English or French. Every line is checked before anything is written; then the good lines become
posts through the composer's `post_create`, all in one transaction (a crash imports nothing).
Export writes the columns `EXPORT_COLUMNS`; an exported file can be imported again (the extra
columns are ignored, `utc_offset` settles times repeated by the autumn clock change).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models import Campaign, Post
from parvis.publishing.selectors_calendar import CalendarEntry, CalendarFilter, calendar_posts
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc

EXPORT_COLUMNS = [
    "id",
    "date",
    "time",
    "time_zone",
    "utc_offset",
    "accounts",
    "networks",
    "text",
    "campaign",
    "stage",
    "status",
    "first_comment",
    "media",
    "alt_text",
]
REQUIRED_COLUMNS = ("date", "time", "accounts", "text")
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_LINES = 2000

# Header names people write, in English and French, folded (lower case, no accents, "_" for spaces).
_ALIASES = {
    "date": "date",
    "day": "date",
    "jour": "date",
    "time": "time",
    "hour": "time",
    "heure": "time",
    "horaire": "time",
    "accounts": "accounts",
    "account": "accounts",
    "comptes": "accounts",
    "compte": "accounts",
    "text": "text",
    "texte": "text",
    "message": "text",
    "campaign": "campaign",
    "campagne": "campaign",
    "first_comment": "first_comment",
    "premier_commentaire": "first_comment",
    "utc_offset": "utc_offset",
    "decalage_utc": "utc_offset",
}
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH_DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_TIME_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?(?::(\d{2}))?\s*$")
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_ACCOUNT_SPLIT = re.compile(r"[,;|\s]+")


class ImportMode(StrEnum):
    DRAFT = "draft"  # every line becomes a draft
    SCHEDULE = "schedule"  # every line is scheduled (or goes to approval when the author needs it)


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str


@dataclass
class LineReport:
    """One data line of the file: what it says, and what is wrong with it (nothing when it is good)."""

    number: int  # line number in the file (the header is line 1)
    text: str = ""
    local: datetime | None = None
    accounts: list[ConnectedAccount] = field(default_factory=list)
    campaign: Campaign | None = None
    first_comment: str = ""
    scheduled_at: datetime | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    lines: list[LineReport] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    delimiter: str = ","
    created: list[Post] = field(default_factory=list)

    @property
    def good(self) -> list[LineReport]:
        return [line for line in self.lines if line.ok] if not self.file_problems else []

    @property
    def bad(self) -> list[LineReport]:
        return [line for line in self.lines if not line.ok]


# --- export -------------------------------------------------------------------------------


def _offset(local: datetime) -> str:
    delta = local.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def account_label(account: ConnectedAccount, accounts: Sequence[ConnectedAccount]) -> str:
    """The account's handle, prefixed by its network when another account has the same handle."""
    same = [other for other in accounts if _fold_handle(other.handle) == _fold_handle(account.handle)]
    return f"{account.network}:{account.handle}" if len(same) > 1 else account.handle


def export_row(entry: CalendarEntry, *, zone: ZoneInfo, all_accounts: Sequence[ConnectedAccount]) -> list[str]:
    post = entry.post
    media = list(post.media.all())
    return [
        str(post.pk),
        entry.local.strftime("%Y-%m-%d"),
        entry.local.strftime("%H:%M"),
        zone.key,
        _offset(entry.local),
        ", ".join(account_label(account, all_accounts) for account in entry.accounts),
        ", ".join(sorted({account.network for account in entry.accounts})),
        post.text,
        entry.campaign.name if entry.campaign else "",
        post.stage,
        entry.status,
        post.first_comment,
        " | ".join((item.file.name or "").rsplit("/", 1)[-1] for item in media),
        " | ".join(item.alt_text for item in media),
    ]


def posts_csv_export(
    workspace: Workspace, *, start: datetime, end: datetime, flt: CalendarFilter | None = None, delimiter: str = ","
) -> str:
    """The posts of [start, end) matching the calendar's filters, as CSV text (header first)."""
    zone = workspace.zone
    all_accounts = list(ConnectedAccount.objects.filter(workspace=workspace))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry in calendar_posts(workspace, start=start, end=end, flt=flt):
        writer.writerow(export_row(entry, zone=zone, all_accounts=all_accounts))
    return buffer.getvalue()


# --- reading ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", plain)


def _fold_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; otherwise Windows-1252 (what older French Excel saves)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


@dataclass
class RawLine:
    number: int
    values: dict[str, str]


def csv_read(data: bytes) -> tuple[list[RawLine], list[Problem], str]:
    """Split the file into lines keyed by column; problems with the file as a whole come second."""
    if len(data) > MAX_IMPORT_BYTES:
        return (
            [],
            [
                Problem(
                    _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)},
                    _("Split it into several files."),
                )
            ],
            ",",
        )
    text = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(_("The file is empty."), _("Export the posts from your spreadsheet as CSV."))], delimiter
    except csv.Error as exc:
        return (
            [],
            [Problem(_("The file is not valid CSV: %(error)s") % {"error": exc}, _("Save it as CSV."))],
            delimiter,
        )
    columns = [_ALIASES.get(_fold(name), "") for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        return (
            [],
            [
                Problem(
                    _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
                    _("The first line must name the columns: date, time, accounts, text, campaign, first_comment."),
                )
            ],
            delimiter,
        )
    lines: list[RawLine] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            values = {column: "" for column in columns if column}
            for column, cell in zip(columns, row, strict=False):
                if column:
                    values[column] = cell.strip() if column not in {"text", "first_comment"} else cell.strip("\r\n")
            lines.append(RawLine(number=number, values=values))
            if len(lines) > MAX_IMPORT_LINES:
                problems.append(
                    Problem(
                        _("The file has more than %(count)s posts.") % {"count": MAX_IMPORT_LINES},
                        _("Split it into several files."),
                    )
                )
                break
    except csv.Error as exc:
        problems.append(
            Problem(
                _("Line %(line)s is not valid CSV: %(error)s") % {"line": start, "error": exc},
                _("Check the quotes around texts that contain the separator or line breaks."),
            )
        )
    return lines, problems, delimiter


def parse_date(value: str) -> date | None:
    """2026-03-31 (ISO) or 31/03/2026, 31.03.2026, 31-03-2026, 31/03/26 (day first, as in France)."""
    value = value.strip()
    if match := _ISO_DATE_RE.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _FRENCH_DATE_RE.match(value):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(value: str) -> time | None:
    match = _TIME_RE.match(value)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute)


def _instant(day: date, at: time, zone: ZoneInfo, offset: str) -> datetime:
    """Local wall-clock time to UTC; `offset` (from an export) picks the occurrence of a repeated time."""
    naive = datetime.combine(day, at)
    instant = local_to_utc(naive, zone)
    match = _OFFSET_RE.match(offset.strip()) if offset else None
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        wanted = timedelta(minutes=minutes if match[1] == "+" else -minutes)
        second = naive.replace(tzinfo=zone, fold=1)
        if second.utcoffset() == wanted and instant.astimezone(zone).utcoffset() != wanted:
            return second.astimezone(ZoneInfo("UTC"))
    return instant


# --- checking -----------------------------------------------------------------------------


class _Accounts:
    def __init__(self, workspace: Workspace) -> None:
        self.all = list(ConnectedAccount.objects.filter(workspace=workspace).exclude(status="disabled"))
        self.by_handle: dict[str, list[ConnectedAccount]] = {}
        for account in self.all:
            self.by_handle.setdefault(_fold_handle(account.handle), []).append(account)

    def find(self, name: str) -> list[ConnectedAccount]:
        network, sep, handle = name.partition(":")
        if sep and not network.startswith("@") and network.isidentifier():
            return [a for a in self.by_handle.get(_fold_handle(handle), []) if a.network == network.lower()]
        return self.by_handle.get(_fold_handle(name), [])


def _check_line(
    raw: RawLine,
    *,
    workspace: Workspace,
    accounts: _Accounts,
    campaigns: dict[str, Campaign],
    now: datetime,
) -> LineReport:
    from parvis.publishing.services.posts import composition_check

    values = raw.values
    report = LineReport(number=raw.number, text=values.get("text", ""), first_comment=values.get("first_comment", ""))
    problems = report.problems
    zone = workspace.zone
    day = parse_date(values.get("date", ""))
    if day is None:
        problems.append(
            Problem(
                _("Bad date: “%(value)s”.") % {"value": values.get("date", "")},
                _("Write the date as 2026-03-31 or 31/03/2026."),
            )
        )
    at = parse_time(values.get("time", ""))
    if at is None:
        problems.append(
            Problem(
                _("Bad time: “%(value)s”.") % {"value": values.get("time", "")},
                _("Write the time as 09:30 (24-hour clock)."),
            )
        )
    if day is not None and at is not None:
        try:
            report.scheduled_at = _instant(day, at, zone, values.get("utc_offset", ""))
            report.local = report.scheduled_at.astimezone(zone)
        except InvalidLocalTime:
            problems.append(
                Problem(
                    _("%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward at that time.")
                    % {"time": at.strftime("%H:%M"), "date": day.isoformat(), "zone": zone.key},
                    _("Choose a time one hour later (or earlier)."),
                )
            )
        else:
            if report.scheduled_at <= now:
                problems.append(
                    Problem(
                        _("%(date)s %(time)s is already past.")
                        % {"date": day.isoformat(), "time": at.strftime("%H:%M")},
                        _("Choose a later date or time."),
                    )
                )
    names = [name for name in _ACCOUNT_SPLIT.split(values.get("accounts", "")) if name]
    if not names:
        problems.append(Problem(_("No account."), _("Write the handle of one or more connected accounts.")))
    chosen: dict[int, ConnectedAccount] = {}
    for name in names:
        found = accounts.find(name)
        if not found:
            known = ", ".join(account_label(a, accounts.all) for a in accounts.all) or "—"
            problems.append(
                Problem(
                    _("Unknown account: “%(name)s”.") % {"name": name},
                    _("Use the handle of a connected account: %(known)s.") % {"known": known},
                )
            )
        elif len(found) > 1:
            problems.append(
                Problem(
                    _("“%(name)s” is the handle of several accounts.") % {"name": name},
                    _("Write the network before it, e.g. %(example)s.")
                    % {"example": f"{found[0].network}:{found[0].handle}"},
                )
            )
        else:
            chosen[found[0].pk] = found[0]
    report.accounts = list(chosen.values())
    campaign_name = values.get("campaign", "")
    if campaign_name:
        report.campaign = campaigns.get(campaign_name.strip().lower())
        if report.campaign is None:
            problems.append(
                Problem(
                    _("Unknown campaign: “%(name)s”.") % {"name": campaign_name},
                    _("Create the campaign first, or leave the column empty."),
                )
            )
    if not report.text.strip():
        problems.append(Problem(_("The text is empty."), _("Write the post's text in the text column.")))
    elif report.accounts:
        problems.extend(
            Problem(problem, _("Shorten the text or remove that account from the line."))
            for problem in composition_check(text=report.text, accounts=report.accounts, media=[])
        )
    return report


def posts_import_check(*, membership: Membership, data: bytes) -> ImportReport:
    """Read and check every line, writing nothing: the report the user reads before importing."""
    require(membership, Perm.DRAFT)
    workspace = membership.workspace
    raw_lines, file_problems, delimiter = csv_read(data)
    report = ImportReport(file_problems=file_problems, delimiter=delimiter)
    accounts = _Accounts(workspace)
    campaigns = {c.name.strip().lower(): c for c in Campaign.objects.filter(workspace=workspace)}
    now = timezone.now()
    report.lines = [
        _check_line(raw, workspace=workspace, accounts=accounts, campaigns=campaigns, now=now) for raw in raw_lines
    ]
    if not raw_lines and not file_problems:
        report.file_problems.append(Problem(_("The file has no posts."), _("Add one post per line under the header.")))
    return report


@transaction.atomic
def posts_import(*, membership: Membership, data: bytes, mode: ImportMode = ImportMode.DRAFT) -> ImportReport:
    """Check the file, then create a post for every good line, as drafts or scheduled (`mode`).

    Bad lines are reported and skipped; a problem with the file itself imports nothing. Every post
    goes through the composer's `post_create` in this one transaction: if one fails, none stays.
    """
    from parvis.publishing.services.posts import post_create

    report = posts_import_check(membership=membership, data=data)
    for line in report.good:
        assert line.scheduled_at is not None  # noqa: S101 — a good line has a time
        post = post_create(
            membership=membership,
            text=line.text,
            accounts=line.accounts,
            scheduled_at=line.scheduled_at,
            first_comment=line.first_comment,
            campaign=line.campaign,
            submit=mode == ImportMode.SCHEDULE,
        )
        report.created.append(post)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="post.import_csv",
        target="Post",
        summary=_("%(created)s posts imported, %(skipped)s lines skipped")
        % {"created": len(report.created), "skipped": len(report.lines) - len(report.created)},
        data={
            "mode": str(mode),
            "created": [post.pk for post in report.created],
            "bad_lines": [line.number for line in report.bad],
        },
    )
    return report
