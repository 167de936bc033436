#!/usr/bin/env python
"""Inbox benchmark: ingest with full triage against a raw bulk insert, and the first inbox page at 1M messages.

    .venv/bin/python benchmarks/inbox.py --db sqlite
    .venv/bin/python benchmarks/inbox.py --db postgres --database-url postgres://postgres@127.0.0.1:5432/parvis_bench

Each run starts from an empty database of its own (a temporary SQLite file, or the PostgreSQL
database of --database-url, dropped and created again; tables from the models, benchmarks/settings.py)
and runs in this one process, so the peak memory it reports is Parvis's in-pipe and page rendering:

1. **Ingest + triage.** --events realistic community messages (the simulator's script: French and
   English questions, praise, criticism, insults, spam, private messages, follows) spread over
   --accounts connected accounts, stored through the real in-pipe (`networks.ingest.route_events`,
   the function a poll or a stream calls) in batches of --batch per account, each batch in one
   transaction, as a poll does: idempotency check, identities, threads, language, sentiment, class
   (embeddings + the seed model), signals, priority, and every after-ingest hook registered (SLA
   timers, grouping, assignment and moderation rules, welcome, crisis). Models are loaded before
   the clock starts (a worker loads them once).
2. **Raw bulk insert.** The same rows (one conversation and one message per event, same texts)
   written with `bulk_create` into the same database, in the same batches, on other accounts.
   The report gives both rates in events per second and their ratio.
3. **First inbox page at scale.** --messages messages (default 1,000,000) in conversations of
   --per-conversation messages are bulk-inserted into one workspace, then the inbox's first page is
   requested --requests times through Django's test client as a signed-in community manager (the
   real view, selectors and templates): p50, p95 and max latency, for each URL in --page-urls.
4. **Peak memory**: the process's maximum resident set size after each phase.

The report is printed as JSON and written to benchmarks/results/inbox-<db>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/parvis_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="", help=f"PostgreSQL database (default {DEFAULT_POSTGRES})")
    parser.add_argument("--events", type=int, default=5_000, help="events ingested with triage")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--batch", type=int, default=200, help="events per account per transaction (one poll)")
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages in the inbox for the page test")
    parser.add_argument("--per-conversation", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--page-urls", default="/,/?status=open,/?sort=priority")
    parser.add_argument("--skip-page", action="store_true", help="only the ingest part")
    parser.add_argument("--seed", type=int, default=4)
    return parser.parse_args(argv)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def setup_django(args: argparse.Namespace, directory: Path) -> str:
    if args.db == "sqlite":
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        url = args.database_url or DEFAULT_POSTGRES
        _recreate_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ.setdefault("PARVIS_DATA_DIR", str(directory))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    return url


def _recreate_postgres(database_url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- 1 and 2: ingest with triage vs raw bulk insert -------------------------------------------------


def make_events(count: int, seed: int, prefix: str) -> list[Any]:
    from parvis.networks.protocol import Author, EventKind, NetworkEvent
    from parvis.simulator.records import Kind
    from parvis.simulator.script import generate_records

    kinds = {
        Kind.MENTION: EventKind.MENTION,
        Kind.REPLY: EventKind.REPLY,
        Kind.COMMENT: EventKind.REPLY,
        Kind.EVENT_POST: EventKind.MENTION,
        Kind.DIRECT: EventKind.DIRECT_MESSAGE,
        Kind.FOLLOW: EventKind.FOLLOW,
    }
    records = [
        record for record in generate_records(seed=seed, steps=count * 2, org_handle="org") if record.kind in kinds
    ]
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    events = []
    for index, record in enumerate(records[:count]):
        events.append(
            NetworkEvent(
                kind=kinds[record.kind],
                external_id=f"{prefix}-{index}",
                occurred_at=start + timedelta(seconds=index * 7),
                author=Author(external_id=f"{prefix}-{record.persona}", handle=f"@{record.persona}@bench.example"),
                text=record.text,
                thread_key=f"{prefix}-thread-{record.reply_to if record.reply_to is not None else index}",
                visibility=record.visibility,
            )
        )
    return events


def make_accounts(workspace: Any, count: int, prefix: str) -> list[Any]:
    from parvis.networks.models import ConnectedAccount

    return [
        ConnectedAccount.objects.create(
            workspace=workspace,
            network="mastodon",
            instance_url="https://bench.example",
            external_id=f"{prefix}-{index}",
            handle=f"org{index}@bench.example",
        )
        for index in range(count)
    ]


def split(events: list[Any], accounts: list[Any], batch: int) -> list[tuple[Any, list[Any]]]:
    per_account: dict[int, list[Any]] = {account.pk: [] for account in accounts}
    for index, event in enumerate(events):
        per_account[accounts[index % len(accounts)].pk].append(event)
    by_pk = {account.pk: account for account in accounts}
    batches = []
    for pk, items in per_account.items():
        for offset in range(0, len(items), batch):
            batches.append((by_pk[pk], items[offset : offset + batch]))
    return batches


def bench_ingest(args: argparse.Namespace, workspace: Any) -> dict[str, Any]:
    from django.db import transaction

    from parvis.networks.ingest import route_events, warm_up_routes

    events = make_events(args.events, args.seed, "ingest")
    accounts = make_accounts(workspace, args.accounts, "ingest")
    batches = split(events, accounts, args.batch)
    started = time.perf_counter()
    warm_up_routes()
    warm_up_seconds = time.perf_counter() - started
    stored = 0
    started = time.perf_counter()
    for account, items in batches:
        with transaction.atomic():
            stored += route_events(account, items).stored
    seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "stored": stored,
        "seconds": round(seconds, 2),
        "events_per_second": round(len(events) / seconds, 1),
        "warm_up_seconds": round(warm_up_seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_raw(args: argparse.Namespace, workspace: Any) -> dict[str, Any]:
    from django.db import transaction

    from parvis.inbox.models import Conversation, Message, MessageKind

    kinds = {"mention": MessageKind.MENTION, "reply": MessageKind.REPLY, "direct_message": MessageKind.DIRECT_MESSAGE}
    events = make_events(args.events, args.seed, "raw")
    accounts = make_accounts(workspace, args.accounts, "raw")
    batches = split(events, accounts, args.batch)
    started = time.perf_counter()
    for account, items in batches:
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create(
                [
                    Conversation(
                        workspace=workspace,
                        account=account,
                        thread_key=event.external_id,
                        kind=kinds.get(event.kind.value, MessageKind.FOLLOW),
                        last_message_at=event.occurred_at,
                        preview=event.text[:280],
                    )
                    for event in items
                ]
            )
            Message.objects.bulk_create(
                [
                    Message(
                        workspace=workspace,
                        conversation=conversation,
                        account=account,
                        kind=conversation.kind,
                        external_id=event.external_id,
                        text=event.text,
                        visibility=event.visibility,
                        occurred_at=event.occurred_at,
                    )
                    for event, conversation in zip(items, conversations, strict=True)
                ]
            )
    seconds = time.perf_counter() - started
    return {"events": len(events), "seconds": round(seconds, 3), "events_per_second": round(len(events) / seconds, 1)}


# --- 3: the first inbox page with many messages ---------------------------------------------------


def fill_inbox(args: argparse.Namespace, workspace: Any) -> dict[str, Any]:
    from django.db import connection, transaction

    from parvis.community.models import Identity, Member
    from parvis.inbox.models import Category, Conversation, Message, MessageKind, Sentiment

    accounts = make_accounts(workspace, 20, "page")
    now = datetime.now(UTC)
    texts = [event.text for event in make_events(500, args.seed + 1, "text") if event.text] or ["Bonjour ?"]
    members = Member.objects.bulk_create(
        [
            Member(workspace=workspace, display_name=f"Personne {i}", first_seen_at=now, last_seen_at=now)
            for i in range(2000)
        ]
    )
    identities = Identity.objects.bulk_create(
        [
            Identity(
                workspace=workspace,
                member=member,
                network="mastodon",
                external_id=f"page-person-{i}",
                handle=f"@personne{i}@bench.example",
                first_seen_at=now,
                last_seen_at=now,
            )
            for i, member in enumerate(members)
        ]
    )
    categories = list(Category.values)
    sentiments = list(Sentiment.values)
    statuses = ["new", "new", "assigned", "waiting", "done", "done", "done"]
    per = args.per_conversation
    conversation_count = max(1, args.messages // per)
    chunk = 2000
    started = time.perf_counter()
    made = 0
    for offset in range(0, conversation_count, chunk):
        size = min(chunk, conversation_count - offset)
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create(
                [
                    Conversation(
                        workspace=workspace,
                        account=accounts[(offset + i) % len(accounts)],
                        thread_key=f"page-{offset + i}",
                        kind=MessageKind.MENTION,
                        status=statuses[(offset + i) % len(statuses)],
                        last_message_at=now - timedelta(seconds=(conversation_count - offset - i) * 30),
                        preview=texts[(offset + i) % len(texts)][:280],
                        priority=(offset + i) * 37 % 101,
                    )
                    for i in range(size)
                ]
            )
            messages = []
            for i, conversation in enumerate(conversations):
                number = offset + i
                for j in range(per):
                    messages.append(
                        Message(
                            workspace=workspace,
                            conversation=conversation,
                            account=conversation.account,
                            kind=MessageKind.MENTION,
                            external_id=f"page-{number}-{j}",
                            author=identities[(number + j) % len(identities)],
                            text=texts[(number + j) % len(texts)],
                            occurred_at=conversation.last_message_at - timedelta(seconds=(per - j) * 5),
                            category=categories[(number + j) % len(categories)],
                            sentiment=sentiments[(number + j) % len(sentiments)],
                            priority=conversation.priority,
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=1000)
            made += len(messages)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"messages": made, "conversations": conversation_count, "insert_seconds": round(seconds, 1)}


def bench_page(args: argparse.Namespace, workspace: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from parvis.core.models import Membership, Role

    user = get_user_model().objects.create_user("bench-cm", password="bench-password")  # noqa: S106
    Membership.objects.create(workspace=workspace, user=user, role=Role.COMMUNITY_MANAGER)
    client = Client()
    client.force_login(user)
    results: dict[str, Any] = {}
    for url in [item for item in args.page_urls.split(",") if item]:
        timings = []
        status = 0
        for _ in range(args.requests + 2):
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            timings.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        timings = timings[2:]  # the first requests fill caches (templates, translations)
        results[url] = {
            "status": status,
            "requests": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
        }
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="parvis-bench-inbox-") as tmp:
        directory = Path(tmp)
        setup_django(args, directory)
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        from parvis.core.models import Workspace

        report: dict[str, Any] = {
            "db": args.db,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        }
        ingest_space = Workspace.objects.create(name="Ingest benchmark", slug="bench-ingest")
        report["ingest_with_triage"] = bench_ingest(args, ingest_space)
        print("ingest:", report["ingest_with_triage"], file=sys.stderr, flush=True)
        report["raw_bulk_insert"] = bench_raw(args, Workspace.objects.create(name="Raw insert", slug="bench-raw"))
        report["ratio_raw_over_ingest"] = round(
            report["raw_bulk_insert"]["events_per_second"] / report["ingest_with_triage"]["events_per_second"], 1
        )
        if not args.skip_page:
            page_space = Workspace.objects.create(name="Page benchmark", slug="bench-page")
            report["inbox_fill"] = fill_inbox(args, page_space)
            print("fill:", report["inbox_fill"], file=sys.stderr, flush=True)
            report["first_page"] = bench_page(args, page_space)
        report["peak_rss_mb"] = peak_rss_mb()
    text = json.dumps(report, indent=2)
    print(text)
    results = REPO / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / f"inbox-{args.db}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
