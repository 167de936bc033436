from django.urls import reverse
from django.utils import timezone

from parvis.listening.models import FeedEntry


def test_listening_shows_the_latest_entries_with_links_out_and_escaped_summaries(signed_in, camille, account):
    FeedEntry.objects.create(
        workspace=account.workspace,
        source=account,
        external_id="e1",
        title="Les CCI face à la transition",
        url="https://presse.example/cci",
        summary="<script>alert(1)</script> Un dossier complet.",
        language="fr",
        published_at=timezone.now(),
    )

    content = signed_in(camille).get(reverse("web:listening")).content.decode()

    assert "Les CCI face à la transition" in content
    assert 'href="https://presse.example/cci" rel="noopener noreferrer"' in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content


def test_listening_shows_nothing_from_another_workspace(signed_in, oscar, account):
    FeedEntry.objects.create(
        workspace=account.workspace,
        source=account,
        external_id="e1",
        title="Réservé à la CCI",
        published_at=timezone.now(),
    )

    assert "Réservé à la CCI" not in signed_in(oscar).get(reverse("web:listening")).content.decode()
