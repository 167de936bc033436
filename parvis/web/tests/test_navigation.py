from django.urls import reverse


def test_the_navigation_names_every_section_in_french_and_marks_the_current_one(signed_in, camille):
    content = signed_in(camille).get(reverse("web:ledger")).content.decode()

    for label in ("Boîte de réception", "Publier", "Publications", "Journal", "Veille", "Comptes", "Espace de travail"):
        assert label in content
    assert f'<a href="{reverse("web:ledger")}" aria-current="page">Journal</a>' in content


def test_every_page_carries_the_csrf_token_for_htmx(signed_in, camille):
    content = signed_in(camille).get(reverse("web:inbox")).content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "vendor/htmx/htmx.min.js" in content
