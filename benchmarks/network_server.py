"""A minimal Mastodon-compatible network for the burst benchmark: a real server process on loopback.

It answers the few calls Parvis's Mastodon connector makes to publish and to read back:

- POST /api/v1/statuses                 publish (form or JSON body, Idempotency-Key header)
- GET  /api/v1/statuses/<id>            read back by id
- GET  /api/v1/accounts/<id>/statuses   the account's own statuses, newest first (max_id, limit)
- GET  /api/v1/accounts/verify_credentials

and a control plane for the benchmark:

- GET  /_bench/stats   {"posts": total, "keys": {idempotency key: number of statuses made}}

Unlike Mastodon it does NOT drop a second post sent with the same Idempotency-Key: it counts every
post, so a duplicate made by Parvis shows up as a key with two statuses. Account n's token is
"token-<n>". `--latency-ms` holds each post that long before storing it (a slow network).

Run: python benchmarks/network_server.py --port 0   (prints "listening on <port>" once ready)
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Network:
    def __init__(self, *, latency: float, dedupe: bool) -> None:
        self.latency = latency
        self.dedupe = dedupe
        self.lock = threading.Lock()
        self.ids = itertools.count(100000)
        self.statuses: dict[str, dict[str, Any]] = {}
        self.by_account: dict[str, list[str]] = {}
        self.keys: dict[str, list[str]] = {}
        self.host = ""

    def account(self, account_id: str) -> dict[str, Any]:
        return {
            "id": account_id,
            "username": f"org{account_id}",
            "acct": f"org{account_id}",
            "display_name": f"Organisation {account_id}",
            "url": f"http://{self.host}/@org{account_id}",
            "avatar": "",
            "bot": False,
        }

    def publish(self, account_id: str, text: str, key: str, in_reply_to_id: str | None) -> dict[str, Any]:
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            if self.dedupe and key and self.keys.get(key):
                return self.statuses[self.keys[key][0]]
            status_id = str(next(self.ids))
            status: dict[str, Any] = {
                "id": status_id,
                "url": f"http://{self.host}/@org{account_id}/{status_id}",
                "uri": f"http://{self.host}/users/org{account_id}/statuses/{status_id}",
                "content": text,
                "spoiler_text": "",
                "visibility": "public",
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "in_reply_to_id": in_reply_to_id,
                "in_reply_to_account_id": None,
                "account": self.account(account_id),
                "media_attachments": [],
            }
            self.statuses[status_id] = status
            self.by_account.setdefault(account_id, []).append(status_id)
            if key:
                self.keys.setdefault(key, []).append(status_id)
            return status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a worker's session reuses its connection
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _account_id(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        return token.removeprefix("token-") if token.startswith("token-") else None

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        network = self.server.network
        if parts.path == "/_bench/stats":
            with network.lock:
                keys = {key: len(ids) for key, ids in network.keys.items()}
            self._send(200, {"posts": len(network.statuses), "keys": keys})
            return
        account_id = self._account_id()
        if account_id is None:
            self._send(401, {"error": "The access token is invalid"})
            return
        segments = parts.path.strip("/").split("/")
        if parts.path == "/api/v1/accounts/verify_credentials":
            self._send(200, network.account(account_id))
        elif segments[:3] == ["api", "v1", "statuses"] and len(segments) == 4:
            status = network.statuses.get(segments[3])
            self._send(200, status) if status else self._send(404, {"error": "Record not found"})
        elif segments[:3] == ["api", "v1", "accounts"] and len(segments) == 5 and segments[4] == "statuses":
            query = parse_qs(parts.query)
            limit = int(query.get("limit", ["20"])[0])
            max_id = query.get("max_id", [""])[0]
            with network.lock:
                ids = list(reversed(network.by_account.get(segments[3], [])))
            if max_id:
                ids = [status_id for status_id in ids if int(status_id) < int(max_id)]
            self._send(200, [network.statuses[status_id] for status_id in ids[:limit]])
        else:
            self._send(404, {"error": "Not found"})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        account_id = self._account_id()
        if account_id is None:
            self._send(401, {"error": "The access token is invalid"})
            return
        if parts.path != "/api/v1/statuses":
            self._send(404, {"error": "Not found"})
            return
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {name: values[-1] for name, values in parse_qs(raw.decode()).items()}
        status = self.server.network.publish(
            account_id,
            str(body.get("status", "")),
            self.headers.get("Idempotency-Key", ""),
            body.get("in_reply_to_id") or None,
        )
        self._send(200, status)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int, network: Network) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.network = network
        network.host = f"127.0.0.1:{self.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="hold each post this long (a slow network)")
    parser.add_argument("--dedupe", action="store_true", help="drop a second post with the same key, as Mastodon does")
    args = parser.parse_args()
    server = Server(args.port, Network(latency=args.latency_ms / 1000, dedupe=args.dedupe))
    sys.stdout.write(f"listening on {server.server_address[1]}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
