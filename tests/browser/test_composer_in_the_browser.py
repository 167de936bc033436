"""The composer in a real browser: live check per network, a thread for Mastodon, Ctrl+Enter publishes.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through
`executable_path`. PARVIS_SCREENSHOTS=<folder> keeps a screenshot of the composer there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.models import Membership, Role
from parvis.core.services import workspace_create
from parvis.networks.models import Action, ActionStatus
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.testing.mastodon import MastodonMockServer

CHROMIUM = Path(os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.network,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is installed by `make test` (scripts/bootstrap.sh)"),
]

PARAGRAPH = (
    "Le salon des entreprises ouvre ses portes jeudi à 9 h au centre des congrès de Lyon. "
    "Plus de cent exposants, des ateliers et des conférences toute la journée vous attendent. "
)
TEXT = (PARAGRAPH * 4).strip() + " #SalonCCI"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1400})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _wait_done(count: int) -> None:
    deadline = time.monotonic() + 20
    while Action.objects.filter(status=ActionStatus.DONE).count() < count and time.monotonic() < deadline:
        time.sleep(0.2)


def test_a_long_post_is_checked_live_and_goes_to_mastodon_as_a_thread(
    live_server: object, page: Page, mastodon_server: MastodonMockServer, mastodon_connect: object
) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    membership = Membership.objects.get(workspace=workspace, user=user)
    membership.role = Role.COMMUNITY_MANAGER
    membership.save()
    mastodon, org = mastodon_connect(membership, username="cci")  # type: ignore[operator]
    fake = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/compose/")

    page.locator(f"#compose-accounts input[value='{mastodon.pk}']").check()
    page.locator(f"#compose-accounts input[value='{fake.pk}']").check()
    page.locator("#id_text").fill(TEXT)

    # The live check: a thread on Mastodon, too long on the fake network (no threads there).
    mastodon_check = page.locator(f"#variant-check-{mastodon.pk}")
    expect(mastodon_check.locator(".preview-post")).to_have_count(2)
    expect(page.locator("#char-counts .char-count.is-over")).to_have_count(1)
    expect(page.locator("#compose-report .alert-error")).to_contain_text("@cci_lyon")

    # Write the fake network's variant by hand, in its tab.
    page.locator(f"#variant-tab-{fake.pk}").click()
    page.locator(f"#variant-{fake.pk}-custom").check()
    variant = page.locator(f"#variant-{fake.pk}-text")
    expect(variant).to_have_value(TEXT)  # started from the common text
    variant.fill("Salon des entreprises jeudi à 9 h ! #SalonCCI")
    expect(page.locator("#char-counts .char-count.is-over")).to_have_count(0)
    expect(page.locator("#compose-report .alert-error")).to_have_count(0)
    if folder := os.environ.get("PARVIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / "composer.png"), full_page=True)

    page.locator("#id_text").focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{base}/ledger/")
    _wait_done(3)

    statuses = sorted(
        mastodon_server.client(org).account_statuses(org.id, limit=40), key=lambda status: int(status["id"])
    )
    assert len(statuses) == 2
    assert str(statuses[1]["in_reply_to_id"]) == str(statuses[0]["id"])
    assert "1/2" in statuses[0]["content"] and "2/2" in statuses[1]["content"]

    # The posts page shows the post as published, each variant with its own status.
    page.goto(f"{base}/posts/")
    expect(page.locator(".card.post .badge-published").first).to_be_visible()
    expect(page.locator(".card.post .targets > li")).to_have_count(2)
    if folder := os.environ.get("PARVIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / "posts.png"), full_page=True)
