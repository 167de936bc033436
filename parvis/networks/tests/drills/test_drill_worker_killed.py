"""Drill: a worker process is killed with SIGKILL in the middle of a burst.

Real processes, as in production: `manage.py db_worker` (two of them) and `manage.py parvis_scheduler`
on a SQLite file, publishing to a network server process that counts every post per Idempotency-Key
and does not drop second copies (benchmarks/network_server.py). One worker is killed while every
worker is in the middle of a delivery; the scheduler takes its delivery back after the re-delivery
window and the next attempt reads back before sending. The network must end with one post per
delivery: none lost, none doubled. This is the benchmark's own harness at a small size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parents[4]


def test_a_worker_killed_mid_burst_loses_nothing_and_doubles_nothing() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    argv = [
        sys.executable,
        str(REPO / "benchmarks" / "burst.py"),
        *("--db", "sqlite", "--workers", "2", "--deliveries", "30", "--accounts", "3", "--kill-one"),
        *("--latency-ms", "300", "--run-timeout", "2", "--redelivery-after", "4", "--http-timeout", "1"),
        *("--tick", "0.5", "--lead", "2", "--timeout", "90", "--json"),
    ]

    completed = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False)

    assert completed.stdout, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["killed_worker"] is not None
    assert report["finished"] is True
    assert report["done"] == 30
    assert report["duplicates"] == 0
    assert report["lost"] == 0
    assert report["posts_on_network"] == 30
    assert report["abandoned_attempts"] == 1  # the killed worker's delivery, taken back by the scheduler
