from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from parvis.inbox.models import ConversationStatus
from parvis.networks.protocol import EventKind
from parvis.networks.tests.factories import ConnectedAccountFactory

HTMX_LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation-list"}


def test_the_inbox_lists_conversations_newest_first(signed_in, camille, receive):
    now = timezone.now()
    receive("Première question sur le salon", at=now - timedelta(hours=2))
    receive("Deuxième question, plus récente", author="@paul@social.example", name="Paul", at=now)

    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert content.index("Deuxième question") < content.index("Première question")


def test_each_row_says_who_wrote_on_which_account_and_what_kind(signed_in, camille, receive):
    receive("Merci pour l'invitation au salon des entrepreneurs !", kind=EventKind.DIRECT_MESSAGE)

    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert "Marie" in content
    assert "@marie@social.example" in content
    assert "@cci_lyon" in content
    assert "Message privé" in content
    assert "Nouvelle" in content


def test_the_inbox_hides_done_conversations_by_default(signed_in, camille, receive):
    done = receive("Question réglée")
    done.status = ConversationStatus.DONE
    done.save()
    receive("Question ouverte", author="@paul@social.example")

    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert "Question ouverte" in content
    assert "Question réglée" not in content


def test_the_status_filter_shows_done_conversations(signed_in, camille, receive):
    done = receive("Question réglée")
    done.status = ConversationStatus.DONE
    done.save()
    receive("Question ouverte", author="@paul@social.example")

    content = signed_in(camille).get(reverse("web:inbox"), {"status": "done"}).content.decode()

    assert "Question réglée" in content
    assert "Question ouverte" not in content


def test_the_account_filter_keeps_one_account(signed_in, camille, receive, workspace):
    other = ConnectedAccountFactory(workspace=workspace, handle="@cci_emploi")
    receive("Sur le compte principal")
    receive("Sur le compte emploi", on=other)

    content = signed_in(camille).get(reverse("web:inbox"), {"account": other.pk}).content.decode()

    assert "Sur le compte emploi" in content
    assert "Sur le compte principal" not in content


def test_the_live_refresh_returns_only_the_list_with_its_filters(signed_in, camille, receive, workspace):
    client = signed_in(camille)
    client.get(reverse("web:inbox"))
    receive("Arrivé pendant que la page était ouverte")

    response = client.get(reverse("web:inbox"), {"status": "new"}, **HTMX_LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="conversation-list"' in content
    assert "Arrivé pendant que la page était ouverte" in content
    assert f'hx-get="{reverse("web:inbox")}?status=new"' in content
    # The list itself is refreshed on demand; what polls every 5 s is the tiny "N new" notice, with the filters.
    assert 'hx-trigger="every 5s' in content
    assert f'hx-get="{reverse("web:inbox_live")}?mark=' in content
    assert "&amp;status=new" in content


def test_the_full_page_polls_the_list_and_not_the_conversation(signed_in, camille, receive):
    conversation = receive("Une question")

    content = signed_in(camille).get(reverse("web:conversation", args=[conversation.pk])).content.decode()

    list_start = content.index('id="conversation-list"')
    pane_start = content.index('id="conversation-pane"')
    assert "every 5s" in content[list_start:pane_start]
    assert "every 5s" not in content[pane_start:]


def test_a_colleague_of_another_workspace_sees_none_of_its_conversations(signed_in, oscar, receive):
    receive("Conversation de la CCI")

    content = signed_in(oscar).get(reverse("web:inbox")).content.decode()

    assert "Conversation de la CCI" not in content


def test_an_analyst_can_read_the_inbox(signed_in, nadia, receive):
    receive("Lisible par une analyste")

    response = signed_in(nadia).get(reverse("web:inbox"))

    assert response.status_code == 200
    assert "Lisible par une analyste" in response.content.decode()


def test_a_message_without_a_known_author_shows_in_the_list_and_the_conversation(signed_in, camille, receive):
    conversation = receive("Un message dont l'auteur n'est plus connu")
    conversation.messages.update(author=None)

    client = signed_in(camille)
    listing = client.get(reverse("web:inbox"))
    opened = client.get(reverse("web:conversation", args=[conversation.pk]))

    assert listing.status_code == 200 and "Auteur inconnu" in listing.content.decode()
    assert opened.status_code == 200 and "l&#x27;auteur n&#x27;est plus connu" in opened.content.decode()
