from __future__ import annotations

from parvis.networks.models import ConnectedAccount
from parvis.publishing.services import composition_check
from parvis.publishing.tests.factories import MediaItemFactory


def test_a_post_within_every_limit_has_no_problem(account: ConnectedAccount) -> None:
    image = MediaItemFactory(workspace=account.workspace)

    assert composition_check(text="a" * 280, accounts=[account], media=[image]) == []


def test_an_image_alone_is_a_post(account: ConnectedAccount) -> None:
    image = MediaItemFactory(workspace=account.workspace)

    assert composition_check(text="", accounts=[account], media=[image]) == []


def test_a_type_of_file_the_network_refuses_is_a_problem(account: ConnectedAccount) -> None:
    gif = MediaItemFactory(workspace=account.workspace, mime_type="image/gif")

    assert composition_check(text="Bonjour", accounts=[account], media=[gif]) == [
        f"{account.handle}: image/gif is not accepted."
    ]


def test_an_image_too_large_for_the_network_is_a_problem(account: ConnectedAccount) -> None:
    huge = MediaItemFactory(workspace=account.workspace, size=6 * 1024 * 1024)

    [problem] = composition_check(text="Bonjour", accounts=[account], media=[huge])
    assert problem.startswith(f"{account.handle}: affiche")
    assert problem.endswith(".png weighs 6 MB, 5 MB allowed.")


def test_an_alt_text_too_long_is_a_problem(account: ConnectedAccount) -> None:
    image = MediaItemFactory(workspace=account.workspace, alt_text="a" * 1001)

    assert composition_check(text="Bonjour", accounts=[account], media=[image]) == [
        f"{account.handle}: alt text longer than 1000 characters."
    ]


def test_every_problem_is_listed_at_once(account: ConnectedAccount) -> None:
    images = MediaItemFactory.create_batch(5, workspace=account.workspace)

    problems = composition_check(text="a" * 300, accounts=[account], media=images)

    assert problems == [f"{account.handle}: 300 characters, 280 allowed.", f"{account.handle}: 5 images, 4 allowed."]
