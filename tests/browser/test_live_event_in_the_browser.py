"""A live event in a real browser, against a local Mastodon: a live post in two keystrokes (type, Ctrl+Enter)
with the hashtag and the speaker's handle added, a prepared post inserted with one key, the audience's
posts on the live wall, and a question starred from the keyboard."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from parvis.core.models import Membership, Role
from parvis.core.services import workspace_create
from parvis.networks.text import html_to_text
from parvis.publishing.models import WallItem
from parvis.publishing.services.events import event_create, prepared_post_create, session_create, speaker_create
from parvis.testing.mastodon import MastodonMockServer

CHROMIUM = Path(os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.network,
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
        context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_live_tweeting_an_event_from_the_keyboard(
    live_server: object, page: Page, mastodon_server: MastodonMockServer, mastodon_connect: object
) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    membership = Membership.objects.get(workspace=workspace, user=user)
    membership.role = Role.COMMUNITY_MANAGER
    membership.save()
    account, org = mastodon_connect(membership, username="cci")  # type: ignore[operator]
    mastodon_server.create_account("helene", display_name="Hélène Carpentier")
    lea = mastodon_server.create_account("lea", display_name="Léa")
    now = timezone.now()
    event = event_create(
        membership=membership,
        name="Rencontres de l'export",
        hashtag="RencontresExport",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        accounts=[account],
    )
    helene = speaker_create(
        membership=membership, event=event, name="Hélène Carpentier", handles={"mastodon": "@helene"}
    )
    session = session_create(
        membership=membership,
        event=event,
        title="Exporter en 2026",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
        speakers=[helene],
    )
    prepared_post_create(membership=membership, event=event, session=session, text="{speaker} ouvre la séance")
    mastodon_server.client(lea).status_post("Et pour les TPE, quelles aides ? #RencontresExport")

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/events/{event.pk}/live/")

    # The wall already shows the audience's post; the composer shows the hashtag and the handle for Mastodon.
    expect(page.locator("#live-wall")).to_contain_text("Et pour les TPE, quelles aides ?")
    text = page.locator("#live-text")
    expect(text).to_be_focused()
    page.keyboard.type("Salle comble pour la keynote")
    expect(page.locator("#live-preview")).to_contain_text("Salle comble pour la keynote @helene #RencontresExport")

    # Two keystrokes: the text typed, then Ctrl+Enter.
    page.keyboard.press("Control+Enter")
    expect(page.locator("#live-sent")).to_contain_text("Salle comble pour la keynote @helene #RencontresExport")
    expect(text).to_have_value("")
    statuses = mastodon_server.client(org).account_statuses(org.id)
    assert [html_to_text(status["content"]) for status in statuses] == [
        "Salle comble pour la keynote @helene #RencontresExport"
    ]

    # A prepared post with one key (Alt+1 while typing).
    page.keyboard.press("Alt+1")
    expect(text).to_have_value("{speaker} ouvre la séance")
    expect(page.locator("#live-preview")).to_contain_text("@helene ouvre la séance #RencontresExport")

    # The wall from the keyboard: leave the text box, go to the first post, star it.
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(page.locator(".wall-item.is-starred")).to_contain_text("Et pour les TPE, quelles aides ?")
    assert WallItem.objects.get(event=event, author_handle__startswith="@lea@").starred
