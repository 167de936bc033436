from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.models import Action, ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Campaign, Post, PostStage
from parvis.publishing.services import csv_io
from parvis.publishing.services.csv_io import (
    ImportMode,
    csv_read,
    parse_date,
    parse_time,
    posts_import,
    posts_import_check,
)

HEADER = "date,time,accounts,text,campaign,first_comment\r\n"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\r\n".join(lines) + "\r\n").encode()


def _problems(report: csv_io.ImportReport, number: int) -> str:
    line = next(line for line in report.lines if line.number == number)
    return " ".join(f"{problem.what} {problem.fix}" for problem in line.problems)


def test_a_good_file_has_no_problem(camille: Membership, account: ConnectedAccount) -> None:
    report = posts_import_check(membership=camille, data=_csv("2030-05-06,09:30,@cci_lyon,Bonjour Lyon,,"))

    [line] = report.lines
    assert line.ok
    assert line.scheduled_at == datetime(2030, 5, 6, 7, 30, tzinfo=UTC)
    assert line.accounts == [account]


def test_french_excel_files_are_read_semicolons_bom_french_headers_and_day_first_dates(
    camille: Membership, account: ConnectedAccount
) -> None:
    data = (
        "\ufeffDate;Heure;Comptes;Texte;Campagne;Premier commentaire\r\n"
        "06/05/2030;9h30;cci_lyon;Écrit à Lyon;;Lien en commentaire\r\n"
    )

    report = posts_import_check(membership=camille, data=data.encode("utf-8"))

    [line] = report.lines
    assert report.delimiter == ";"
    assert line.ok, line.problems
    assert line.text == "Écrit à Lyon"
    assert line.first_comment == "Lien en commentaire"
    assert line.local is not None and line.local.strftime("%Y-%m-%d %H:%M") == "2030-05-06 09:30"


def test_windows_1252_files_keep_their_accents(camille: Membership, account: ConnectedAccount) -> None:
    data = "date;heure;comptes;texte\r\n06/05/2030;09:30;@cci_lyon;Fête à Lyon\r\n".encode("cp1252")

    [line] = posts_import_check(membership=camille, data=data).lines

    assert line.text == "Fête à Lyon"


def test_every_bad_line_says_what_is_wrong_and_how_to_fix_it(camille: Membership, account: ConnectedAccount) -> None:
    Campaign.objects.create(workspace=camille.workspace, name="Salon")
    report = posts_import_check(
        membership=camille,
        data=_csv(
            "2030-05-06,09:30,@cci_lyon,Bon texte,Salon,",  # line 2: good
            "2030-05-06,09:30,@inconnu,Texte,,",  # line 3: unknown account
            "31/02/2030,09:30,@cci_lyon,Texte,,",  # line 4: bad date
            "2030-03-31,02:30,@cci_lyon,Texte,,",  # line 5: time in the DST gap
            "2030-05-06,09:30,@cci_lyon," + "x" * 300 + ",,",  # line 6: too long for the network
            "2030-05-06,09:30,@cci_lyon,   ,,",  # line 7: empty text
            "2030-05-06,25:00,@cci_lyon,Texte,,",  # line 8: bad time
            "2030-05-06,09:30,@cci_lyon,Texte,Inconnue,",  # line 9: unknown campaign
            "2020-05-06,09:30,@cci_lyon,Texte,,",  # line 10: past
        ),
    )

    assert [line.number for line in report.bad] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "Unknown account: “@inconnu”" in _problems(report, 3) and "@cci_lyon" in _problems(report, 3)
    assert "Bad date" in _problems(report, 4) and "31/03/2026" in _problems(report, 4)
    assert "does not exist" in _problems(report, 5) and "one hour later" in _problems(report, 5)
    assert "300 characters" in _problems(report, 6) or "280" in _problems(report, 6)
    assert "text is empty" in _problems(report, 7)
    assert "Bad time" in _problems(report, 8)
    assert "Unknown campaign" in _problems(report, 9)
    assert "already past" in _problems(report, 10)


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(camille: Membership) -> None:
    report = posts_import_check(membership=camille, data=b"jour,message\n2030-05-06,Bonjour\n")

    assert (
        report.file_problems and "time" in report.file_problems[0].what and "accounts" in report.file_problems[0].what
    )
    assert report.good == []


def test_line_numbers_count_the_lines_of_a_multi_line_text(camille: Membership, account: ConnectedAccount) -> None:
    data = _csv('2030-05-06,09:30,@cci_lyon,"Deux\nlignes",,', "2030-05-06,10:00,@nobody,Texte,,")

    report = posts_import_check(membership=camille, data=data)

    assert [line.number for line in report.lines] == [2, 4]
    assert report.lines[0].text == "Deux\nlignes"


