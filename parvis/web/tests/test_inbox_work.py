"""Working the inbox through its pages: filters, pages, live notice, bulk actions, assignment,
labels, notes, saved replies, saved views, the author's history."""

from __future__ import annotations

from django.urls import reverse

from parvis.community.tests.factories import IdentityFactory
from parvis.inbox.models import AssignmentRule, Conversation, ConversationStatus, Note, SavedReply, SavedView
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.inbox.work import label_create, note_add, saved_reply_create
from parvis.networks.models import Action
from parvis.networks.tests.factories import ConnectedAccountFactory

HTMX_LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation-list"}
HTMX_PANE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation-pane"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def received(account, text="Bonjour, une question ?", **fields):
    return MessageFactory(conversation__account=account, conversation__preview=text[:280], text=text, **fields)


def test_the_list_filters_on_the_class_of_messages(signed_in, camille, account):
    received(account, "Quand ouvre le salon ?", category="question")
    received(account, "Super soirée, merci", category="praise")

    content = signed_in(camille).get(reverse("web:inbox"), {"category": "question"}).content.decode()

    assert "Quand ouvre le salon" in content
    assert "Super soirée" not in content


def test_the_search_looks_in_the_messages(signed_in, camille, account):
    received(account, "Le parking est-il gratuit ?")
    received(account, "Merci pour tout")

    content = signed_in(camille).get(reverse("web:inbox"), {"q": "parking"}, **HTMX_LIST).content.decode()

    assert "Le parking" in content
    assert "Merci pour tout" not in content
    assert "<html" not in content


def test_each_row_can_be_selected_for_bulk_actions(signed_in, camille, account):
    message = received(account)

    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert f'name="ids" value="{message.conversation_id}" form="bulk-form"' in content
    assert 'id="bulk-form"' in content
    assert 'data-shortcut="done"' in content


def test_an_analyst_gets_no_bulk_bar(signed_in, nadia, account):
    received(account)

    content = signed_in(nadia).get(reverse("web:inbox")).content.decode()

    assert 'id="bulk-form"' not in content
    assert "data-row-check" not in content


def test_show_more_returns_the_next_rows_only(signed_in, camille, account, monkeypatch):
    monkeypatch.setattr("parvis.inbox.selectors.PAGE_SIZE", 2)
    for number in range(3):
        received(account, f"Question numéro {number}")
    client = signed_in(camille)
    first = client.get(reverse("web:inbox")).content.decode()
    cursor = first.split("after=")[1].split('"')[0]

    more = client.get(reverse("web:inbox"), {"after": cursor}, **HTMX_LIST).content.decode()

    assert "Question numéro 0" in more
    assert "Question numéro 2" not in more
    assert 'id="conversation-list"' not in more


def test_the_live_notice_counts_what_arrived_since_the_page_was_shown(signed_in, camille, account):
    received(account, "Déjà là")
    client = signed_in(camille)
    page = client.get(reverse("web:inbox")).content.decode()
    mark = page.split("mark=")[1].split('"')[0].split("&")[0]
    quiet = client.get(reverse("web:inbox_live"), {"mark": mark}, HTTP_HX_REQUEST="true").content.decode()
    assert "data-live-show" not in quiet

    received(account, "Nouveau 1")
    received(account, "Nouveau 2")
    news = client.get(reverse("web:inbox_live"), {"mark": mark}, HTTP_HX_REQUEST="true").content.decode()

    assert 'data-live-count="2"' in news
    assert "data-live-show" in news
    assert "<html" not in news


