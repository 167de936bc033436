"""Announcing the event ahead: a week before, the day before and at the start, each once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from parvis.publishing.models import Delivery, EventPost, EventPostKind
from parvis.publishing.services.events import Announcement, event_announcements_schedule, event_create
from parvis.publishing.tests.events.conftest import wall_clock

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def salon(camille, account):
    # Thursday 8 April 2027, 14:00 in Lyon (UTC+2): after the spring clock change.
    return event_create(
        membership=camille,
        name="Salon des entrepreneurs",
        hashtag="SalonEntrepreneurs",
        starts_at=wall_clock("2027-04-08 14:00"),
        ends_at=wall_clock("2027-04-08 19:00"),
        place="Centre de congrès",
        accounts=[account],
    )


def test_announcements_are_scheduled_a_week_before_the_day_before_and_at_the_start(camille, salon, account):
    report = event_announcements_schedule(membership=camille, event=salon, accounts=[account], now=NOW)

    scheduled = {announcement.label: post.scheduled_at for announcement, post in report.scheduled}
    assert scheduled == {
        "J-7": datetime(2027, 4, 1, 8, tzinfo=UTC),  # 10:00 in Lyon
        "J-1": datetime(2027, 4, 7, 8, tzinfo=UTC),
        "start": datetime(2027, 4, 8, 12, tzinfo=UTC),  # 14:00 in Lyon
    }
    assert set(EventPost.objects.filter(event=salon).values_list("kind", flat=True)) == {EventPostKind.ANNOUNCEMENT}


def test_an_announcement_says_when_and_where_with_the_hashtag(camille, salon, account):
    week = Announcement(label="J-7", days_before=7, at=time(10), text="{event} : {date} à {time}, {place}.")

    [(_, post)] = event_announcements_schedule(
        membership=camille, event=salon, accounts=[account], announcements=[week], now=NOW
    ).scheduled

    assert Delivery.objects.get(post=post).text == (
        "Salon des entrepreneurs : jeudi 8 avril à 14:00, Centre de congrès. #SalonEntrepreneurs"
    )


def test_announcements_already_scheduled_are_not_scheduled_again(camille, salon, account):
    event_announcements_schedule(membership=camille, event=salon, accounts=[account], now=NOW)

    again = event_announcements_schedule(membership=camille, event=salon, accounts=[account], now=NOW)

    assert again.scheduled == []
    assert [announcement.label for announcement in again.existing] == ["J-7", "J-1", "start"]
    assert EventPost.objects.filter(event=salon).count() == 3


def test_an_announcement_whose_time_has_passed_is_skipped(camille, salon, account):
    report = event_announcements_schedule(
        membership=camille, event=salon, accounts=[account], now=datetime(2027, 4, 3, 9, tzinfo=UTC)
    )

    assert [announcement.label for announcement in report.past] == ["J-7"]
    assert [announcement.label for announcement, _post in report.scheduled] == ["J-1", "start"]
