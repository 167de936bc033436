"""A group answered from a real browser: the preview follows the typing, one click answers everyone.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through `executable_path`.
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

from parvis.community.tests.factories import IdentityFactory
from parvis.core.services import workspace_create
from parvis.inbox.grouping import group_list, messages_group
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.models import Action
from parvis.networks.tests.factories import ConnectedAccountFactory

CHROMIUM = Path(os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOT = os.environ.get("PARVIS_GROUPING_SCREENSHOT", "")

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
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1100})
        context.set_default_timeout(30_000)
        expect.set_options(timeout=20_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_the_preview_follows_the_typing_and_one_click_answers_everyone(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    now = timezone.now()
    messages = [
        MessageFactory(
            conversation__account=account,
            text=text,
            author=IdentityFactory(member__workspace=workspace, handle=handle, display_name=name),
            occurred_at=now - timedelta(minutes=10 - index),
        )
        for index, (text, handle, name) in enumerate(
            [
                ("@cci_lyon Le salon est-il accessible en fauteuil roulant ?", "@marie@social.example", "Marie"),
                ("@cci_lyon Est-ce que le salon est accessible en fauteuil ?", "@paul@social.example", ""),
            ]
        )
    ]
    messages_group(workspace=workspace, messages=messages)
    [group] = group_list(workspace)

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/groups/")
    page.get_by_role("link", name="Le salon est-il accessible en fauteuil roulant ?").click()

    page.locator("#id_text").fill("Bonjour {name}, oui : entrée B, de plain-pied.")
    preview = page.locator("#answer-preview")
    expect(preview).to_contain_text("Bonjour Marie, oui : entrée B, de plain-pied.")
    expect(preview).to_contain_text("Bonjour @paul@social.example, oui")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    page.locator("#group-answer button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("2")
    assert Action.objects.filter(kind="reply").count() == 2
    group.refresh_from_db()
    assert group.status == "answered"
