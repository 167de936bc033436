from django.urls import reverse


def test_the_navigation_names_every_section_in_french_and_marks_the_current_one(signed_in, camille):
    content = signed_in(camille).get(reverse("web:ledger")).content.decode()

    for label in ("Boîte de réception", "Publication", "Modération", "Veille", "Stratégie", "Réglages"):
        assert label in content
    # The ledger belongs to the settings section: its pages show as a second row, the ledger current.
    assert f'<a href="{reverse("web:accounts")}" aria-current="true">Réglages</a>' in content
    for label in ("Comptes", "Espace de travail"):
        assert label in content
    assert f'<a href="{reverse("web:ledger")}" aria-current="page">Journal</a>' in content
    assert "Publier" not in content  # another section's pages are not listed


def test_a_publishing_page_lists_the_publishing_pages(signed_in, camille):
    content = signed_in(camille).get(reverse("web:calendar")).content.decode()

    assert f'<a href="{reverse("web:compose")}" aria-current="true">Publication</a>' in content
    assert f'<a href="{reverse("web:calendar")}" aria-current="page">Calendrier</a>' in content
    assert "Publier" in content and "Validations" in content


def test_every_page_carries_the_csrf_token_for_htmx(signed_in, camille):
    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "vendor/htmx/htmx.min.js" in content
