from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox.models import SavedReply
from parvis.inbox.selectors import saved_reply_list
from parvis.inbox.tests.factories import MessageFactory
from parvis.inbox.work import (
    WorkError,
    reply_variables,
    saved_reply_create,
    saved_reply_delete,
    saved_reply_render,
    saved_reply_update,
)
from parvis.networks.models import ConnectedAccount
from parvis.networks.registry import display_name


def test_variables_are_filled_for_the_message_answered(camille: Membership, account: ConnectedAccount) -> None:
    camille.user.first_name = "Camille"
    camille.user.save()
    message = MessageFactory(
        conversation__account=account, author__display_name="Marie Curie", author__handle="@marie@social.example"
    )
    body = "Bonjour {first_name} ({name}, {handle}), ici {account} sur {network}. {agent}"

    rendered = saved_reply_render(body=body, values=reply_variables(message=message, agent=camille.user))

    network = display_name(account.network)
    assert rendered.text == (
        f"Bonjour Marie (Marie Curie, @marie@social.example), ici {account.handle} sur {network}. Camille"
    )
    assert rendered.unknown == []


def test_unknown_variables_stay_visible_and_are_flagged(camille: Membership, account: ConnectedAccount) -> None:
    message = MessageFactory(conversation__account=account)

    rendered = saved_reply_render(
        body="Bonjour {name}, votre {commande} arrive {commande}.",
        values=reply_variables(message=message, agent=camille.user),
    )

    assert "{commande}" in rendered.text
    assert rendered.unknown == ["commande"]


def test_a_variable_without_value_stays_visible_and_is_flagged() -> None:
    rendered = saved_reply_render(body="Bonjour {first_name} !", values=reply_variables(message=None, agent=None))

    assert rendered.text == "Bonjour {first_name} !"
    assert rendered.missing == ["first_name"]


def test_saved_replies_are_created_updated_and_deleted(camille: Membership) -> None:
    reply = saved_reply_create(
        membership=camille, title="Horaires", body="Ouvert de 9 h à 18 h, {name}.", shortcut="Horaires!", language="FR"
    )
    assert (reply.shortcut, reply.language) == ("horaires", "fr")

    saved_reply_update(membership=camille, reply=reply, title="Horaires", body="Ouvert de 8 h.", shortcut="h")
    reply.refresh_from_db()
    assert reply.body == "Ouvert de 8 h."

    saved_reply_delete(membership=camille, reply=reply)
    assert not SavedReply.objects.exists()


def test_two_saved_replies_cannot_share_a_shortcut(camille: Membership) -> None:
    saved_reply_create(membership=camille, title="A", body="a", shortcut="merci")

    with pytest.raises(WorkError):
        saved_reply_create(membership=camille, title="B", body="b", shortcut="merci")


def test_a_saved_reply_needs_a_title_and_a_text(camille: Membership) -> None:
    with pytest.raises(WorkError):
        saved_reply_create(membership=camille, title=" ", body="x")


def test_an_analyst_cannot_write_saved_replies(nadia: Membership) -> None:
    with pytest.raises(PermissionDenied):
        saved_reply_create(membership=nadia, title="A", body="a")


def test_another_workspace_cannot_change_a_saved_reply(camille: Membership, oscar: Membership) -> None:
    reply = saved_reply_create(membership=camille, title="A", body="a")

    with pytest.raises(PermissionError):
        saved_reply_delete(membership=oscar, reply=reply)


def test_replies_in_the_messages_language_come_first(camille: Membership) -> None:
    saved_reply_create(membership=camille, title="A english", body="a", language="en")
    saved_reply_create(membership=camille, title="B français", body="b", language="fr")
    saved_reply_create(membership=camille, title="C any", body="c")

    titles = [reply.title for reply in saved_reply_list(camille.workspace, language="fr")]

    assert titles == ["B français", "C any", "A english"]
