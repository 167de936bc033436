"""The correction control of the inbox and the triage page, through Django's test client."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from parvis.inbox.models import LabelCorrection, WorkspaceClassModel
from parvis.inbox.tests.factories import MessageFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "triage-1"}


def _client(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_correcting_with_htmx_returns_the_badges_again(camille, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other", category_score=0.4)

    response = _client(camille).post(reverse("web:triage_correct", args=[message.pk]), {"category": "question"}, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="triage-{message.pk}"' in content
    assert 'value="question" class="button button-small is-current"' in content
    assert response["HX-Trigger"] == "inbox-changed"
    message.refresh_from_db()
    assert (message.category, message.category_source) == ("question", "person")


def test_correcting_without_javascript_goes_back_to_the_conversation(camille, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    response = _client(camille).post(reverse("web:triage_correct", args=[message.pk]), {"sentiment": "negative"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/conversations/{message.conversation_id}/#message-{message.pk}")
    message.refresh_from_db()
    assert message.sentiment == "negative"


def test_an_analyst_is_told_and_nothing_changes(nadia, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    response = _client(nadia).post(reverse("web:triage_correct", args=[message.pk]), {"category": "question"}, **HTMX)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not LabelCorrection.objects.exists()


def test_a_message_of_another_workspace_is_not_found(oscar, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    response = _client(oscar).post(reverse("web:triage_correct", args=[message.pk]), {"category": "question"})

    assert response.status_code == 404


def test_a_bad_choice_is_refused_inside_the_partial(camille, message_on_side):
    message = message_on_side("Où se garer ?", held_out=False, category="other")

    response = _client(camille).post(reverse("web:triage_correct", args=[message.pk]), {"category": "<b>x</b>"}, **HTMX)

    assert 'role="alert"' in response.content.decode()
    assert not LabelCorrection.objects.exists()


def test_the_partial_runs_no_query_and_escapes_what_comes_from_the_network(camille, account, django_assert_num_queries):
    message = MessageFactory(
        conversation__account=account,
        text="<script>alert(1)</script>",
        category="insult-or-hate",
        category_score=0.8,
        sentiment="negative",
        sentiment_score=-0.7,
        priority=72,
        signals={"profanity": ["<img src=x onerror=alert(1)>"]},
    )

    with django_assert_num_queries(0):
        html = render_to_string("web/inbox/_triage.html", {"msg": message, "can": {"reply": True}})
        compact = render_to_string("web/inbox/_triage.html", {"msg": message, "compact": True, "can": {"reply": True}})
        row = render_to_string(
            "web/inbox/_triage.html",
            {"msg": message, "item": SimpleNamespace(latest_incoming=message), "can": {"reply": True}},
        )

    assert "Priority 72" in html
    assert "Inbox partial" not in html  # the template's own comment is not shown
    assert 'data-shortcut="correct"' in html
    assert 'data-triage-key="7"' in html
    assert "<img" not in html
    assert "&lt;img" in html
    assert f'id="triage-{message.pk}"' in html
    for badges_only in (compact, row):  # list rows: badges only, and the thread keeps the unique id
        assert "<form" not in badges_only
        assert f'id="triage-{message.pk}"' not in badges_only
    assert "Insult or hate" in compact


def test_the_triage_page_shows_the_accuracy_history_and_the_latest_corrections(
    camille, message_on_side, settings, django_capture_on_commit_callbacks
):
    settings.TRIAGE_RETRAIN_EVERY = 1000
    client = _client(camille)
    message = message_on_side(
        "<script>alert('x')</script> atelier gratuit jeudi", held_out=False, category="spam-or-advertising"
    )
    client.post(reverse("web:triage_correct", args=[message.pk]), {"category": "other"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:triage_retrain"), **{"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "training-status"}
        )

    assert response.status_code == 200
    training = WorkspaceClassModel.objects.get()
    poll = client.get(reverse("web:triage_training", args=[training.pk]), HTTP_HX_REQUEST="true")
    assert "La version 1 est entraînée" in poll.content.decode()
    assert "hx-trigger" not in poll.content.decode()  # done: the polling stops
    assert poll["HX-Trigger"] == "triage-trained"

    page = client.get(reverse("web:triage"), HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="triage-chart-data"' in content
    assert "vendor/chartjs/chart.umd.min.js" in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "<script>alert" not in content
    assert "Spam or advertising → <strong>Other</strong>" in content


def test_a_queued_training_is_polled_until_it_is_done(camille, message_on_side, settings):
    settings.TRIAGE_RETRAIN_EVERY = 1000
    client = _client(camille)
    message = message_on_side("Atelier jeudi", held_out=False, category="spam-or-advertising")
    client.post(reverse("web:triage_correct", args=[message.pk]), {"category": "other"})

    response = client.post(
        reverse("web:triage_retrain"), **{"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "training-status"}
    )

    training = WorkspaceClassModel.objects.get()
    content = response.content.decode()
    assert training.status == "queued"  # no commit in this test: the task did not run
    assert f'hx-get="{reverse("web:triage_training", args=[training.pk])}"' in content
    assert 'hx-trigger="every 2s"' in content


def test_an_analyst_sees_the_page_without_the_retrain_button(nadia):
    response = _client(nadia).get(reverse("web:triage"))

    assert response.status_code == 200
    assert reverse("web:triage_retrain") not in response.content.decode()
