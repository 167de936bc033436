"""The inbox's "hide under the charter" control in a real browser: h opens it, the clause is chosen,
HTMX swaps in the "hidden" badge. Headless Chromium from Debian (/usr/bin/chromium), no download."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.services import workspace_create
from parvis.inbox.models import ModerationState
from parvis.inbox.tests.factories import MessageFactory
from parvis.moderation.models import ModerationDecision
from parvis.moderation.services import charter_draft_save, charter_publish
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
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_h_opens_the_control_and_hiding_swaps_in_the_badge(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    owner = workspace.memberships.get()
    charter_draft_save(membership=owner, title="Charte", body="## 1.1 Pas d'insultes\n\nNon.\n\n## 2 Spam\n\nNon.")
    charter_publish(membership=owner)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    message = MessageFactory(conversation__account=account, text="@cci_lyon bande d'abrutis", kind="reply")

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")  # signed in
    page.goto(f"{base}/conversations/{message.conversation_id}/")
    page.wait_for_load_state("load")  # the deferred scripts (keyboard shortcuts) have run

    control = page.locator(f"#moderation-{message.pk} details.moderation-hide")
    expect(control).not_to_have_attribute("open", "")
    page.locator("body").focus()
    page.keyboard.press("h")
    expect(control).to_have_attribute("open", "")
    expect(page.locator(f"#moderation-clause-{message.pk}")).to_be_focused()
    page.locator(f"#moderation-clause-{message.pk}").select_option(label="2 Spam")
    control.locator("button[type=submit]").click()

    expect(page.locator(f"#moderation-{message.pk} .badge")).to_be_visible()
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN
    assert ModerationDecision.objects.get().clause.code == "2"
