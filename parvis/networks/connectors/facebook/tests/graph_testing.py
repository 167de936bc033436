"""Helpers for the Graph API contract tests of Facebook and Instagram.

Each fixture file is one recorded exchange: {"source": where the body comes from in Meta's
reference, "status": the HTTP status, "headers": the response headers that matter, "body":
the JSON body}. `serve` scripts it on the local ScriptedServer; `multipart` reads the file
uploads the connector sent.
"""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from parvis.networks.connectors.facebook.graph import GRAPH_VERSION
from parvis.testing.scripted_http import Recorded, ScriptedServer

FACEBOOK_FIXTURES = Path(__file__).parent / "fixtures"
INSTAGRAM_FIXTURES = Path(__file__).parents[2] / "instagram" / "tests" / "fixtures"


def v(path: str) -> str:
    """The path of a Graph call, with the API version, as a regular expression for the server."""
    return f"/{GRAPH_VERSION}/{path.lstrip('/')}"


def recorded(name: str) -> dict[str, Any]:
    """A recorded Graph exchange (see the module docstring), from either connector's fixtures (names are unique)."""
    for folder in (FACEBOOK_FIXTURES, INSTAGRAM_FIXTURES):
        path = folder / name
        if path.exists():
            data: dict[str, Any] = json.loads(path.read_text())
            assert data.get("source", "").startswith("https://"), f"{name} says where it comes from"
            return data
    raise FileNotFoundError(name)


def body(name: str) -> Any:
    return recorded(name)["body"]


def serve(
    server: ScriptedServer,
    method: str,
    path: str,
    name: str,
    *,
    times: int | None = None,
    delay: float = 0.0,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer `method` on the Graph `path` with the recorded exchange `name`."""
    data = recorded(name)
    server.add(
        method,
        v(path),
        status=int(data.get("status", 200)),
        json=data["body"],
        headers={**data.get("headers", {}), **(headers or {})},
        times=times,
        delay=delay,
    )


@dataclass(frozen=True)
class Part:
    name: str
    filename: str
    content_type: str
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


def multipart(request: Recorded) -> dict[str, Part]:
    """The fields of a multipart/form-data request body, by name."""
    content_type = request.header("content-type")
    assert content_type.startswith("multipart/form-data"), content_type
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body, policy=email.policy.HTTP
    )
    parts: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        parts[str(name)] = Part(
            name=str(name),
            filename=filename,
            content_type=part.get_content_type(),
            content=payload if isinstance(payload, bytes) else b"",
        )
    return parts


def now_stamp(offset_seconds: int = 0) -> str:
    """A Graph time ("2026-03-14T09:30:00+0000") `offset_seconds` from now."""
    moment = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def restamped(name: str, *keys: str, offset_seconds: int = 0) -> dict[str, Any]:
    """A recorded exchange whose items' times (`created_time`, `timestamp`...) are moved to now.

    For read-back and polling tests, where the connector compares the network's times with the clock.
    """
    data = recorded(name)

    def visit(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: now_stamp(offset_seconds) if k in keys else visit(item) for k, item in value.items()}
        if isinstance(value, list):
            return [visit(item) for item in value]
        return value

    return {**data, "body": visit(data["body"])}


def serve_data(
    server: ScriptedServer, method: str, path: str, data: dict[str, Any], *, times: int | None = None
) -> None:
    server.add(
        method,
        v(path),
        status=int(data.get("status", 200)),
        json=data["body"],
        headers=data.get("headers", {}),
        times=times,
    )


def graph_calls(server: ScriptedServer) -> list[tuple[str, str]]:
    """(method, path without the version) of every request received, in order."""
    prefix = f"/{GRAPH_VERSION}/"
    return [(r.method, r.path.removeprefix(prefix)) for r in server.requests]
