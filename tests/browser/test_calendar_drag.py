"""Drag a post to another day in the calendar's month view, in headless Chromium: it keeps its
local time on the new day, and the database says so.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through
`executable_path`: Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.models import Membership, Role
from parvis.core.services import workspace_create
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Post
from parvis.publishing.services.posts import post_create
from parvis.publishing.tests.calendar.helpers import wall
from parvis.publishing.timeparse import local_to_utc

CHROMIUM = Path(os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is installed by `make test` (scripts/bootstrap.sh)"),
]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _wait_for(post: Post, old: datetime) -> None:
    deadline = time.monotonic() + 10
    while post.scheduled_at == old and time.monotonic() < deadline:
        time.sleep(0.1)
        post.refresh_from_db()


def test_dragging_a_post_to_another_day_moves_it_there_at_the_same_local_time(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    membership = Membership.objects.get(workspace=workspace, user=user)
    membership.role = Role.COMMUNITY_MANAGER
    membership.save()
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    # Friday 29 March 2030, 10:30 in Paris (winter time); the clocks go forward on Sunday 31,
    # the day it is dragged to.
    before = local_to_utc(wall(2030, 3, 29, 10, 30), workspace.zone)
    post = post_create(membership=membership, text="Salon des entreprises", accounts=[account], scheduled_at=before)

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/calendar/?month=2030-03")

    chip = page.locator(f'.calendar-chip[data-post-id="{post.pk}"]')
    target = page.locator('td.calendar-day[data-date="2030-03-31"]')
    expect(chip).to_be_visible()
    chip.drag_to(target)

    expect(target.locator(f'.calendar-chip[data-post-id="{post.pk}"]')).to_be_visible()
    expect(page.locator("#calendar-message")).to_contain_text("2030")
    _wait_for(post, before)
    assert post.scheduled_at == local_to_utc(wall(2030, 3, 31, 10, 30), workspace.zone)
    assert post.scheduled_at.astimezone(workspace.zone).strftime("%H:%M") == "10:30"
    assert post.scheduled_at.hour == 8  # 10:30 in summer time is 08:30 UTC (it was 09:30 UTC)


def test_the_keyboard_moves_a_post_too(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    membership = Membership.objects.get(workspace=workspace, user=user)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    before = local_to_utc(wall(2030, 3, 29, 10, 30), workspace.zone)
    post = post_create(membership=membership, text="Salon des entreprises", accounts=[account], scheduled_at=before)

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/calendar/?month=2030-03")

    page.locator(f'.calendar-chip[data-post-id="{post.pk}"]').focus()
    page.keyboard.press("Space")  # pick it up
    page.keyboard.press("ArrowRight")  # Saturday 30
    page.keyboard.press("ArrowRight")  # Sunday 31, the clocks go forward
    page.keyboard.press("Enter")

    expect(page.locator(f'td[data-date="2030-03-31"] .calendar-chip[data-post-id="{post.pk}"]')).to_be_visible()
    _wait_for(post, before)
    assert post.scheduled_at == local_to_utc(wall(2030, 3, 31, 10, 30), workspace.zone)
