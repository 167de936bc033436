"""The whole loop in a real browser: a simulated question reaches the inbox, the answer reaches Mastodon.

Headless Chromium is Debian's package (/usr/bin/chromium), driven by Playwright
through `executable_path`: Playwright never downloads a browser here.
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
from parvis.inbox.models import Message
from parvis.networks.services import account_poll
from parvis.simulator.records import Kind, Label
from parvis.simulator.runner import CommunityRunner
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
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _first_simulated_question(runner: CommunityRunner) -> tuple[str, str]:
    """Play the simulated community until someone asks the organisation a public question."""
    for outcome in runner.iter_play(steps=60):
        record = outcome.record
        if outcome.ok and record.kind == Kind.MENTION and record.label == Label.QUESTION and record.language == "fr":
            return outcome.status_id, record.text
    raise AssertionError("The simulator asked no public question in 60 steps")


def test_a_reply_typed_in_the_inbox_appears_on_mastodon_as_a_reply(
    live_server: object, page: Page, mastodon_server: MastodonMockServer, mastodon_connect: object
) -> None:
    user = get_user_model().objects.create_user("camille", password="camille-parvis-2026")
    workspace = workspace_create(name="CCI de Lyon", owner=user)
    membership = Membership.objects.get(workspace=workspace, user=user)
    membership.role = Role.COMMUNITY_MANAGER
    membership.save()
    account, org = mastodon_connect(membership, username="cci")  # type: ignore[operator]

    runner = CommunityRunner(server_url=mastodon_server.base_url, org_handle=org.username, seed=7, pace=0, personas=8)
    runner.setup()
    question_id, question_text = _first_simulated_question(runner)
    account_poll(account_id=account.pk)
    question = Message.objects.get(account=account, external_id=question_id)
    assert question.text.strip() == question_text.strip()

    base = str(live_server)
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("camille")
    page.locator("input[name=password]").fill("camille-parvis-2026")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_text(question_text[:40]).first.click()
    reply = f"Bonjour, merci pour votre question ! Réponse test {int(time.time())}."
    page.locator("#reply-text").fill(reply)
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text(reply)).to_be_visible()

    sent = Message.objects.get(account=account, direction="out")
    deadline = time.monotonic() + 15
    while sent.action is not None and sent.action.status != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        sent.action.refresh_from_db()
    assert sent.action is not None
    assert sent.action.status == "done", sent.action.last_error

    # On the network: the question's thread now holds our answer, in reply to that very status.
    context = mastodon_server.client(org).status_context(question_id)
    answers = [status for status in context["descendants"] if str(status["in_reply_to_id"]) == question_id]
    assert len(answers) == 1
    assert reply.split(" Réponse")[0][:20] in answers[0]["content"]
    assert str(answers[0]["id"]) == sent.action.external_id
