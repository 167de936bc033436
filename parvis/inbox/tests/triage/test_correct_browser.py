"""One-keystroke correction in a real browser: c opens the menu of the message, 1..7 give the class, - the sentiment.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through `executable_path`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.services import workspace_create
from parvis.inbox.models import LabelCorrection, Message
from parvis.inbox.tests.factories import MessageFactory
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


def test_a_class_and_a_sentiment_are_corrected_from_the_keyboard(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    message = MessageFactory(
        conversation__account=account,
        text="Le parking du salon est-il payant ?",
        category="other",
        category_score=0.4,
        category_source="model",
        sentiment="neutral",
        sentiment_score=0.0,
        priority=20,
    )

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/conversations/{message.conversation_id}/")
    badges = page.locator(f"#triage-{message.pk}")
    expect(badges.locator(".triage-cat-other")).to_have_count(1)

    page.locator("body").focus()
    page.keyboard.press("c")
    expect(badges.locator("details.triage-correct")).to_have_attribute("open", "")
    page.keyboard.press("1")
    expect(page.locator(f"#triage-{message.pk} .triage-cat-question")).to_have_count(1)
    stored = Message.objects.get(pk=message.pk)
    assert (stored.category, stored.category_source) == ("question", "person")

    page.locator("body").focus()
    page.keyboard.press("c")
    page.keyboard.press("-")
    expect(page.locator(f"#triage-{message.pk} .triage-sentiment-negative")).to_have_count(1)
    assert Message.objects.get(pk=message.pk).sentiment == "negative"
    assert LabelCorrection.objects.count() == 2
