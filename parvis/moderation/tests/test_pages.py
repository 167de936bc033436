"""Pages: the public charter and transparency (no sign-in, all escaped), the team's pages, the inbox control."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from parvis.core.models import Membership
from parvis.inbox.models import Message, ModerationState
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.moderation.models import CharterClause, CharterVersion, ModerationDecision, ModerationRule
from parvis.moderation.services import charter_draft_save, charter_publish, message_moderate
from parvis.networks.models import ConnectedAccount

pytestmark = pytest.mark.django_db

NASTY = '<script>alert("x")</script>'


def _message(account: ConnectedAccount, text: str = "@org vous êtes nuls") -> Message:
    message: Message = MessageFactory(conversation=ConversationFactory(account=account), text=text, kind="reply")
    return message


def test_the_public_charter_renders_without_sign_in_with_clause_anchors_and_history(
    client: Client, camille: Membership, version: CharterVersion
) -> None:
    charter_draft_save(membership=camille, title="Charte v2", body=version.body + "\n## 3 Nouveau\n\nTexte.")
    charter_publish(membership=camille)

    page = client.get("/charter/cci-lyon/")
    old = client.get(reverse("web:moderation_charter_version", args=["cci-lyon", 1]))

    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="clause-1-1"' in body and "Charte v2" in body and 'id="clause-3"' in body
    assert "/charter/cci-lyon/v/1/" in body
    assert old.status_code == 200 and "Nouveau" not in old.content.decode()
    assert client.get("/charter/cci-lyon/v/9/").status_code == 404
    assert client.get("/charter/nobody/").status_code == 404


def test_a_draft_is_never_public(client: Client, camille: Membership) -> None:
    charter_draft_save(membership=camille, title="Brouillon", body="## 1 Respect", slug="brouillon")

    assert client.get("/charter/brouillon/").status_code == 404


def test_the_public_pages_escape_everything(client: Client, camille: Membership, account: ConnectedAccount) -> None:
    charter_draft_save(
        membership=camille, title=f"Charte {NASTY}", body=f"## 1 Titre {NASTY}\n\n{NASTY} [x](javascript:alert(1))"
    )
    version = charter_publish(membership=camille)
    message_moderate(
        membership=camille,
        message=_message(account, f"@org {NASTY}"),
        action="hide",
        clause=version.clauses.get(),
        explain=False,
    )

    charter = client.get("/charter/cci-lyon/").content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    transparency = client.get(f"/charter/cci-lyon/transparency/{month}/")

    assert NASTY not in charter and "&lt;script&gt;" in charter
    assert 'href="javascript' not in charter
    assert transparency.status_code == 200
    text = transparency.content.decode()
    assert NASTY not in text
    assert "<dd>1</dd>" in text


def test_the_public_transparency_summary_holds_no_personal_data(
    client: Client, camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _message(account, "@org texte très personnel")
    message_moderate(membership=camille, message=message, action="hide", clause=insults, reason="raison", explain=False)
    month = timezone.localdate().strftime("%Y-%m")

    body = client.get(f"/charter/cci-lyon/transparency/{month}/").content.decode()

    assert "1.1" in body and "Pas d&#x27;insultes" in body
    assert message.author.handle not in body and "très personnel" not in body and "camille" not in body
    assert client.get("/charter/cci-lyon/transparency/2026-13/").status_code == 404
    assert client.get("/charter/cci-lyon/transparency/junk/").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "moderation",
        "moderation_rules",
        "moderation_decisions",
        "moderation_appeals",
        "moderation_bans",
        "moderation_transparency",
    ],
)
def test_the_team_pages_render_and_need_sign_in(
    client: Client, camille: Membership, account: ConnectedAccount, insults: CharterClause, name: str
) -> None:
    decision = message_moderate(membership=camille, message=_message(account), action="hide", clause=insults)
    from parvis.moderation.services import appeal_record

    appeal_record(membership=camille, decision=decision, channel="direct", text="Pas d'accord")

    assert client.get(reverse(f"web:{name}")).status_code == 302
    client.force_login(camille.user)
    assert client.get(reverse(f"web:{name}")).status_code == 200


def test_the_transparency_page_loads_chart_js(client: Client, camille: Membership, version: CharterVersion) -> None:
    client.force_login(camille.user)

    body = client.get(reverse("web:moderation_transparency")).content.decode()

    assert "vendor/chartjs/chart.umd.min.js" in body and 'id="moderation-chart-data"' in body


def test_the_decisions_log_filters_and_exports_csv_without_formulas(
    client: Client, camille: Membership, account: ConnectedAccount, insults: CharterClause, spam: CharterClause
) -> None:
    message_moderate(
        membership=camille, message=_message(account), action="hide", clause=insults, reason="=cmd()", explain=False
    )
    message_moderate(membership=camille, message=_message(account), action="hide", clause=spam, explain=False)
    client.force_login(camille.user)

    filtered = client.get(reverse("web:moderation_decisions"), {"clause": "2"})
    export = client.get(reverse("web:moderation_decisions"), {"format": "csv"})

    assert filtered.content.decode().count('id="decision-') == 1
    rows = export.content.decode().splitlines()
    assert len(rows) == 3
    assert "'=cmd()" in export.content.decode()


def test_publishing_and_creating_a_rule_from_the_pages(client: Client, camille: Membership) -> None:
    client.force_login(camille.user)

    response = client.post(
        reverse("web:moderation"),
        {"title": "Charte", "slug": "cci", "body": "## 1 Respect\n\nPas d'insultes.", "publish": "1"},
    )
    assert response.status_code == 302
    clause = CharterClause.objects.get()
    response = client.post(
        reverse("web:moderation_rules"),
        {
            "name": "Insultes",
            "order": 1,
            "enabled": "on",
            "keywords": "connard\nabruti*",
            "repeat_count": 0,
            "repeat_window_minutes": 60,
            "removal": "hide",
            "clause": clause.pk,
            "ban_days": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ModerationRule.objects.get()
    assert rule.keywords == ["connard", "abruti*"] and rule.clause == clause and rule.enabled


def test_a_bad_pattern_is_refused_on_the_rule_form(client: Client, camille: Membership) -> None:
    client.force_login(camille.user)

    response = client.post(
        reverse("web:moderation_rules"),
        {"name": "x", "order": 1, "patterns": "(a+)+$", "repeat_count": 0, "repeat_window_minutes": 60, "ban_days": 0},
    )

    assert response.status_code == 400
    assert not ModerationRule.objects.exists()


def test_the_inbox_control_hides_under_a_clause_by_htmx(
    client: Client, camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _message(account)
    client.force_login(camille.user)

    response = client.post(
        reverse("web:moderation_message_hide", args=[message.pk]), {"clause": insults.pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert f'id="moderation-{message.pk}"' in response.content.decode() and "Masqué" in response.content.decode()
    message.refresh_from_db()
    assert message.moderation_state == ModerationState.HIDDEN
    assert ModerationDecision.objects.get().decided_by == camille.user


def test_the_inbox_control_refuses_roles_without_moderation_and_other_workspaces(
    client: Client, theo: Membership, oscar: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    message = _message(account)
    client.force_login(theo.user)
    assert (
        client.post(reverse("web:moderation_message_hide", args=[message.pk]), {"clause": insults.pk}).status_code
        == 403
    )
    client.force_login(oscar.user)
    assert (
        client.post(reverse("web:moderation_message_hide", args=[message.pk]), {"clause": insults.pk}).status_code
        == 404
    )
    assert not ModerationDecision.objects.exists()


def test_the_inbox_partial_reads_the_clauses_once_per_request(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, django_assert_max_num_queries: object
) -> None:
    messages = [_message(account) for _ in range(5)]
    request = RequestFactory().get("/")
    request.user = camille.user
    context = {"request": request, "workspace": camille.workspace, "can": {"moderate": True}}

    with django_assert_max_num_queries(2):  # type: ignore[operator]
        html = "".join(
            render_to_string("web/inbox/_moderation.html", {**context, "msg": m, "conversation": m.conversation})
            for m in messages
        )

    assert html.count('data-shortcut="hide"') == 5
    assert html.count("1.1 Pas d&#x27;insultes") == 5


def test_the_conversation_page_shows_the_control_and_the_hidden_badge(
    client: Client, camille: Membership, account: ConnectedAccount, insults: CharterClause
) -> None:
    visible = _message(account)
    hidden = MessageFactory(conversation=visible.conversation, text="@org abruti", kind="reply")
    message_moderate(membership=camille, message=hidden, action="hide", clause=insults, explain=False)
    client.force_login(camille.user)

    body = client.get(reverse("web:conversation", args=[visible.conversation_id])).content.decode()

    assert f'id="moderation-{visible.pk}"' in body and 'data-shortcut="hide"' in body
    assert f'id="moderation-{hidden.pk}"' in body and "badge-held" in body
