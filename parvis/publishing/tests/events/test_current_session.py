"""The session the live composer works on: the one running now, read in the workspace's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from parvis.publishing.services.events import (
    event_create,
    event_current_session,
    event_focus_session,
    session_create,
)
from parvis.publishing.tests.events.conftest import utc, wall_clock


def test_the_current_session_is_the_one_running_now(event, keynote, round_table):
    assert event_current_session(event=event, now=utc(8)) == keynote  # 10:00 in Lyon
    assert event_current_session(event=event, now=utc(9, 15)) == round_table  # 11:15 in Lyon


def test_a_session_is_over_at_its_end_time(event, keynote):
    assert event_current_session(event=event, now=utc(8, 30)) is None  # 10:30 in Lyon


def test_between_two_sessions_the_composer_moves_on_to_the_next_one(event, keynote, round_table):
    assert event_current_session(event=event, now=utc(8, 45)) is None
    assert event_focus_session(event=event, now=utc(8, 45)) == round_table


def test_after_the_last_session_the_composer_stays_on_it(event, keynote, round_table):
    assert event_focus_session(event=event, now=utc(17)) == round_table


def test_the_times_of_the_programme_are_those_of_the_workspace_time_zone(camille, workspace):
    workspace.timezone = "America/Montreal"  # UTC-4 in June
    workspace.save()
    event = event_create(
        membership=camille,
        name="Rendez-vous de Montréal",
        hashtag="RDVMtl",
        starts_at=wall_clock("2026-06-11 09:00"),
        ends_at=wall_clock("2026-06-11 17:00"),
    )
    session = session_create(
        membership=camille,
        event=event,
        title="Ouverture",
        starts_at=wall_clock("2026-06-11 09:30"),
        ends_at=wall_clock("2026-06-11 10:30"),
    )

    assert event_current_session(event=event, now=datetime(2026, 6, 11, 13, 45, tzinfo=UTC)) == session
    assert event_current_session(event=event, now=datetime(2026, 6, 11, 7, 45, tzinfo=UTC)) is None


def test_a_programme_across_the_autumn_clock_change_keeps_its_wall_clock_times(camille):
    # 25 October 2026: Paris goes back from UTC+2 to UTC+1 at 03:00.
    event = event_create(
        membership=camille,
        name="Nuit des entrepreneurs",
        hashtag="NuitEntrepreneurs",
        starts_at=wall_clock("2026-10-24 20:00"),
        ends_at=wall_clock("2026-10-25 10:00"),
    )
    breakfast = session_create(
        membership=camille,
        event=event,
        title="Petit déjeuner",
        starts_at=wall_clock("2026-10-25 08:00"),
        ends_at=wall_clock("2026-10-25 09:00"),
    )

    assert breakfast.starts_at == datetime(2026, 10, 25, 7, tzinfo=UTC)
    assert event_current_session(event=event, now=datetime(2026, 10, 25, 7, 30, tzinfo=UTC)) == breakfast
