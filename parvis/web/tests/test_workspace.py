from django.urls import reverse

from parvis.core.models import Voice


def test_the_workspace_page_shows_its_settings_voices_and_team(signed_in, alice, camille, theo, account):
    voice = Voice.objects.create(workspace=account.workspace, name="CCI Lyon", kind="organisation")
    account.voice = voice
    account.save()

    content = signed_in(camille).get(reverse("web:workspace")).content.decode()

    assert "Europe/Paris" in content
    assert "CCI Lyon" in content
    assert "@cci_lyon" in content
    assert "alice" in content
    assert "Propriétaire" in content
    assert "Contributeur" in content


def test_an_owner_adds_a_voice(signed_in, alice):
    response = signed_in(alice).post(
        reverse("web:voice_add"), {"name": "Présidente", "kind": "executive", "description": "La présidente"}
    )

    assert response.status_code == 302
    assert Voice.objects.filter(workspace=alice.workspace, name="Présidente", kind="executive").exists()


def test_a_contributor_cannot_add_a_voice(signed_in, theo):
    response = signed_in(theo).post(reverse("web:voice_add"), {"name": "Moi", "kind": "persona"})

    assert response.status_code == 403
    assert not Voice.objects.filter(name="Moi").exists()
