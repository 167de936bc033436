"""The fake network carries out every action kind, so moderation and welcome can be tested on it."""

from __future__ import annotations

import uuid

import pytest

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest

ACCOUNT = AccountRef(
    id=1, network="fake", instance_url="", external_id="id-t", handle="@t", credentials={"access_token": "t"}
)


def _run(kind: ActionKind, **fields: str) -> str:
    request = ActionRequest(kind=kind, idempotency_key=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]
    return FakeConnector().execute(ACCOUNT, request).external_id


def test_every_action_kind_is_declared() -> None:
    capabilities = FakeConnector.capabilities

    assert capabilities.actions == frozenset(ActionKind)
    assert capabilities.streaming and capabilities.delete_others


def test_hide_and_unhide_a_reply() -> None:
    assert _run(ActionKind.HIDE, target_id="42") == "42"
    assert FakeConnector.hidden == {"42"}
    _run(ActionKind.UNHIDE, target_id="42")
    assert FakeConnector.hidden == set()
    assert [request.kind for request in FakeConnector.published] == [ActionKind.HIDE, ActionKind.UNHIDE]
    assert FakeConnector.posts == {}  # nothing was published


def test_relationships_follow_block_mute() -> None:
    _run(ActionKind.FOLLOW, target_id="bob", target_handle="@bob")
    _run(ActionKind.MUTE, target_handle="@carol")
    assert FakeConnector.following == {"bob"} and FakeConnector.muted == {"@carol"}
    _run(ActionKind.BLOCK, target_id="bob")
    assert FakeConnector.blocked == {"bob"} and FakeConnector.following == set()
    _run(ActionKind.UNBLOCK, target_id="bob")
    _run(ActionKind.UNMUTE, target_handle="@carol")
    assert FakeConnector.blocked == set() and FakeConnector.muted == set()


def test_send_direct_and_report_are_kept() -> None:
    message_id = _run(ActionKind.SEND_DIRECT, target_handle="@bob", text="Merci !")
    _run(ActionKind.REPORT, target_id="99", text="Insult")

    assert message_id and [request.text for request in FakeConnector.directs] == ["Merci !"]
    assert [request.target_id for request in FakeConnector.reports] == ["99"]


def test_a_moderation_action_without_a_target_or_an_empty_message_is_refused() -> None:
    with pytest.raises(PermanentError):
        _run(ActionKind.BLOCK)
    with pytest.raises(PermanentError):
        _run(ActionKind.SEND_DIRECT, target_handle="@bob", text=" ")


def test_fail_next_applies_to_the_new_kinds_too() -> None:
    FakeConnector.fail_next.append(TransientError("down"))

    with pytest.raises(TransientError):
        _run(ActionKind.HIDE, target_id="1")
    assert FakeConnector.hidden == set()
