"""Helpers for API tests: a client that speaks JSON with a token, and the fake network's accounts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from parvis.core.models import Membership, Workspace
from parvis.core.services import api_token_create
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


class Api:
    """`api.as_(camille).get("/inbox/items")`: JSON requests to /api/v1 with a member's token."""

    prefix = "/api/v1"

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def as_(self, membership: Membership) -> Api:
        _token, raw = api_token_create(membership=membership, name="tests")
        return Api(self.client, raw)

    def with_token(self, raw: str) -> Api:
        return Api(self.client, raw)

    def _headers(self) -> dict[str, str]:
        # Messages follow Accept-Language (French by default); the tests read them in English.
        headers = {"Accept-Language": "en"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self.prefix + path, params, headers=self._headers())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            self.prefix + path, json.dumps(body), content_type="application/json", headers=self._headers()
        )


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    return ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon", external_id="acct-cci")


@pytest.fixture
def second_account(workspace: Workspace) -> ConnectedAccount:
    return ConnectedAccountFactory(workspace=workspace, handle="@cci_lyon_events", external_id="acct-events")


@pytest.fixture
def oscar_account(oscar: Membership) -> ConnectedAccount:
    return ConnectedAccountFactory(workspace=oscar.workspace, handle="@brasserie", external_id="acct-brasserie")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed on creation; PBKDF2 would make each test ~0.3 s slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
