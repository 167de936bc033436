from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from parvis.core.models import Membership
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models import Campaign, Post
from parvis.publishing.selectors_calendar import CalendarFilter
from parvis.publishing.services.csv_io import EXPORT_COLUMNS, ImportMode, posts_csv_export, posts_import
from parvis.publishing.tests.calendar.conftest import MakePost
from parvis.publishing.tests.calendar.helpers import wall

START = datetime(2030, 1, 1, tzinfo=UTC)
END = datetime(2031, 1, 1, tzinfo=UTC)


def _rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_the_export_has_one_row_per_post_in_local_time(camille: Membership, make_post: MakePost) -> None:
    campaign = Campaign.objects.create(workspace=camille.workspace, name="Salon")
    post = make_post(wall(2030, 7, 1, 9, 30), text='Été, "guillemets"\net retour', campaign=campaign)

    text = posts_csv_export(camille.workspace, start=START, end=END)

    [row] = _rows(text)
    assert list(row) == EXPORT_COLUMNS
    assert row["id"] == str(post.pk)
    assert (row["date"], row["time"], row["time_zone"], row["utc_offset"]) == (
        "2030-07-01",
        "09:30",
        "Europe/Paris",
        "+02:00",
    )
    assert row["accounts"] == "@cci_lyon"
    assert row["networks"] == "fake"
    assert row["text"] == 'Été, "guillemets"\net retour'
    assert (row["campaign"], row["stage"], row["status"]) == ("Salon", "released", "scheduled")


def test_the_export_follows_the_calendar_s_filters(
    camille: Membership, make_post: MakePost, other_account: ConnectedAccount
) -> None:
    make_post(wall(2030, 7, 1, 9, 30), text="Un")
    make_post(wall(2030, 7, 2, 9, 30), text="Deux", on=[other_account])

    text = posts_csv_export(
        camille.workspace, start=START, end=END, flt=CalendarFilter(accounts=(other_account.pk,)), delimiter=";"
    )

    assert [row["text"] for row in _rows(text, ";")] == ["Deux"]


def test_an_export_imports_back_into_the_same_posts(
    camille: Membership, make_post: MakePost, other_account: ConnectedAccount
) -> None:
    Campaign.objects.create(workspace=camille.workspace, name="Salon")
    make_post(wall(2030, 3, 30, 23, 45), text="Veille du changement d'heure", campaign=Campaign.objects.get())
    make_post(wall(2030, 10, 27, 2, 30), text="Deux heures et demie, première fois")
    make_post(wall(2030, 12, 24, 18, 0), text="Réveillon ; à bientôt", on=[other_account, other_account])
    before = [(p.text, p.scheduled_at, p.campaign_id) for p in Post.objects.order_by("scheduled_at")]
    exported = posts_csv_export(camille.workspace, start=START, end=END).encode()
    Post.objects.all().delete()

    report = posts_import(membership=camille, data=exported, mode=ImportMode.DRAFT)

    assert report.bad == []
    after = [(p.text, p.scheduled_at, p.campaign_id) for p in Post.objects.order_by("scheduled_at")]
    assert after == before


def test_a_time_repeated_in_autumn_keeps_its_occurrence_through_export_and_import(
    camille: Membership, make_post: MakePost
) -> None:
    from parvis.publishing.services.posts import post_create

    second = datetime(2030, 10, 27, 1, 30, tzinfo=UTC)  # 02:30 CET, the second 02:30 that night
    post_create(
        membership=camille, text="La deuxième fois", accounts=list(ConnectedAccount.objects.all()), scheduled_at=second
    )
    exported = posts_csv_export(camille.workspace, start=START, end=END).encode()
    assert b"+01:00" in exported
    Post.objects.all().delete()

    [post] = posts_import(membership=camille, data=exported).created

    assert post.scheduled_at == second
