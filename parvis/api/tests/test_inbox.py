"""/inbox/items: listing, reading, answering and triaging conversations."""

from __future__ import annotations

from parvis.api.tests.network import event, receive
from parvis.inbox.models import Conversation, ConversationStatus, Direction, Message
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus
from parvis.networks.protocol import ActionKind, EventKind


def _only_item(response):
    assert response.status_code == 200, response.content
    (item,) = response.json()["items"]
    return item


# --- listing ----------------------------------------------------------------------------------


def test_inbox_lists_a_conversation_with_its_latest_incoming_message(api, camille, account):
    receive(
        account,
        event("s1", "Quand ouvre le salon des entrepreneurs ?", handle="@lea@social.example", minutes_ago=30),
        event("s2", "Et faut-il s'inscrire ?", handle="@lea@social.example", minutes_ago=5, in_reply_to_id="s1"),
    )

    item = _only_item(api.as_(camille).get("/inbox/items"))

    assert item["account"] == {"id": account.pk, "network": "fake", "handle": "@cci_lyon"}
    assert item["kind"] == "mention"
    assert item["status"] == "new"
    assert item["author_handle"] == "@lea@social.example"
    assert item["text"] == "Et faut-il s'inscrire ?"
    assert item["language"] == "fr"
    assert item["url"] == "https://fake.example/s2"
    assert item["message_id"] == Message.objects.get(external_id="s2").pk
    assert item["occurred_at"]


def test_inbox_lists_the_newest_conversation_first(api, camille, account):
    receive(account, event("old", "Bonjour", minutes_ago=60), event("new", "Bonsoir", minutes_ago=1))

    items = api.as_(camille).get("/inbox/items").json()["items"]

    assert [item["text"] for item in items] == ["Bonsoir", "Bonjour"]


def test_inbox_filters_by_status(api, camille, account):
    receive(account, event("s1", "Première question"), event("s2", "Seconde question"))
    Conversation.objects.filter(thread_key="s1").update(status=ConversationStatus.DONE)

    item = _only_item(api.as_(camille).get("/inbox/items", status="done"))

    assert item["text"] == "Première question"


def test_inbox_open_filter_leaves_out_done_conversations(api, camille, account):
    receive(account, event("s1", "Première question"), event("s2", "Seconde question"))
    Conversation.objects.filter(thread_key="s1").update(status=ConversationStatus.DONE)

    item = _only_item(api.as_(camille).get("/inbox/items", status="open"))

    assert item["text"] == "Seconde question"


def test_inbox_filters_by_account(api, camille, account, second_account):
    receive(account, event("s1", "Pour le compte principal"))
    receive(second_account, event("e1", "Pour le compte des événements"))

    item = _only_item(api.as_(camille).get("/inbox/items", account_id=second_account.pk))

    assert item["text"] == "Pour le compte des événements"


def test_inbox_pages_with_limit_and_offset(api, camille, account):
    receive(account, *(event(f"s{n}", f"Question {n}", minutes_ago=10 - n) for n in range(5)))

    page = api.as_(camille).get("/inbox/items", limit=2, offset=2).json()

    assert page["count"] == 5
    assert (page["limit"], page["offset"], page["next_offset"]) == (2, 2, 4)
    assert [item["text"] for item in page["items"]] == ["Question 2", "Question 1"]


def test_inbox_last_page_has_no_next_offset(api, camille, account):
    receive(account, *(event(f"s{n}", f"Question {n}") for n in range(3)))

    page = api.as_(camille).get("/inbox/items", limit=2, offset=2).json()

    assert len(page["items"]) == 1
    assert page["next_offset"] is None


def test_inbox_refuses_a_page_larger_than_100_with_422(api, camille, account):
    response = api.as_(camille).get("/inbox/items", limit=500)

    assert response.status_code == 422
    assert response.json()["problems"] == ["limit: Input should be less than or equal to 100"]


def test_inbox_does_not_list_another_workspaces_conversations(api, oscar, account):
    receive(account, event("s1", "Pour la CCI"))

    page = api.as_(oscar).get("/inbox/items").json()

    assert page["count"] == 0


# --- one item -----------------------------------------------------------------------------------


def test_inbox_item_shows_every_message_of_the_conversation_oldest_first(api, camille, account):
    receive(
        account,
        event("s1", "Bonjour", minutes_ago=30),
        event("s2", "Vous êtes là ?", minutes_ago=20, in_reply_to_id="s1"),
    )
    conversation = Conversation.objects.get()

    response = api.as_(camille).get(f"/inbox/items/{conversation.pk}")

    assert response.status_code == 200
    detail = response.json()
    assert [message["text"] for message in detail["messages"]] == ["Bonjour", "Vous êtes là ?"]
    assert detail["messages"][0]["direction"] == "in"
    assert detail["text"] == "Vous êtes là ?"


