"""The response-time report and the crisis room draw their Chart.js charts in a real browser.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through
`executable_path`: Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.services import workspace_create
from parvis.inbox.sla import sla_policy_create, sla_policy_update
from parvis.inbox.tests.sla.helpers import request
from parvis.networks.tests.factories import ConnectedAccountFactory

CHROMIUM = Path(os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is installed by `make test` (scripts/bootstrap.sh)"),
]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        expect.set_options(timeout=20_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_the_report_and_the_crisis_room_draw_their_charts(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("alice", password="alice-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    owner = workspace.memberships.get()
    policy = sla_policy_create(membership=owner, preset="btoc")
    sla_policy_update(membership=owner, policy=policy, changes={"always_open": True})
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    now = timezone.now()
    for minutes in (20, 50, 90):
        received = now - timedelta(hours=3, minutes=minutes)
        request(account, received, received + timedelta(minutes=minutes), user)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("alice")
    page.locator("input[name=password]").fill("alice-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"{base}/sla/report/")
    expect(page.locator('[data-figure="median"]')).to_have_text("50 min")
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('sla-chart'))")
    assert page.evaluate("() => window.Chart.getChart(document.getElementById('sla-chart')).data.datasets.length") == 3

    page.goto(f"{base}/crisis/")
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('crisis-chart'))")
    assert (
        page.evaluate("() => window.Chart.getChart(document.getElementById('crisis-chart')).data.labels.length") == 48
    )
    page.locator("form[action$='/crisis/open/'] button[type=submit]").click()
    expect(page.locator(".crisis-banner")).to_be_visible()
    assert errors == []
