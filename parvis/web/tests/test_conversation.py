from django.urls import reverse

from parvis.inbox.models import ConversationStatus, Direction, Message
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus
from parvis.networks.protocol import ActionKind

HTMX_PANE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation-pane"}


def test_opening_a_conversation_shows_its_messages_and_its_author(signed_in, camille, receive):
    conversation = receive("Bonjour, le salon est-il accessible en fauteuil ?")

    response = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "le salon est-il accessible en fauteuil" in content
    assert 'id="reply-form"' in content
    assert "https://social.example/@marie@social.example" in content  # link to the author's profile
    assert 'data-max="280"' in content  # the fake network's limit feeds the reply counter


def test_opening_a_conversation_with_htmx_returns_only_the_conversation(signed_in, camille, receive):
    conversation = receive("Une question")

    response = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk]), **HTMX_PANE)

    content = response.content.decode()
    assert "<html" not in content
    assert 'id="conversation-list"' not in content
    assert f'data-conversation-id="{conversation.pk}"' in content


def test_a_conversation_of_another_workspace_is_not_found(signed_in, oscar, receive):
    conversation = receive("Conversation de la CCI")

    response = signed_in(oscar).get(reverse("web:conversation", args=[conversation.pk]))

    assert response.status_code == 404


def test_replying_sends_the_answer_to_the_network_under_the_message(
    signed_in, camille, receive, django_capture_on_commit_callbacks
):
    conversation = receive("Quels sont les horaires ?")
    incoming = conversation.messages.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(camille).post(
            reverse("web:conversation_reply", args=[conversation.pk]), {"text": "De 9 h à 18 h, bienvenue !"}
        )

    assert response.status_code == 302
    action = Action.objects.get(kind=ActionKind.REPLY)
    assert action.status == ActionStatus.DONE
    assert FakeConnector.published[0].in_reply_to_id == incoming.external_id
    assert FakeConnector.published[0].text == "De 9 h à 18 h, bienvenue !"


def test_replying_to_a_chosen_message_answers_that_one(signed_in, camille, receive, django_capture_on_commit_callbacks):
    conversation = receive("Premier message", external_id="first")
    receive("Et une précision", external_id="second", in_reply_to="first")
    first = Message.objects.get(external_id="first")

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(camille).post(
            reverse("web:conversation_reply", args=[conversation.pk]),
            {"text": "Réponse au premier", "in_reply_to": first.pk},
        )

    assert FakeConnector.published[0].in_reply_to_id == "first"


def test_a_sent_reply_shows_its_delivery_with_a_link_to_it(
    signed_in, camille, receive, django_capture_on_commit_callbacks
):
    conversation = receive("Quels sont les horaires ?")
    client = signed_in(camille)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:conversation_reply", args=[conversation.pk]), {"text": "De 9 h à 18 h"})
    action = Action.objects.get(kind=ActionKind.REPLY)

    content = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    assert "De 9 h à 18 h" in content
    assert f'href="{action.external_url}"' in content
    assert "badge-done" in content


def test_a_failed_reply_shows_the_networks_error(signed_in, camille, receive, django_capture_on_commit_callbacks):
    from parvis.networks.errors import PermanentError

    conversation = receive("Quels sont les horaires ?")
    FakeConnector.fail_next = [PermanentError("This status was deleted by its author.")]
    client = signed_in(camille)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:conversation_reply", args=[conversation.pk]), {"text": "De 9 h à 18 h"})

    content = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    assert "badge-failed" in content
    assert "This status was deleted by its author." in content


def test_replying_with_htmx_returns_the_conversation_and_nudges_the_list(signed_in, camille, receive):
    conversation = receive("Quels sont les horaires ?")

    response = signed_in(camille).post(
        reverse("web:conversation_reply", args=[conversation.pk]), {"text": "De 9 h à 18 h"}, **HTMX_PANE
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    assert "De 9 h à 18 h" in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()  # the success message


def test_an_empty_reply_is_refused_without_sending_anything(signed_in, camille, receive):
    conversation = receive("Quels sont les horaires ?")

    response = signed_in(camille).post(reverse("web:conversation_reply", args=[conversation.pk]), {"text": "  "})

    assert response.status_code == 400
    assert "Écrivez votre réponse" in response.content.decode()
    assert not Action.objects.exists()


def test_a_contributor_cannot_reply_and_is_told_why(signed_in, theo, receive):
    conversation = receive("Quels sont les horaires ?")

    response = signed_in(theo).post(
        reverse("web:conversation_reply", args=[conversation.pk]), {"text": "Je tente quand même"}
    )

    assert response.status_code == 403
    assert "ne permet pas de répondre" in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_marking_a_conversation_done(signed_in, camille, receive):
    conversation = receive("Merci !")

    signed_in(camille).post(reverse("web:conversation_status", args=[conversation.pk]), {"status": "done"})

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.DONE


def test_reopening_a_done_conversation(signed_in, camille, receive):
    conversation = receive("Merci !")
    conversation.status = ConversationStatus.DONE
    conversation.save()
    client = signed_in(camille)

    content = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert 'value="new"' in content
    client.post(reverse("web:conversation_status", args=[conversation.pk]), {"status": "new"})

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEW


def test_hostile_html_from_a_network_is_shown_as_text(signed_in, camille, receive):
    conversation = receive('<script>alert(1)</script><img src=x onerror="alert(2)">', name="<b>Mallory</b>")
    client = signed_in(camille)

    for url in (reverse("web:inbox"), reverse("web:conversation", args=[conversation.pk])):
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "<img src=x" not in content
        assert "<b>Mallory</b>" not in content
        assert "&lt;b&gt;Mallory&lt;/b&gt;" in content


def test_links_from_a_network_never_run_script(signed_in, camille, receive):
    conversation = receive("Un lien piégé")
    conversation.messages.update(url="javascript:alert(1)")

    content = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    assert "javascript:alert(1)" not in content


def test_a_reply_on_its_way_keeps_asking_for_its_delivery_status(signed_in, camille, receive):
    conversation = receive("Quels sont les horaires ?")
    client = signed_in(camille)
    client.post(reverse("web:conversation_reply", args=[conversation.pk]), {"text": "De 9 h à 18 h"})  # not committed
    sent = Message.objects.get(direction=Direction.OUT)

    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    partial = client.get(reverse("web:message_delivery", args=[sent.pk]), HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{reverse("web:message_delivery", args=[sent.pk])}"' in page
    assert "Envoi en cours" in partial
    assert "<html" not in partial