def test_inbox_item_of_another_workspace_is_404(api, oscar, account):
    receive(account, event("s1", "Pour la CCI"))
    conversation = Conversation.objects.get()

    response = api.as_(oscar).get(f"/inbox/items/{conversation.pk}")

    assert response.status_code == 404
    assert response.json()["detail"]


# --- replying ----------------------------------------------------------------------------------


def test_reply_creates_an_action_answering_the_latest_message_that_the_network_receives(
    api, camille, account, django_capture_on_commit_callbacks
):
    receive(account, event("s1", "Le salon est-il gratuit ?", handle="@lea@social.example"))
    conversation = Conversation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Oui, entrée libre."})

    assert response.status_code == 202
    action = Action.objects.get()
    assert action.kind == ActionKind.REPLY
    assert action.payload["in_reply_to_id"] == "s1"
    assert action.status == ActionStatus.DONE
    (sent,) = FakeConnector.published
    assert (sent.text, sent.in_reply_to_id, sent.in_reply_to_author) == (
        "Oui, entrée libre.",
        "s1",
        "@lea@social.example",
    )


def test_reply_returns_the_sent_message_and_its_action(api, camille, account):
    receive(account, event("s1", "Le salon est-il gratuit ?"))
    conversation = Conversation.objects.get()

    body = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Oui."}).json()

    action = Action.objects.get()
    assert body["direction"] == "out"
    assert body["text"] == "Oui."
    assert body["in_reply_to_id"] == "s1"
    assert body["sent_by"] == "camille"
    assert body["action"]["id"] == action.pk
    assert body["action"]["status"] == "pending"


def test_reply_answers_the_chosen_message_when_one_is_given(api, camille, account, django_capture_on_commit_callbacks):
    receive(
        account,
        event("s1", "Première question", minutes_ago=30),
        event("s2", "Deuxième question", minutes_ago=10, in_reply_to_id="s1"),
    )
    conversation = Conversation.objects.get()
    first = Message.objects.get(external_id="s1")

    with django_capture_on_commit_callbacks(execute=True):
        api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Réponse", "message_id": first.pk})

    assert [request.in_reply_to_id for request in FakeConnector.published] == ["s1"]


def test_reply_moves_the_conversation_to_waiting(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Une réponse"})

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING


def test_reply_with_a_message_of_another_conversation_is_404(api, camille, account):
    receive(account, event("s1", "Première conversation"), event("t1", "Seconde conversation"))
    first = Conversation.objects.get(thread_key="s1")
    elsewhere = Message.objects.get(external_id="t1")

    response = api.as_(camille).post(f"/inbox/items/{first.pk}/reply", {"text": "Oui", "message_id": elsewhere.pk})

    assert response.status_code == 404
    assert not Action.objects.exists()


def test_an_analyst_cannot_reply(api, nadia, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(nadia).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Je ne devrais pas"})

    assert response.status_code == 403
    assert "reply" in response.json()["detail"]
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_replying_to_another_workspaces_conversation_is_404(api, oscar, account):
    receive(account, event("s1", "Pour la CCI"))
    conversation = Conversation.objects.get()

    response = api.as_(oscar).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Intrus"})

    assert response.status_code == 404
    assert not Action.objects.exists()


def test_an_empty_reply_is_refused_with_422(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "   "})

    assert response.status_code == 422
    assert response.json()["detail"] == "The reply is empty."


def test_a_reply_too_long_for_the_network_is_refused_with_422(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "a" * 281})

    assert response.status_code == 422
    assert "280" in response.json()["detail"]


def test_a_new_follower_cannot_be_answered(api, camille, account):
    receive(account, event("f1", "", kind=EventKind.FOLLOW))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {"text": "Merci !"})

    assert response.status_code == 422


def test_a_reply_without_text_lists_the_missing_field_with_422(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/reply", {})

    assert response.status_code == 422
    assert response.json()["problems"] == ["text: Field required"]


# --- status ------------------------------------------------------------------------------------


def test_status_change_is_saved(api, camille, account):
    receive(account, event("s1", "Merci pour l'info"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/status", {"status": "done"})

    assert response.status_code == 200
    assert response.json()["status"] == "done"
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.DONE


def test_assigning_a_conversation_assigns_it_to_the_caller(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/status", {"status": "assigned"})

    assert response.json()["assignee"] == "camille"


def test_an_unknown_status_is_refused_with_422(api, camille, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(camille).post(f"/inbox/items/{conversation.pk}/status", {"status": "archived"})

    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("status:")


def test_an_analyst_cannot_change_a_status(api, nadia, account):
    receive(account, event("s1", "Une question"))
    conversation = Conversation.objects.get()

    response = api.as_(nadia).post(f"/inbox/items/{conversation.pk}/status", {"status": "done"})

    assert response.status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEW


def test_changing_the_status_of_another_workspaces_conversation_is_404(api, oscar, account):
    receive(account, event("s1", "Pour la CCI"))
    conversation = Conversation.objects.get()

    response = api.as_(oscar).post(f"/inbox/items/{conversation.pk}/status", {"status": "done"})

    assert response.status_code == 404
