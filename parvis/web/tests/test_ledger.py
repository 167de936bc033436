from django.urls import reverse

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError
from parvis.networks.models import Action, ActionStatus
from parvis.publishing.services import post_create


def _failed_post(camille, account, capture):
    FakeConnector.fail_next = [PermanentError("The text contains a word this server refuses.")]
    with capture(execute=True):
        post_create(membership=camille, text="Salon des entrepreneurs", accounts=[account])
    action = Action.objects.get()
    assert action.status == ActionStatus.FAILED
    return action


def test_the_ledger_shows_the_error_of_a_failed_action(signed_in, camille, account, django_capture_on_commit_callbacks):
    _failed_post(camille, account, django_capture_on_commit_callbacks)

    content = signed_in(camille).get(reverse("web:ledger")).content.decode()

    assert "The text contains a word this server refuses." in content
    assert "Salon des entrepreneurs" in content
    assert "badge-failed" in content
    assert "<details" in content  # the attempt log


def test_retrying_a_failed_action_publishes_it(signed_in, camille, account, django_capture_on_commit_callbacks):
    action = _failed_post(camille, account, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(camille).post(reverse("web:action_retry", args=[action.pk]))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert [request.text for request in FakeConnector.published] == ["Salon des entrepreneurs"]


def test_retrying_a_done_action_is_refused_with_a_message(
    signed_in, camille, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_create(membership=camille, text="Salon", accounts=[account])
    action = Action.objects.get()

    response = signed_in(camille).post(reverse("web:action_retry", args=[action.pk]), follow=True)

    assert "ne peut pas être relancée" in response.content.decode()


def test_the_ledger_filters_by_status(signed_in, camille, account, django_capture_on_commit_callbacks):
    _failed_post(camille, account, django_capture_on_commit_callbacks)

    content = signed_in(camille).get(reverse("web:ledger"), {"status": "done"}).content.decode()

    assert "Salon des entrepreneurs" not in content


def test_an_action_of_another_workspace_cannot_be_retried(
    signed_in, camille, oscar, account, django_capture_on_commit_callbacks
):
    action = _failed_post(camille, account, django_capture_on_commit_callbacks)

    response = signed_in(oscar).post(reverse("web:action_retry", args=[action.pk]))

    assert response.status_code == 404
