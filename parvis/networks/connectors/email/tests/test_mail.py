"""Reading one mail: ids, threads, text from plain or HTML parts, attachments, malformed mail."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from parvis.networks.connectors.email.mail import (
    MalformedMail,
    html_to_text,
    message_ids,
    parse_message,
    reply_subject,
)

from .conftest import mail


def test_a_plain_mail_gives_its_sender_subject_text_and_ids() -> None:
    parsed = parse_message(
        mail(
            message_id="abc@example.org",
            subject="=?utf-8?q?Probl=C3=A8me_de_facture?=",
            extra="In-Reply-To: <prev@parvis.test>\nReferences: <root@example.org> <prev@parvis.test>",
        )
    )

    assert parsed.message_id == "abc@example.org"
    assert (parsed.from_address, parsed.from_name) == ("bob@example.org", "Bob Martin")
    assert parsed.subject == "Problème de facture"
    assert parsed.text == "Bonjour, les ateliers sont-ils gratuits ?"
    assert parsed.in_reply_to == "prev@parvis.test"
    assert parsed.thread_root == "root@example.org"
    assert parsed.date is not None and parsed.date.utcoffset() is not None


def test_without_references_the_thread_is_in_reply_to_or_the_mail_itself() -> None:
    assert parse_message(mail(message_id="a@x", extra="In-Reply-To: <b@x>")).thread_root == "b@x"
    assert parse_message(mail(message_id="a@x")).thread_root == "a@x"


def test_a_mail_without_message_id_gets_a_stable_one() -> None:
    raw = mail()

    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id.endswith("@parvis.invalid")
    assert parse_message(raw).message_id != parse_message(mail(body="autre")).message_id


def test_the_plain_part_wins_and_html_alone_becomes_text_without_scripts() -> None:
    both = EmailMessage()
    both["From"] = "bob@example.org"
    both.set_content("Texte brut")
    both.add_alternative("<p>Texte <b>HTML</b></p>", subtype="html")
    html_only = EmailMessage()
    html_only["From"] = "bob@example.org"
    html_only.set_content(
        "<html><head><style>p{color:red}</style><title>T</title></head><body>"
        "<p>Bonjour&nbsp;!</p><script>alert('x')</script><ul><li>un</li><li>deux</li></ul>"
        "<p>&lt;b&gt; reste du texte</p></body></html>",
        subtype="html",
    )

    assert parse_message(both.as_bytes()).text == "Texte brut"
    text = parse_message(html_only.as_bytes()).text
    assert text == "Bonjour\xa0!\n\n- un\n- deux\n\n<b> reste du texte"
    assert "alert" not in text and "color" not in text


def test_attachments_are_listed_with_their_size_not_kept() -> None:
    message = EmailMessage()
    message["From"] = "bob@example.org"
    message.set_content("Voici la facture")
    message.add_attachment(b"%PDF-1.4" + b"0" * 2000, maintype="application", subtype="pdf", filename="facture.pdf")

    parsed = parse_message(message.as_bytes())

    assert parsed.text == "Voici la facture"
    assert [(item.filename, item.content_type, item.size) for item in parsed.attachments] == [
        ("facture.pdf", "application/pdf", 2008)
    ]


def test_a_latin1_body_is_decoded() -> None:
    raw = (
        b"From: bob@example.org\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nD\xe9j\xe0 vu\r\n"
    )

    assert parse_message(raw).text == "Déjà vu"


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"Subject: no sender\r\n\r\nbody", b"\x00\xff garbage"])
def test_unreadable_mail_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedMail):
        parse_message(raw)


def test_helpers() -> None:
    assert message_ids("<a@x> <b@y>") == ["a@x", "b@y"]
    assert message_ids("bare@x") == ["bare@x"]
    assert reply_subject("Question") == "Re: Question"
    assert reply_subject("RE: Question") == "RE: Question"
    assert reply_subject("") == "Re:"
    assert html_to_text("") == ""