def test_an_ambiguous_handle_needs_its_network(camille: Membership, account: ConnectedAccount) -> None:
    ConnectedAccountFactory(workspace=camille.workspace, handle="@cci_lyon", network="mastodon")

    report = posts_import_check(membership=camille, data=_csv("2030-05-06,09:30,@cci_lyon,Texte,,"))
    fixed = posts_import_check(membership=camille, data=_csv("2030-05-06,09:30,fake:@cci_lyon,Texte,,"))

    assert "several accounts" in _problems(report, 2)
    assert fixed.lines[0].ok and fixed.lines[0].accounts == [account]


def test_the_good_lines_are_imported_as_drafts(camille: Membership, account: ConnectedAccount) -> None:
    report = posts_import(
        membership=camille,
        data=_csv("2030-05-06,09:30,@cci_lyon,Premier,,Commentaire", "2030-05-06,09:30,@nobody,Second,,"),
        mode=ImportMode.DRAFT,
    )

    [post] = report.created
    assert (post.stage, post.text, post.first_comment) == (PostStage.DRAFT, "Premier", "Commentaire")
    assert not Action.objects.exists()
    entry = AuditEntry.objects.get(verb="post.import_csv")
    assert entry.data["bad_lines"] == [3]


def test_scheduled_lines_go_to_the_outbox_for_a_publisher_and_to_review_for_a_contributor(
    camille: Membership, theo: Membership, account: ConnectedAccount
) -> None:
    data = _csv("2030-05-06,09:30,@cci_lyon,Programmée,,")

    [by_camille] = posts_import(membership=camille, data=data, mode=ImportMode.SCHEDULE).created
    [by_theo] = posts_import(membership=theo, data=data, mode=ImportMode.SCHEDULE).created

    assert by_camille.stage == PostStage.RELEASED and Action.objects.filter(delivery__post=by_camille).exists()
    assert by_theo.stage == PostStage.IN_REVIEW


def test_nothing_is_half_imported_when_the_import_crashes(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parvis.publishing.services import posts

    real = posts.post_create
    calls = []

    def failing(**kwargs: object) -> Post:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(posts, "post_create", failing)
    data = _csv(*[f"2030-05-0{day},09:30,@cci_lyon,Post {day},," for day in range(1, 6)])

    with pytest.raises(RuntimeError):
        posts_import(membership=camille, data=data)

    assert not Post.objects.exists()


def test_an_analyst_cannot_import(nadia: Membership) -> None:
    with pytest.raises(PermissionDenied):
        posts_import(membership=nadia, data=_csv("2030-05-06,09:30,@cci_lyon,Texte,,"))


def test_a_csv_of_two_hundred_posts_imports_with_a_clear_report_for_the_bad_lines(
    camille: Membership, account: ConnectedAccount, other_account: ConnectedAccount
) -> None:
    Campaign.objects.create(workspace=camille.workspace, name="Salon 2030")
    start = date(2030, 5, 1)
    lines = []
    for n in range(200):
        day = start + timedelta(days=n // 4)
        accounts = "@cci_lyon" if n % 2 else "@cci_lyon, @cci_events"
        lines.append(
            f'{day:%d/%m/%Y};{9 + n % 4}:{15 * (n % 4):02d};"{accounts}";"Publication n°{n} ; à lire";Salon 2030;'
        )
    bad = {10: "2030-02-30", 57: "@personne", 120: "", 199: "x" * 400}
    lines[10] = lines[10].replace(f"{start + timedelta(days=2):%d/%m/%Y}", "30/02/2030")
    lines[57] = lines[57].replace("@cci_lyon", "@personne")
    lines[120] = lines[120].split(";")[0] + ";10:00;@cci_lyon;;;"
    lines[199] = lines[199].replace("Publication n°199 ; à lire", "x" * 400)
    data = ("\ufeffdate;heure;comptes;texte;campagne;premier commentaire\r\n" + "\r\n".join(lines)).encode()
    assert len(bad) == 4

    report = posts_import(membership=camille, data=data, mode=ImportMode.SCHEDULE)

    assert len(report.lines) == 200
    assert [line.number for line in report.bad] == [12, 59, 122, 201]  # file lines: the header is line 1
    assert all(line.problems[0].fix for line in report.bad)
    assert len(report.created) == 196
    assert Post.objects.count() == 196
    assert Post.objects.filter(campaign__name="Salon 2030").count() == 196
    assert Post.objects.get(text="Publication n°0 ; à lire").deliveries.count() == 2


def test_dates_and_times_people_write() -> None:
    assert parse_date("2030-05-06") == parse_date("06/05/2030") == parse_date("6.5.2030") == date(2030, 5, 6)
    assert parse_date("06/05/30") == date(2030, 5, 6)
    assert parse_date("2030-02-30") is None
    assert [parse_time(value) for value in ("9:30", "09h30", "09:30:00")] == [time(9, 30)] * 3
    assert parse_time("9h") == time(9, 0)
    assert parse_time("24:00") is None


def test_an_empty_file_says_so() -> None:
    lines, problems, _delimiter = csv_read(b"")

    assert lines == [] and problems
