"""First inbox page through the real view, before and after the two indexes asked for (docs/inbox.md).

Reuses benchmarks/inbox.py's fill and page functions on a temporary SQLite database; prints JSON,
writes no file:
    .venv/bin/python parvis/inbox/tests/work/page_bench.py --messages 200000 --requests 10
"""

# ruff: noqa: T201
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO))

INDEXES = (
    "CREATE INDEX inbox_newest_idx ON inbox_conversation (workspace_id, last_message_at DESC, id DESC)",
    "CREATE INDEX inbox_open_priority_idx ON inbox_conversation (workspace_id, priority DESC, last_message_at DESC, "
    "id DESC) WHERE NOT (status = 'done')",
)
URLS = "/,/?sort=priority,/?status=all,/?status=new,/?category=question,/?assignee=unassigned,/?q=salon"


def main() -> int:
    from benchmarks import inbox as bench

    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=10)
    options = parser.parse_args()
    args = bench.parse_args(
        [
            "--db",
            "sqlite",
            "--messages",
            str(options.messages),
            "--requests",
            str(options.requests),
            "--page-urls",
            URLS,
        ]
    )
    with tempfile.TemporaryDirectory(prefix="parvis-inbox-page-") as tmp:
        bench.setup_django(args, Path(tmp))
        from django.conf import settings
        from django.db import connection

        from parvis.core.models import Workspace

        settings.ALLOWED_HOSTS = ["*"]
        workspace = Workspace.objects.create(name="Page benchmark", slug="bench-page")
        report = {"fill": bench.fill_inbox(args, workspace), "existing_indexes": bench.bench_page(args, workspace)}
        with connection.cursor() as cursor:
            for statement in INDEXES:
                cursor.execute(statement)
            cursor.execute("ANALYZE")
        args.page_urls = URLS
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(username="bench-cm").delete()
        report["with_proposed_indexes"] = bench.bench_page(args, workspace)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