def test_bulk_done_with_htmx_closes_them_and_returns_the_list(signed_in, camille, account):
    first, second, third = (received(account, f"Question {n}").conversation for n in range(3))

    response = signed_in(camille).post(
        reverse("web:inbox_bulk"), {"ids": [first.pk, second.pk], "action": "done"}, **HTMX_LIST
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="conversation-list"' in content
    assert "Question 2" in content
    assert "Question 0" not in content
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == ("done", "done", "new")


def test_bulk_with_a_conversation_of_another_workspace_changes_nothing(signed_in, camille, oscar, account):
    mine = received(account).conversation
    theirs = ConversationFactory(account=ConnectedAccountFactory(workspace=oscar.workspace))

    response = signed_in(camille).post(reverse("web:inbox_bulk"), {"ids": [mine.pk, theirs.pk], "action": "done"})

    assert response.status_code == 302
    assert not Conversation.objects.filter(status="done").exists()


def test_bulk_by_an_analyst_is_refused(signed_in, nadia, account):
    conversation = received(account).conversation

    signed_in(nadia).post(reverse("web:inbox_bulk"), {"ids": [conversation.pk], "action": "done"})

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEW


def test_bulk_label_creates_the_label_by_name(signed_in, camille, account):
    conversations = [received(account, f"Q{n}").conversation for n in range(2)]

    signed_in(camille).post(
        reverse("web:inbox_bulk"), {"ids": [c.pk for c in conversations], "action": "label", "label": "Presse"}
    )

    assert all(c.labels.filter(name="Presse").exists() for c in conversations)


def test_assign_to_me_from_the_conversation(signed_in, camille, account):
    conversation = received(account).conversation

    response = signed_in(camille).post(
        reverse("web:inbox_assign", args=[conversation.pk]), {"assignee": "me"}, **HTMX_PANE
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.status) == (camille.user_id, "assigned")


def test_assigning_to_a_stranger_is_refused(signed_in, camille, oscar, account):
    conversation = received(account).conversation

    signed_in(camille).post(reverse("web:inbox_assign", args=[conversation.pk]), {"assignee": str(oscar.user_id)})

    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_the_conversation_lists_the_team_to_assign_to(signed_in, camille, alice, account):
    conversation = received(account).conversation

    content = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    assert f'<option value="{alice.user_id}"' in content
    assert 'data-shortcut="assign"' in content


def test_a_label_is_added_by_name_and_removed(signed_in, camille, account):
    conversation = received(account).conversation
    client = signed_in(camille)

    client.post(reverse("web:inbox_labels", args=[conversation.pk]), {"name": "Salon 2026"}, **HTMX_PANE)
    label = conversation.labels.get()
    assert label.name == "Salon 2026"
    pane = client.get(reverse("web:conversation", args=[conversation.pk]), **HTMX_PANE).content.decode()
    assert "Salon 2026" in pane

    client.post(reverse("web:inbox_labels", args=[conversation.pk]), {"remove": label.pk}, **HTMX_PANE)
    assert not conversation.labels.exists()


def test_a_note_is_shown_to_the_team_as_text_and_never_sent(signed_in, camille, account):
    conversation = received(account).conversation

    response = signed_in(camille).post(
        reverse("web:inbox_note", args=[conversation.pk]), {"text": f"Attention {HOSTILE}"}, **HTMX_PANE
    )

    content = response.content.decode()
    assert Note.objects.get().text.startswith("Attention <script>")
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert not Action.objects.exists()


def test_hostile_html_in_messages_is_text_in_the_list_the_thread_and_the_history(signed_in, camille, account):
    conversation = received(account, f"Regardez {HOSTILE}").conversation
    client = signed_in(camille)

    for url in (reverse("web:inbox"), reverse("web:conversation", args=[conversation.pk])):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;" in content


def test_the_author_panel_shows_the_person_on_other_networks(signed_in, camille, account, workspace):
    on_fake = IdentityFactory(member__workspace=workspace, handle="@marie@fake.example")
    IdentityFactory(member=on_fake.member, network="bluesky", handle="marie.bsky.social")
    other_account = ConnectedAccountFactory(workspace=workspace, handle="@cci_emploi")
    received(other_account, "Une ancienne question sur l'emploi", author=on_fake)
    conversation = received(account, "Nouvelle question", author=on_fake).conversation

    content = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    assert "marie.bsky.social" in content
    assert "Une ancienne question sur l&#x27;emploi" in content


def test_a_saved_reply_is_rendered_for_the_message_answered(signed_in, camille, account):
    message = received(account, author=IdentityFactory(member__workspace=account.workspace, display_name="Marie Curie"))
    reply = saved_reply_create(membership=camille, title="Accueil", body="Bonjour {first_name}, {commande} !")

    data = (
        signed_in(camille).get(reverse("web:inbox_saved_reply_render", args=[reply.pk]), {"message": message.pk}).json()
    )

    assert data["text"] == "Bonjour Marie, {commande} !"
    assert data["unknown"] == ["commande"]
    assert "{commande}" in data["warning"]


def test_without_javascript_a_saved_reply_fills_the_reply_box(signed_in, camille, account):
    message = received(account, author=IdentityFactory(member__workspace=account.workspace, display_name="Marie Curie"))
    reply = saved_reply_create(membership=camille, title="Accueil", body="Bonjour {name} <b>!</b>")

    content = (
        signed_in(camille)
        .get(reverse("web:conversation", args=[message.conversation_id]), {"saved_reply": reply.pk})
        .content.decode()
    )

    assert "Bonjour Marie Curie &lt;b&gt;!&lt;/b&gt;</textarea>" in content


def test_a_saved_reply_of_another_workspace_is_not_found(signed_in, oscar, camille, account):
    reply = saved_reply_create(membership=camille, title="Accueil", body="Bonjour")

    response = signed_in(oscar).get(reverse("web:inbox_saved_reply_render", args=[reply.pk]))

    assert response.status_code == 404


def test_saving_the_current_filters_as_a_view(signed_in, camille):
    client = signed_in(camille)

    response = client.post(
        reverse("web:inbox_view_create"), {"name": "Questions", "query": "category=question", "shared": "on"}
    )

    view = SavedView.objects.get()
    assert (view.name, view.query, view.owner_id) == ("Questions", "category=question", None)
    assert response["Location"].endswith("?category=question")
    content = client.get(reverse("web:inbox")).content.decode()
    assert 'href="/?category=question"' in content

    client.post(reverse("web:inbox_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_the_setup_page_adds_saved_replies_and_rules(signed_in, camille, alice):
    client = signed_in(camille)

    client.post(
        reverse("web:inbox_saved_reply_create"), {"title": "Merci", "body": "Merci {name} !", "shortcut": "merci"}
    )
    client.post(
        reverse("web:inbox_rule_create"), {"name": "Questions", "category": "question", "assignee": alice.user_id}
    )

    assert SavedReply.objects.get().shortcut == "merci"
    rule = AssignmentRule.objects.get()
    assert (rule.category, rule.assignee_id) == ("question", alice.user_id)
    content = client.get(reverse("web:inbox_setup")).content.decode()
    assert "Merci {name} !" in content


def test_a_rule_without_anyone_to_assign_is_refused_with_the_form_again(signed_in, camille):
    response = signed_in(camille).post(reverse("web:inbox_rule_create"), {"name": "Vide"})

    assert response.status_code == 400
    assert not AssignmentRule.objects.exists()


def test_the_help_lists_the_shortcuts_of_every_area(signed_in, camille):
    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    for key in ("j", "k", "x", "r", ";", "e", "a", "l", "n", "c", "g", "h", "/", "?"):
        assert f"<kbd>{key}</kbd>" in content


def test_the_page_loads_the_scripts_of_the_other_areas(signed_in, camille):
    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    for script in ("inbox.js", "triage.js", "grouping.js", "moderation.js", "sla.js"):
        assert f"web/{script}" in content


def test_notes_of_the_conversation_are_listed_in_the_pane(signed_in, camille, account):
    conversation = received(account).conversation
    note_add(membership=camille, conversation=conversation, text="Rappeler lundi")
    label_create(membership=camille, name="VIP")

    content = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk]), **HTMX_PANE).content.decode()

    assert "Rappeler lundi" in content
    assert '<option value="VIP">' in content
