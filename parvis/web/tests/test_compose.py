from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ActionStatus
from parvis.networks.protocol import ActionKind
from parvis.publishing.models import MediaItem, Post

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_the_composer_offers_the_accounts_that_can_publish(signed_in, camille, account):
    content = signed_in(camille).get(reverse("web:compose")).content.decode()

    assert f'value="{account.pk}"' in content
    assert "@cci_lyon" in content


def test_publishing_now_sends_the_post_to_the_network(signed_in, camille, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(camille).post(
            reverse("web:compose"),
            {"text": "Le salon des entrepreneurs ouvre demain !", "accounts": [account.pk], "when": "now"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:ledger")
    assert [request.text for request in FakeConnector.published] == ["Le salon des entrepreneurs ouvre demain !"]
    assert FakeConnector.published[0].kind == ActionKind.PUBLISH


def test_publishing_with_an_image_sends_it_with_its_description(
    signed_in, camille, account, django_capture_on_commit_callbacks
):
    image = SimpleUploadedFile("salon.png", PNG, content_type="image/png")

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(camille).post(
            reverse("web:compose"),
            {
                "text": "En images",
                "accounts": [account.pk],
                "when": "now",
                "image": image,
                "alt_text": "Le hall d'accueil",
            },
        )

    assert FakeConnector.published[0].media[0].alt_text == "Le hall d'accueil"


def test_an_image_over_the_size_limit_is_refused_clearly(signed_in, camille, account, settings):
    settings.PARVIS_MAX_UPLOAD_BYTES = 10
    image = SimpleUploadedFile("salon.png", PNG, content_type="image/png")

    response = signed_in(camille).post(
        reverse("web:compose"), {"text": "En images", "accounts": [account.pk], "when": "now", "image": image}
    )

    assert response.status_code == 400
    assert "la limite est de 10" in response.content.decode()
    assert not MediaItem.objects.exists()
    assert not Post.objects.exists()


def test_scheduling_reads_the_time_in_the_workspace_time_zone(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose"),
        {
            "text": "Rendez-vous au salon",
            "accounts": [account.pk],
            "when": "schedule",
            "scheduled_at": "2030-07-01T10:00",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:posts")
    post = Post.objects.get()
    assert post.scheduled_at == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Paris is 08:00 UTC in summer
    assert post.deliveries.get().action.status == ActionStatus.PENDING
    assert FakeConnector.published == []


def test_a_time_skipped_by_the_change_to_summer_time_is_refused(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose"),
        {
            "text": "Au milieu de la nuit",
            "accounts": [account.pk],
            "when": "schedule",
            "scheduled_at": "2030-03-31T02:30",
        },
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "n\u2019existe pas dans Europe/Paris" in content
    assert not Post.objects.exists()


def test_a_time_in_the_past_is_refused(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose"),
        {"text": "Trop tard", "accounts": [account.pk], "when": "schedule", "scheduled_at": "2020-01-01T10:00"},
    )

    assert response.status_code == 400
    assert "déjà passée" in response.content.decode()


def test_a_post_too_long_for_a_network_lists_the_problem(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose"), {"text": "x" * 300, "accounts": [account.pk], "when": "now"}
    )

    assert response.status_code == 400
    assert "@cci_lyon : 300 caractères, 280 autorisés." in response.content.decode()  # French by default
    assert not Post.objects.exists()


def test_a_post_needs_at_least_one_account(signed_in, camille, account):
    response = signed_in(camille).post(reverse("web:compose"), {"text": "Pour qui ?", "when": "now"})

    assert response.status_code == 400
    assert "Choisissez au moins un compte." in response.content.decode()


def test_a_contributor_is_told_they_cannot_publish(signed_in, theo, account):
    client = signed_in(theo)

    page = client.get(reverse("web:compose")).content.decode()
    response = client.post(reverse("web:compose"), {"text": "Je publie ?", "accounts": [account.pk], "when": "now"})

    assert "ne permet pas de publier" in page
    assert response.status_code == 403
    assert "ne permet pas de publier" in response.content.decode()
    assert not Post.objects.exists()


def test_the_character_counter_counts_per_selected_account(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose_count"), {"text": "x" * 300, "accounts": [account.pk]}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'class="char-count is-over"' in content
    assert "300 / 280" in content
    assert "is-over" in content


def test_the_character_counter_ignores_accounts_of_other_workspaces(signed_in, camille, oscar):
    from parvis.networks.tests.factories import ConnectedAccountFactory

    foreign = ConnectedAccountFactory(workspace=oscar.workspace, handle="@brasserie")

    response = signed_in(camille).post(
        reverse("web:compose_count"), {"text": "Bonjour", "accounts": [foreign.pk]}, HTTP_HX_REQUEST="true"
    )

    assert "@brasserie" not in response.content.decode()


def test_an_empty_post_is_refused_in_the_users_words(signed_in, camille, account):
    response = signed_in(camille).post(reverse("web:compose"), {"text": "   ", "accounts": [account.pk], "when": "now"})

    assert response.status_code == 400
    assert "Écrivez le texte de la publication" in response.content.decode()
