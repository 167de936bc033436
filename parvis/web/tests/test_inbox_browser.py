"""The inbox driven from the keyboard in a real browser: move, select, bulk done, assign, label, reply
with a saved reply.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright through
`executable_path`: Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from parvis.community.tests.factories import IdentityFactory
from parvis.core.services import workspace_create
from parvis.inbox.models import Conversation, Direction, Message
from parvis.inbox.tests.factories import MessageFactory
from parvis.inbox.work import saved_reply_create
from parvis.networks.tests.factories import ConnectedAccountFactory

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
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        expect.set_options(timeout=20_000)  # a loaded test machine answers slowly
        yield context.new_page()
        context.close()
        browser.close()


def expect_focused(page: Page, conversation_id: int) -> None:
    """The row of this conversation has the keyboard focus (waits for it: the page answers asynchronously)."""
    expect(page.locator(f"#conversation-{conversation_id}")).to_be_focused()


def test_the_inbox_is_worked_from_the_keyboard(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026", first_name="Camille")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    now = timezone.now()
    texts = ["Question sur le parking", "Question sur les horaires", "Question sur le salon"]
    conversations = []
    for age, (text, name) in enumerate(zip(texts, ["Paul Martin", "Léa Petit", "Marie Curie"], strict=True)):
        author = IdentityFactory(member__workspace=workspace, display_name=name)
        message = MessageFactory(
            conversation__account=account,
            conversation__preview=text,
            conversation__last_message_at=now - timedelta(minutes=age),
            occurred_at=now - timedelta(minutes=age),
            author=author,
            text=text,
        )
        conversations.append(message.conversation)
    newest, middle, oldest = conversations
    owner = workspace.memberships.get()
    saved_reply_create(membership=owner, title="Horaires", body="Bonjour {first_name}, nous ouvrons à 9 h. {agent}")

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#conversation-list .row-link")).to_have_count(3)
    page.wait_for_load_state("load")  # the deferred scripts (keyboard shortcuts) have run

    # j / k move in the list.
    page.keyboard.press("j")
    expect_focused(page, newest.pk)
    page.keyboard.press("j")
    expect_focused(page, middle.pk)
    page.keyboard.press("k")
    expect_focused(page, newest.pk)

    # x selects two rows; e then closes both at once from the bulk bar.
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-form")).to_have_class("bulk-bar is-active")
    expect(page.locator("[data-bulk-count]")).to_contain_text("2")
    page.keyboard.press("e")
    expect(page.locator("#conversation-list .row-link")).to_have_count(1)
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert (statuses[newest.pk], statuses[middle.pk], statuses[oldest.pk]) == ("done", "done", "new")
    expect(page.locator("#bulk-form")).not_to_have_class("bulk-bar is-active")

    # Open the last one; a assigns it to me, l labels it.
    page.locator("body").focus()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-pane article.conversation")).to_have_attribute(
        "data-conversation-id", str(oldest.pk)
    )
    page.keyboard.press("a")
    expect(page.locator("#conversation-pane [data-shortcut=assign]")).to_have_count(0)
    assert Conversation.objects.get(pk=oldest.pk).assignee_id == user.pk
    page.keyboard.press("l")
    page.keyboard.type("Presse")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-pane .label-list")).to_contain_text("Presse")
    assert list(Conversation.objects.get(pk=oldest.pk).labels.values_list("name", flat=True)) == ["Presse"]

    # Esc leaves the label field; r goes to the reply; ; picks a saved reply, filled in for Marie; send it.
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
    page.keyboard.press("Escape")
    page.keyboard.press(";")
    assert page.evaluate("document.activeElement.id") == "saved-reply-picker"
    page.locator("[data-saved-reply-picker] button[type=submit]").click()
    expect(page.locator("#reply-text")).to_have_value("Bonjour Marie, nous ouvrons à 9 h. Camille")
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator("#conversation-pane .msg-out")).to_contain_text("nous ouvrons à 9 h")
    sent = Message.objects.get(direction=Direction.OUT)
    assert sent.text == "Bonjour Marie, nous ouvrons à 9 h. Camille"
    assert sent.conversation_id == oldest.pk


def _retry_locked(create: Callable[[], Any]) -> Any:
    """The live server reads the same in-memory SQLite database; a write may find a table locked for an instant."""
    for _ in range(50):
        try:
            return create()
        except OperationalError:
            time.sleep(0.1)
    return create()


def test_new_items_appear_live_without_losing_the_selection(live_server: object, page: Page) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    account = ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon")
    now = timezone.now()
    first, second = (
        MessageFactory(
            conversation__account=account,
            conversation__preview=text,
            conversation__last_message_at=now - timedelta(minutes=age + 1),
            text=text,
        ).conversation
        for age, text in enumerate(["Première question", "Deuxième question"])
    )

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()
    rows = page.locator("#conversation-list .row-link")
    expect(rows).to_have_count(2)
    page.wait_for_load_state("load")  # the deferred scripts (keyboard shortcuts) have run
    page.keyboard.press("j")
    page.keyboard.press("x")

    _retry_locked(
        lambda: MessageFactory(
            conversation__account=account, conversation__preview="Arrivée en direct", text="Arrivée en direct"
        )
    )

    # Rows are selected: the list stays as it is and says something new is there.
    expect(page.locator("[data-live-show]")).to_be_visible(timeout=30_000)
    expect(rows).to_have_count(2)
    expect(page.locator(f"[data-row-check][value='{first.pk}']")).to_be_checked()

    # Nothing selected any more: the next poll brings the new row in, and the keyboard stays on its row.
    page.keyboard.press("x")
    expect(rows).to_have_count(3, timeout=30_000)
    expect(rows.first).to_contain_text("Arrivée en direct")
    expect_focused(page, first.pk)
    assert second.pk
