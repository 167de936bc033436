"""/posts: publishing now or later, and following each delivery."""

from __future__ import annotations

from datetime import UTC, datetime

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError
from parvis.networks.models import Action, ActionStatus
from parvis.publishing.models import Post


def test_a_post_without_a_time_is_published_now_on_each_account(
    api, camille, account, second_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_(camille).post(
            "/posts", {"text": "Salon des entrepreneurs lundi !", "account_ids": [account.pk, second_account.pk]}
        )

    assert response.status_code == 201
    assert [request.text for request in FakeConnector.published] == ["Salon des entrepreneurs lundi !"] * 2
    assert set(Action.objects.values_list("status", flat=True)) == {ActionStatus.DONE}


def test_a_created_post_is_returned_with_one_delivery_per_account(api, camille, account, second_account):
    body = api.as_(camille).post("/posts", {"text": "Bonjour", "account_ids": [account.pk, second_account.pk]}).json()

    assert body["text"] == "Bonjour"
    assert body["id"] == Post.objects.get().pk
    assert [delivery["account"]["handle"] for delivery in body["deliveries"]] == ["@cci_lyon", "@cci_lyon_events"]
    assert {delivery["status"] for delivery in body["deliveries"]} == {"pending"}


def test_a_post_scheduled_with_an_offset_is_stored_in_utc(api, camille, account):
    response = api.as_(camille).post(
        "/posts", {"text": "Rendez-vous", "account_ids": [account.pk], "scheduled_at": "2030-06-03T09:30:00+02:00"}
    )

    assert response.status_code == 201
    assert Post.objects.get().scheduled_at == datetime(2030, 6, 3, 7, 30, tzinfo=UTC)
    assert response.json()["status"] == "scheduled"


def test_a_post_scheduled_in_wall_clock_time_uses_the_workspace_time_zone(api, camille, account):
    # The workspace is in Europe/Paris: 9:30 in January is 8:30 UTC (winter time).
    api.as_(camille).post(
        "/posts", {"text": "Vœux", "account_ids": [account.pk], "scheduled_at": "2031-01-06T09:30:00"}
    )

    assert Post.objects.get().scheduled_at == datetime(2031, 1, 6, 8, 30, tzinfo=UTC)


def test_a_post_scheduled_at_a_time_skipped_by_the_spring_clock_change_is_refused_with_422(api, camille, account):
    # On 31 March 2030 Paris clocks jump from 02:00 to 03:00: 02:30 never happens.
    response = api.as_(camille).post(
        "/posts", {"text": "Trop tôt", "account_ids": [account.pk], "scheduled_at": "2030-03-31T02:30:00"}
    )

    assert response.status_code == 422
    assert "Europe/Paris" in response.json()["detail"]
    assert not Post.objects.exists()


def test_a_scheduled_post_is_not_sent_before_its_time(api, camille, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.as_(camille).post(
            "/posts", {"text": "Plus tard", "account_ids": [account.pk], "scheduled_at": "2030-06-03T09:30:00Z"}
        )

    assert FakeConnector.published == []
    assert Action.objects.get().status == ActionStatus.PENDING


def test_a_contributors_post_is_sent_for_approval_with_nothing_in_the_outbox(api, theo, account):
    response = api.as_(theo).post("/posts", {"text": "Mon brouillon", "account_ids": [account.pk]})

    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["status"]) == ("in_review", "in_review")
    assert body["deliveries"][0]["action_id"] is None
    assert not Action.objects.exists()


def test_an_analyst_cannot_publish(api, nadia, account):
    response = api.as_(nadia).post("/posts", {"text": "Chiffres du mois", "account_ids": [account.pk]})

    assert response.status_code == 403
    assert "draft" in response.json()["detail"]
    assert not Post.objects.exists()


def test_a_post_breaking_the_networks_rules_lists_each_problem_with_422(api, camille, account, second_account):
    response = api.as_(camille).post("/posts", {"text": "a" * 300, "account_ids": [account.pk, second_account.pk]})

    assert response.status_code == 422
    assert response.json()["problems"] == [
        "@cci_lyon: 300 characters, 280 allowed.",
        "@cci_lyon_events: 300 characters, 280 allowed.",
    ]
    assert not Post.objects.exists()


def test_a_post_without_accounts_is_refused_with_422(api, camille, account):
    response = api.as_(camille).post("/posts", {"text": "Pour personne", "account_ids": []})

    assert response.status_code == 422
    assert response.json()["problems"] == ["Choose at least one account."]


def test_a_post_without_text_lists_the_missing_field_with_422(api, camille, account):
    response = api.as_(camille).post("/posts", {"account_ids": [account.pk]})

    assert response.status_code == 422
    assert response.json()["problems"] == ["text: Field required"]


def test_a_post_with_an_unreadable_time_is_refused_with_422(api, camille, account):
    response = api.as_(camille).post(
        "/posts", {"text": "Quand ?", "account_ids": [account.pk], "scheduled_at": "lundi prochain"}
    )

    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("scheduled_at:")


def test_a_post_on_another_workspaces_account_is_404(api, camille, account, oscar_account):
    response = api.as_(camille).post("/posts", {"text": "Intrus", "account_ids": [account.pk, oscar_account.pk]})

    assert response.status_code == 404
    assert not Post.objects.exists()


def test_post_list_shows_each_deliverys_status_external_url_and_error(
    api, camille, account, second_account, django_capture_on_commit_callbacks
):
    FakeConnector.fail_next = [PermanentError("Duplicate status")]
    with django_capture_on_commit_callbacks(execute=True):
        api.as_(camille).post("/posts", {"text": "Bonjour", "account_ids": [account.pk, second_account.pk]})

    (post,) = api.as_(camille).get("/posts").json()["items"]

    assert post["status"] == "partial"
    failed, published = post["deliveries"]
    assert (failed["status"], failed["error"], failed["external_url"]) == ("failed", "Duplicate status", "")
    assert published["status"] == "done"
    assert published["external_url"].startswith("https://fake.example/")


def test_post_list_pages_with_limit_and_offset(api, camille, account):
    for hour in range(3):
        api.as_(camille).post(
            "/posts", {"text": f"Post {hour}", "account_ids": [account.pk], "scheduled_at": f"2030-06-03T0{hour}:00Z"}
        )

    page = api.as_(camille).get("/posts", limit=2).json()

    assert [post["text"] for post in page["items"]] == ["Post 2", "Post 1"]
    assert page["next_offset"] == 2


def test_post_list_does_not_show_another_workspaces_posts(api, camille, oscar, account):
    api.as_(camille).post("/posts", {"text": "Pour la CCI", "account_ids": [account.pk]})

    assert api.as_(oscar).get("/posts").json()["items"] == []


def test_a_post_of_another_workspace_is_404(api, camille, oscar, account):
    post_id = api.as_(camille).post("/posts", {"text": "Pour la CCI", "account_ids": [account.pk]}).json()["id"]

    response = api.as_(oscar).get(f"/posts/{post_id}")

    assert response.status_code == 404


# --- variants, drafts, edits ---------------------------------------------------------------------


def _put(api, path, body):
    import json

    return api.client.put(api.prefix + path, json.dumps(body), content_type="application/json", headers=api._headers())


def _delete(api, path):
    return api.client.delete(api.prefix + path, headers=api._headers())


def test_a_hand_written_variant_goes_in_and_comes_out(api, camille, account, second_account):
    body = (
        api.as_(camille)
        .post(
            "/posts",
            {
                "text": "Texte commun",
                "account_ids": [account.pk, second_account.pk],
                "scheduled_at": "2030-06-03T09:30:00Z",
                "variants": [{"account_id": second_account.pk, "text": "Version pour les événements"}],
            },
        )
        .json()
    )

    common, custom = body["deliveries"]
    assert (common["text"], common["customised"]) == ("Texte commun", False)
    assert (custom["text"], custom["customised"]) == ("Version pour les événements", True)
    assert custom["actions"][0]["text"] == "Version pour les événements"
    assert body["stage"] == "released"


def test_a_thread_comes_out_with_every_action(api, camille, account, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(FakeConnector, "capabilities", replace(FakeConnector.capabilities, threads=True))

    body = (
        api.as_(camille)
        .post(
            "/posts",
            {
                "text": "Un.",
                "account_ids": [account.pk],
                "scheduled_at": "2030-06-03T09:30:00Z",
                "variants": [{"account_id": account.pk, "text": "Un.", "thread": ["Deux.", "Trois."]}],
            },
        )
        .json()
    )

    [delivery] = body["deliveries"]
    assert delivery["thread"] == ["Deux.", "Trois."]
    assert [action["text"] for action in delivery["actions"]] == ["Un.", "Deux.", "Trois."]
    assert (delivery["status"], delivery["variant_status"]) == ("pending", "scheduled")


def test_a_variant_for_an_account_the_post_is_not_for_is_refused(api, camille, account, second_account):
    response = api.as_(camille).post(
        "/posts",
        {
            "text": "Bonjour",
            "account_ids": [account.pk],
            "variants": [{"account_id": second_account.pk, "text": "Non"}],
        },
    )

    assert response.status_code == 422
    assert not Post.objects.exists()


def test_a_draft_is_kept_out_of_the_outbox(api, camille, account):
    body = api.as_(camille).post("/posts", {"text": "Plus tard", "account_ids": [account.pk], "submit": False}).json()

    assert (body["stage"], body["status"]) == ("draft", "draft")
    assert not Action.objects.exists()


def test_a_time_further_than_a_minute_in_the_past_is_refused(api, camille, account):
    response = api.as_(camille).post(
        "/posts", {"text": "Hier", "account_ids": [account.pk], "scheduled_at": "2020-01-01T09:00:00Z"}
    )

    assert response.status_code == 422
    assert response.json()["problems"] == ["This time has already passed. Choose a time in the future."]


def test_media_of_another_workspace_is_404(api, camille, oscar, account):
    from parvis.publishing.tests.factories import MediaItemFactory

    foreign = MediaItemFactory(workspace=oscar.workspace)

    response = api.as_(camille).post(
        "/posts", {"text": "Intrus", "account_ids": [account.pk], "media_ids": [foreign.pk]}
    )

    assert response.status_code == 404
    assert not Post.objects.exists()


def test_a_post_that_has_not_gone_out_can_be_replaced(api, camille, account):
    client = api.as_(camille)
    post_id = client.post(
        "/posts", {"text": "Avant", "account_ids": [account.pk], "scheduled_at": "2030-06-03T09:30:00Z"}
    ).json()["id"]

    response = _put(
        client,
        f"/posts/{post_id}",
        {"text": "Après", "account_ids": [account.pk], "scheduled_at": "2030-06-04T09:30:00Z"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["revision"]) == ("Après", 2)
    assert body["deliveries"][0]["actions"][0]["text"] == "Après"
    assert Action.objects.filter(status=ActionStatus.CANCELLED).count() == 1


def test_a_published_post_cannot_be_replaced(api, camille, account, django_capture_on_commit_callbacks):
    client = api.as_(camille)
    with django_capture_on_commit_callbacks(execute=True):
        post_id = client.post("/posts", {"text": "Parti", "account_ids": [account.pk]}).json()["id"]

    response = _put(client, f"/posts/{post_id}", {"text": "Trop tard", "account_ids": [account.pk]})

    assert response.status_code == 422
    assert "already gone out" in response.json()["problems"][0]


def test_a_scheduled_post_can_be_cancelled(api, camille, account):
    client = api.as_(camille)
    post_id = client.post(
        "/posts", {"text": "Annulé", "account_ids": [account.pk], "scheduled_at": "2030-06-03T09:30:00Z"}
    ).json()["id"]

    body = client.post(f"/posts/{post_id}/cancel", {}).json()

    assert body["status"] == "cancelled"


def test_a_draft_can_be_deleted(api, camille, account):
    client = api.as_(camille)
    post_id = client.post("/posts", {"text": "Brouillon", "account_ids": [account.pk], "submit": False}).json()["id"]

    response = _delete(client, f"/posts/{post_id}")

    assert response.status_code == 204
    assert not Post.objects.exists()


def test_another_workspaces_post_cannot_be_replaced(api, camille, oscar, account):
    post_id = (
        api.as_(camille).post("/posts", {"text": "À nous", "account_ids": [account.pk], "submit": False}).json()["id"]
    )

    response = _put(api.as_(oscar), f"/posts/{post_id}", {"text": "Intrus", "account_ids": []})

    assert response.status_code == 404
