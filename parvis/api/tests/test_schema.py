"""The OpenAPI schema and the interactive docs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/v1/inbox/items", "get"),
    ("/api/v1/inbox/items/{item_id}", "get"),
    ("/api/v1/inbox/items/{item_id}/reply", "post"),
    ("/api/v1/inbox/items/{item_id}/status", "post"),
    ("/api/v1/posts", "get"),
    ("/api/v1/posts", "post"),
    ("/api/v1/posts/{post_id}", "get"),
    ("/api/v1/posts/{post_id}", "put"),
    ("/api/v1/posts/{post_id}", "delete"),
    ("/api/v1/posts/{post_id}/cancel", "post"),
    ("/api/v1/accounts", "get"),
    ("/api/v1/ledger", "get"),
}


def test_openapi_json_is_served_without_a_token_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {(path, method) for path, operations in paths.items() for method in operations} == ENDPOINTS


def test_openapi_json_declares_bearer_tokens_on_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()

    schemes = schema["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
    assert all(operation["security"] for operations in schema["paths"].values() for operation in operations.values())


def test_openapi_json_documents_the_error_shape(client):
    schema = client.get("/api/v1/openapi.json").json()

    reply = schema["paths"]["/api/v1/inbox/items/{item_id}/reply"]["post"]["responses"]
    assert {"202", "401", "403", "404", "422"} <= set(reply)
    assert "detail" in schema["components"]["schemas"]["ErrorOut"]["properties"]


def test_docs_page_is_served(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
