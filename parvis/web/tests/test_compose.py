from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ActionStatus
from parvis.networks.protocol import ActionKind
from parvis.publishing.models import MediaItem, Post, PostStage

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


def test_a_contributors_post_is_sent_for_approval(signed_in, theo, camille, account):
    client = signed_in(theo)

    page = client.get(reverse("web:compose"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reverse("web:compose"), {"text": "Je publie ?", "accounts": [account.pk], "when": "now"})

    assert "Your posts go to an approver before they are published" in page
    assert "Submit for approval" in page.split("data-primary", 1)[1][:200]
    assert response.status_code == 302
    assert response["Location"] == reverse("web:posts")
    post = Post.objects.get()
    assert post.stage == PostStage.IN_REVIEW
    assert FakeConnector.published == []


def test_an_analyst_cannot_write_a_post(signed_in, nadia, account):
    response = signed_in(nadia).post(
        reverse("web:compose"), {"text": "Chiffres du mois", "accounts": [account.pk], "when": "now"}
    )

    assert response.status_code == 403
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


# --- the live check --------------------------------------------------------------------------

LONG = ("Le salon des entreprises ouvre jeudi à 9 h au centre des congrès. " * 8).strip()


def _threaded(monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(
        FakeConnector, "capabilities", replace(FakeConnector.capabilities, threads=True, first_comment=True)
    )


def test_the_live_check_shows_the_thread_a_long_text_becomes(signed_in, camille, account, monkeypatch):
    _threaded(monkeypatch)

    response = signed_in(camille).post(
        reverse("web:compose_count"), {"text": LONG, "accounts": [account.pk]}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="variant-check-{account.pk}" hx-swap-oob="innerHTML"' in content
    assert content.count('class="preview-post') == 2
    assert "1/2" in content and "2/2" in content


def test_the_live_check_previews_hashtags_and_mentions_as_such(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose_count"),
        {"text": "Merci @camille ! #Lyon", "accounts": [account.pk]},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert '<span class="preview-mention">@camille</span>' in content
    assert '<span class="preview-hashtag">#Lyon</span>' in content


def test_the_preview_shows_hostile_text_as_text(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose_count"),
        {"text": "<script>alert(1)</script> #ok", "accounts": [account.pk]},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_live_check_lists_what_blocks_and_what_warns(signed_in, camille, account):
    image = MediaItem.objects.create(
        workspace=camille.workspace, file="uploads/x.png", mime_type="image/png", size=10, alt_text=""
    )

    response = signed_in(camille).post(
        reverse("web:compose_count"),
        {"text": "x" * 300, "accounts": [account.pk], "library": [image.pk]},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    report = content.split('id="compose-report" hx-swap-oob="innerHTML"', 1)[1].split("</div>\n</div>", 1)[0]
    blocking, warning = report.split("alert-warning", 1)
    assert "@cci_lyon: 300 characters, 280 allowed." in blocking
    assert "@cci_lyon: x.png has no description (alt text)" in warning


def test_the_live_check_reads_a_hand_written_variant(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose_count"),
        {
            "text": "x" * 300,
            "accounts": [account.pk],
            f"variant-{account.pk}-custom": "1",
            f"variant-{account.pk}-text": "Version courte",
        },
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert "14 / 280" in content
    assert "is-over" not in content


def test_the_composer_shows_each_networks_rules(signed_in, camille, account):
    content = signed_in(camille).get(reverse("web:compose")).content.decode()

    assert f'id="variant-panel-{account.pk}"' in content
    assert "280" in content
    assert 'name="variant-' in content


# --- saving ------------------------------------------------------------------------------------


def test_a_hand_written_thread_is_published_post_after_post(
    signed_in, camille, account, monkeypatch, django_capture_on_commit_callbacks
):
    _threaded(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(camille).post(
            reverse("web:compose"),
            {
                "text": "Texte commun",
                "accounts": [account.pk],
                "when": "now",
                f"variant-{account.pk}-custom": "1",
                f"variant-{account.pk}-text": "Premier.\n---\nDeuxième.",
            },
        )

    assert response.status_code == 302
    assert [request.text for request in FakeConnector.published] == ["Premier.", "Deuxième."]
    assert FakeConnector.published[1].in_reply_to_id


def test_save_as_draft_keeps_the_post_out_of_the_outbox(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:compose"), {"text": "Brouillon", "accounts": [account.pk], "when": "now", "intent": "draft"}
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.stage == PostStage.DRAFT
    assert post.deliveries.get().action is None


def test_an_image_from_the_library_goes_with_the_post(signed_in, camille, account, django_capture_on_commit_callbacks):
    from parvis.publishing.tests.factories import MediaItemFactory

    image = MediaItemFactory(workspace=camille.workspace, alt_text="Le hall")

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(camille).post(
            reverse("web:compose"),
            {"text": "En images", "accounts": [account.pk], "when": "now", "library": [image.pk]},
        )

    assert FakeConnector.published[0].media[0].alt_text == "Le hall"


def test_an_image_of_another_workspace_cannot_be_chosen(signed_in, camille, oscar, account):
    from parvis.publishing.tests.factories import MediaItemFactory

    foreign = MediaItemFactory(workspace=oscar.workspace)

    response = signed_in(camille).post(
        reverse("web:compose"), {"text": "Intrus", "accounts": [account.pk], "when": "now", "library": [foreign.pk]}
    )

    assert response.status_code == 400
    assert not Post.objects.exists()


def test_the_post_gets_its_campaign(signed_in, camille, account):
    from parvis.publishing.models import Campaign

    campaign = Campaign.objects.create(workspace=camille.workspace, name="Salon 2026")

    signed_in(camille).post(
        reverse("web:compose"), {"text": "Salon", "accounts": [account.pk], "when": "now", "campaign": campaign.pk}
    )

    assert Post.objects.get().campaign == campaign


# --- editing -----------------------------------------------------------------------------------


def _scheduled_post(camille, account):
    from datetime import timedelta

    from django.utils import timezone

    from parvis.publishing.services import post_create

    return post_create(
        membership=camille, text="Avant", accounts=[account], scheduled_at=timezone.now() + timedelta(days=2)
    )


def test_the_composer_opens_a_post_to_edit_it(signed_in, camille, account):
    post = _scheduled_post(camille, account)

    content = signed_in(camille).get(reverse("web:compose") + f"?post={post.pk}").content.decode()

    assert f'name="post" value="{post.pk}"' in content
    assert ">Avant</textarea>" in content


def test_saving_an_edit_replaces_the_post(signed_in, camille, account):
    post = _scheduled_post(camille, account)

    response = signed_in(camille).post(
        reverse("web:compose"),
        {
            "post": post.pk,
            "text": "Après",
            "accounts": [account.pk],
            "when": "schedule",
            "scheduled_at": "2030-07-01T10:00",
        },
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.revision) == ("Après", 2)
    assert post.deliveries.get().action.payload["text"] == "Après"


def test_a_published_post_cannot_be_opened_for_editing(signed_in, camille, account):
    from parvis.networks.models import Action

    post = _scheduled_post(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    response = signed_in(camille).get(reverse("web:compose") + f"?post={post.pk}")

    assert response.status_code == 302
    assert response["Location"] == reverse("web:posts")


def test_a_post_of_another_workspace_cannot_be_edited(signed_in, camille, oscar, account):
    post = _scheduled_post(camille, account)

    response = signed_in(oscar).get(reverse("web:compose") + f"?post={post.pk}")

    assert response.status_code == 404
