"""The grouping pages: similar questions, one group with its live preview and corrections, the FAQ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import Membership
from parvis.inbox.grouping import faq_suggestions_refresh, group_list, messages_group
from parvis.inbox.models import (
    FaqEntry,
    FaqSuggestion,
    FaqSuggestionStatus,
    GroupStatus,
    Message,
    MessageGroup,
)
from parvis.inbox.tests.factories import MessageFactory
from parvis.networks.models import Action, ConnectedAccount

SignIn = Callable[[Membership], Client]
QUESTION = "@org Le salon est-il accessible en fauteuil roulant ?"
MARIE = "Marie <script>alert(1)</script>"  # what people write is shown as text, never run


@pytest.fixture
def signed_in(client: Client) -> SignIn:
    def sign_in(membership: Membership) -> Client:
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def group(account: ConnectedAccount) -> MessageGroup:
    now = timezone.now()
    messages = [
        MessageFactory(
            conversation__account=account,
            text=text,
            author=IdentityFactory(member__workspace=account.workspace, handle=handle, display_name=name),
            occurred_at=now - timedelta(minutes=5 - index),
        )
        for index, (text, handle, name) in enumerate(
            [
                (QUESTION, "@marie@social.example", MARIE),
                ("@org Est-ce que le salon est accessible en fauteuil ?", "@paul@social.example", ""),
            ]
        )
    ]
    messages_group(workspace=account.workspace, messages=messages)
    [shown] = group_list(account.workspace)
    return shown


def test_the_groups_page_lists_open_groups_with_their_texts_escaped(
    signed_in: SignIn, camille: Membership, group: MessageGroup
) -> None:
    content = signed_in(camille).get(reverse("web:groups")).content.decode()

    assert reverse("web:group", args=[group.pk]) in content
    assert "Le salon est-il accessible en fauteuil roulant ?" in content
    assert ">2<" in content  # the size


def test_the_group_page_shows_every_message_and_the_answer_form(
    signed_in: SignIn, camille: Membership, group: MessageGroup
) -> None:
    content = signed_in(camille).get(reverse("web:group", args=[group.pk])).content.decode()

    assert "Marie" in content and "@paul@social.example" in content
    assert "&lt;script&gt;" in content and "<script>alert" not in content
    assert 'name="mode"' in content and "{parent_url}" in content
    assert reverse("web:group_preview", args=[group.pk]) in content


def test_the_live_preview_shows_what_each_person_receives(
    signed_in: SignIn, camille: Membership, group: MessageGroup
) -> None:
    response = signed_in(camille).post(
        reverse("web:group_preview", args=[group.pk]),
        {"mode": "each", "text": "Bonjour {name}, oui <b>entrée B</b>.", "pointer_text": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="answer-preview",
    )

    content = response.content.decode()
    assert 'id="answer-preview"' in content and "<html" not in content
    assert "Bonjour Marie &lt;script&gt;alert(1)&lt;/script&gt;, oui &lt;b&gt;entrée B&lt;/b&gt;." in content
    assert "<script>alert" not in content
    assert "Bonjour @paul@social.example, oui" in content
    assert not Action.objects.exists()


def test_the_preview_in_point_mode_marks_the_pointers(
    signed_in: SignIn, camille: Membership, group: MessageGroup
) -> None:
    first = group.messages.order_by("occurred_at").first()
    assert first is not None
    content = (
        signed_in(camille)
        .post(
            reverse("web:group_preview", args=[group.pk]),
            {"mode": "point", "text": "Oui.", "pointer_text": "{name} : voir {parent_url}", "first": first.pk},
        )
        .content.decode()
    )
    assert "@paul@social.example : voir {parent_url}" in content
    assert "renvoie vers la réponse complète" in content


def test_answering_from_the_page_sends_to_everyone(signed_in: SignIn, camille: Membership, group: MessageGroup) -> None:
    response = signed_in(camille).post(
        reverse("web:group_answer", args=[group.pk]), {"mode": "each", "text": "Oui {name}, entrée B."}
    )

    assert response.status_code == 302
    assert Action.objects.count() == 2
    group.refresh_from_db()
    assert group.status == GroupStatus.ANSWERED


def test_point_mode_without_the_parent_url_is_refused_by_the_form(
    signed_in: SignIn, camille: Membership, group: MessageGroup
) -> None:
    response = signed_in(camille).post(
        reverse("web:group_answer", args=[group.pk]),
        {"mode": "point", "text": "Oui.", "pointer_text": "Voir plus haut"},
    )

    assert response.status_code == 400
    assert not Action.objects.exists()


def test_an_analyst_cannot_answer_from_the_page(signed_in: SignIn, nadia: Membership, group: MessageGroup) -> None:
    response = signed_in(nadia).post(reverse("web:group_answer", args=[group.pk]), {"mode": "each", "text": "Oui."})

    assert response.status_code == 403
    assert not Action.objects.exists()


def test_another_workspace_gets_a_404(signed_in: SignIn, oscar: Membership, group: MessageGroup) -> None:
    assert signed_in(oscar).get(reverse("web:group", args=[group.pk])).status_code == 404


def test_removing_a_message_from_the_page(signed_in: SignIn, camille: Membership, group: MessageGroup) -> None:
    paul = group.messages.order_by("occurred_at").last()
    assert paul is not None

    response = signed_in(camille).post(
        reverse("web:group_edit", args=[group.pk]), {"operation": "remove", "messages": [paul.pk]}
    )

    assert response.status_code == 302 and response["Location"] == reverse("web:groups")  # one left: not shown
    paul.refresh_from_db()
    assert paul.group_id is None


# --- the inbox partial -----------------------------------------------------------------------------


def test_the_inbox_partial_links_to_the_group_without_a_query(
    group: MessageGroup, camille: Membership, django_assert_num_queries: Callable[..., object]
) -> None:
    messages = list(Message.objects.filter(group=group).select_related("group"))
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):  # type: ignore[operator]
        html = "".join(render_to_string("web/inbox/_group.html", {"msg": m}, request=request) for m in messages)

    assert html.count('data-shortcut="group"') == 2
    assert "2 similar — answer all at once" in html
    assert reverse("web:group", args=[group.pk]) in html


def test_the_inbox_partial_costs_one_query_per_page_without_the_group_loaded(
    group: MessageGroup, django_assert_num_queries: Callable[..., object]
) -> None:
    messages = list(Message.objects.filter(group=group))
    request = RequestFactory().get("/")

    with django_assert_num_queries(1):  # type: ignore[operator]
        html = "".join(render_to_string("web/inbox/_group.html", {"msg": m}, request=request) for m in messages)

    assert html.count('data-shortcut="group"') == 2


def test_the_inbox_partial_says_nothing_for_a_message_alone(account: ConnectedAccount) -> None:
    alone = MessageFactory(conversation__account=account, text="Une question seule ?")
    messages_group(workspace=account.workspace, messages=[alone])
    alone.refresh_from_db()

    html = render_to_string("web/inbox/_group.html", {"msg": alone}, request=RequestFactory().get("/"))

    assert alone.group_id is not None and "similar" not in html


# --- FAQ -------------------------------------------------------------------------------------------


@pytest.fixture
def recurring(account: ConnectedAccount) -> MessageGroup:
    """Six people over three weeks ask how to register."""
    now = timezone.now()
    messages = [
        MessageFactory(
            conversation__account=account,
            text=f"@org Comment s'inscrire au salon des entreprises ?{' ' * index}",
            occurred_at=now - timedelta(days=21 - 4 * index),
        )
        for index in range(6)
    ]
    messages_group(workspace=account.workspace, messages=messages)
    return MessageGroup.objects.get(size=6)


def test_a_question_asked_again_and_again_over_weeks_is_suggested(recurring: MessageGroup) -> None:
    [suggestion] = faq_suggestions_refresh(workspace=recurring.workspace)

    assert suggestion.reason == "recurring" and suggestion.message_count == 6
    assert list(suggestion.groups.all()) == [recurring]
    assert faq_suggestions_refresh(workspace=recurring.workspace) == []  # once only


def test_groups_answered_the_same_way_are_suggested(camille: Membership, account: ConnectedAccount) -> None:
    for index, text in enumerate(["@org Où se garer pour le salon ?", "@org Le wifi est-il gratuit au salon ?"]):
        MessageGroup.objects.create(
            workspace=account.workspace,
            representative_text=text,
            size=2 + index,
            status=GroupStatus.ANSWERED,
            answer_text=f"Tout est sur la page pratique du salon : https://cci.example/salon{'' if index else ' !'}",
            answered_at=timezone.now(),
        )
    [suggestion] = faq_suggestions_refresh(workspace=account.workspace)

    assert suggestion.reason == "similar-answers"
    assert suggestion.groups.count() == 2 and suggestion.message_count == 5
    assert suggestion.question == "@org Le wifi est-il gratuit au salon ?"


def test_accepting_a_suggestion_from_the_page_makes_an_faq_entry(
    signed_in: SignIn, camille: Membership, recurring: MessageGroup
) -> None:
    [suggestion] = faq_suggestions_refresh(workspace=recurring.workspace)
    client = signed_in(camille)
    assert "Comment s&#x27;inscrire" in client.get(reverse("web:faq")).content.decode()

    client.post(
        reverse("web:faq_accept", args=[suggestion.pk]),
        {f"s{suggestion.pk}-question": "Comment s'inscrire ?", f"s{suggestion.pk}-answer": "Sur cci.example/salon."},
    )

    entry = FaqEntry.objects.get()
    assert (entry.question, entry.answer, entry.created_by) == (
        "Comment s'inscrire ?",
        "Sur cci.example/salon.",
        camille.user,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == FaqSuggestionStatus.ACCEPTED
    assert "Sur cci.example/salon." in client.get(reverse("web:faq")).content.decode()


def test_dismissing_a_suggestion(signed_in: SignIn, camille: Membership, recurring: MessageGroup) -> None:
    [suggestion] = faq_suggestions_refresh(workspace=recurring.workspace)

    signed_in(camille).post(reverse("web:faq_dismiss", args=[suggestion.pk]))

    suggestion.refresh_from_db()
    assert suggestion.status == FaqSuggestionStatus.DISMISSED
    assert not FaqEntry.objects.exists()
    assert not FaqSuggestion.objects.filter(status=FaqSuggestionStatus.PENDING).exists()
