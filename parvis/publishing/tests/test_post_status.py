"""What the user sees of a post, from the statuses of its deliveries' actions."""

from __future__ import annotations

from parvis.networks.models import ActionStatus as A
from parvis.publishing.models import PostStatus, post_status


def test_a_post_with_every_delivery_done_is_published() -> None:
    assert post_status([A.DONE, A.DONE]) == PostStatus.PUBLISHED


def test_a_post_waiting_for_its_time_is_scheduled() -> None:
    assert post_status([A.PENDING, A.PENDING]) == PostStatus.SCHEDULED


def test_a_post_being_sent_is_publishing() -> None:
    assert post_status([A.DONE, A.PROCESSING]) == PostStatus.PUBLISHING


def test_a_post_done_on_some_accounts_and_pending_on_others_is_publishing() -> None:
    assert post_status([A.DONE, A.PENDING]) == PostStatus.PUBLISHING


def test_a_post_done_on_some_accounts_and_failed_on_others_is_partly_published() -> None:
    assert post_status([A.DONE, A.FAILED]) == PostStatus.PARTIAL


def test_a_post_failed_everywhere_is_failed() -> None:
    assert post_status([A.FAILED, A.FAILED]) == PostStatus.FAILED


def test_a_post_waiting_for_a_reconnection_is_on_hold() -> None:
    assert post_status([A.DONE, A.HELD]) == PostStatus.HELD


def test_a_post_cancelled_everywhere_is_cancelled() -> None:
    assert post_status([A.CANCELLED, A.CANCELLED]) == PostStatus.CANCELLED


def test_a_post_without_delivery_is_cancelled() -> None:
    assert post_status([]) == PostStatus.CANCELLED


def test_a_cancelled_delivery_does_not_keep_a_published_post_publishing() -> None:
    assert post_status([A.DONE, A.CANCELLED]) == PostStatus.PUBLISHED


def test_a_cancelled_delivery_does_not_hide_that_the_rest_is_scheduled() -> None:
    assert post_status([A.PENDING, A.CANCELLED]) == PostStatus.SCHEDULED


def test_a_cancelled_delivery_does_not_hide_a_failure() -> None:
    assert post_status([A.FAILED, A.CANCELLED]) == PostStatus.FAILED


def test_plain_strings_from_the_database_work_too() -> None:
    assert post_status(["done", "failed", "pending"]) == PostStatus.PARTIAL
