#!/usr/bin/env python
"""Burst benchmark: many deliveries due in the same minute, N worker processes, a local network server.

    .venv/bin/python benchmarks/burst.py --db sqlite --workers 4 --deliveries 10000
    .venv/bin/python benchmarks/burst.py --db postgres --workers 4 --deliveries 10000 --kill-one

What it does, each run from scratch:
1. A database of its own: a temporary SQLite file, or the PostgreSQL database of --database-url
   (default postgres://postgres@127.0.0.1:5432/parvis_bench), dropped and created again; tables from
   the models (benchmarks/settings.py).
2. A network server on loopback in its own process (benchmarks/network_server.py: Mastodon's API,
   counting every post per Idempotency-Key without dropping second copies), or mastodon-mock.
3. One workspace, --accounts connected Mastodon accounts, and --deliveries publish actions due at
   the same instant (or spread over --spread seconds), written straight to the outbox.
4. --workers `manage.py db_worker` processes and one `manage.py parvis_scheduler`, as in production.
   With --kill-one, once every worker is in the middle of a delivery past half the burst, one worker
   is killed with SIGKILL; the scheduler takes its delivery back after the re-delivery window.
5. When every delivery is done (or --timeout passes): dispatch lateness (first claim - due) and
   publish lateness (done - due) p50/p99/max, deliveries per second, and from the network's own
   count: duplicates (a key posted twice) and lost (a delivery not done, or done without a post).

The report is printed, and written as JSON to <run directory>/report.json (--json prints only that).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PYTHON = sys.executable
MANAGE = str(REPO / "manage.py")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/parvis_bench"
SOURCE = "benchmark"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="", help=f"PostgreSQL database to use (default {DEFAULT_POSTGRES})")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument(
        "--spread", type=float, default=0.0, help="seconds over which the due times spread (0: one instant)"
    )
    parser.add_argument("--lead", type=float, default=8.0, help="seconds from the start of the workers to the due time")
    parser.add_argument("--kill-one", action="store_true", help="SIGKILL one worker in the middle of the burst")
    parser.add_argument("--network", choices=["bench", "mastodon-mock"], default="bench")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="time the network takes for each post")
    parser.add_argument("--run-timeout", type=float, default=10.0, help="PARVIS_ACTION_RUN_TIMEOUT for the run")
    parser.add_argument("--redelivery-after", type=float, default=15.0, help="PARVIS_ACTION_REDELIVERY_AFTER")
    parser.add_argument("--http-timeout", type=float, default=5.0, help="PARVIS_HTTP_TIMEOUT")
    parser.add_argument("--tick", type=float, default=1.0, help="PARVIS_SCHEDULER_TICK")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    parser.add_argument("--json", action="store_true", help="print only the JSON report")
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, SQLite file)")
    return parser.parse_args(argv)


# --- processes ------------------------------------------------------------------------------------


class Children:
    """The processes of a run, stopped (SIGTERM, then SIGKILL) whatever happens."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], *, capture: bool = False) -> subprocess.Popen[bytes]:
        log = open(self.directory / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv,
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else log,
            stderr=log,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        os.kill(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop_all(self, *, keep: tuple[str, ...] = ()) -> None:
        stopping = [process for name, process in self.processes.items() if name not in keep]
        for process in stopping:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in stopping:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _environment(args: argparse.Namespace, directory: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": database_url,
            "PARVIS_VAR_DIR": str(directory / "var"),
            "PARVIS_PRIVATE_HOSTS_ALLOWED": "127.0.0.1,localhost",
            "PARVIS_ACTION_RUN_TIMEOUT": str(int(args.run_timeout)),
            "PARVIS_ACTION_REDELIVERY_AFTER": str(args.redelivery_after),
            "PARVIS_HTTP_TIMEOUT": str(args.http_timeout),
            "PARVIS_SCHEDULER_TICK": str(args.tick),
            "PARVIS_LOG_LEVEL": "WARNING",
            "PARVIS_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    (directory / "var").mkdir(parents=True, exist_ok=True)
    return env


def _recreate_postgres(database_url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- the network ----------------------------------------------------------------------------------


class Network:
    """Where the posts go, and what it says it received."""

    def __init__(self, args: argparse.Namespace, children: Children) -> None:
        self.kind = args.network
        self.mock: Any = None
        if self.kind == "bench":
            argv = [PYTHON, str(REPO / "benchmarks" / "network_server.py"), "--latency-ms", str(args.latency_ms)]
            process = children.start("network", argv, capture=True)
            assert process.stdout is not None
            line = process.stdout.readline().decode()
            if not line.startswith("listening on "):
                raise SystemExit(f"the network server did not start: {line!r}")
            self.url = f"http://127.0.0.1:{int(line.split()[-1])}"
            self.accounts = [(str(number), f"token-{number}") for number in range(1, args.accounts + 1)]
        else:
            from parvis.testing.mastodon import MastodonMockServer

            self.mock = MastodonMockServer().start()
            if args.latency_ms:
                self.mock.add_fault(
                    effect="latency", path="/api/v1/statuses", methods=["POST"], delay_ms=int(args.latency_ms)
                )
            self.url = self.mock.base_url
            created = [self.mock.create_account(f"org{number}") for number in range(1, args.accounts + 1)]
            self.accounts = [(account.id, account.access_token) for account in created]

    def posts_per_key(self) -> Counter[str] | None:
        """Statuses made per idempotency key (the bench server), or None (mastodon-mock drops repeats)."""
        if self.kind != "bench":
            return None
        import requests

        session = requests.Session()
        session.trust_env = False
        stats = session.get(f"{self.url}/_bench/stats", timeout=30).json()
        return Counter({key: int(count) for key, count in stats["keys"].items()})

    def posts_per_text(self) -> Counter[str]:
        """Statuses per text on the network, across every account (both servers)."""
        import requests

        from parvis.networks.text import html_to_text

        counts: Counter[str] = Counter()
        session = requests.Session()
        session.trust_env = False
        for account_id, token in self.accounts:
            max_id = ""
            while True:
                params = {"limit": "40", **({"max_id": max_id} if max_id else {})}
                page = session.get(
                    f"{self.url}/api/v1/accounts/{account_id}/statuses",
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                ).json()
                if not page:
                    break
                counts.update(html_to_text(status["content"]) for status in page)
                max_id = str(page[-1]["id"])
        return counts

    def stop(self) -> None:
        if self.mock is not None:
            self.mock.stop()


# --- the run ----------------------------------------------------------------------------------------


def seed(args: argparse.Namespace, network: Network, due: datetime) -> None:
    """One workspace, its accounts on the network, and the deliveries, written straight to the outbox."""
    from django.contrib.auth.models import User

    from parvis.core.models import Membership, Role, Workspace
    from parvis.networks.models import AccountStatus, Action, ConnectedAccount

    user = User.objects.create_user("bench", email="bench@localhost")
    workspace = Workspace.objects.create(name="Benchmark", slug="benchmark")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    host = network.url.split("//", 1)[1]
    accounts = []
    for number, (account_id, token) in enumerate(network.accounts, start=1):
        account = ConnectedAccount(
            workspace=workspace,
            network="mastodon",
            instance_url=network.url,
            external_id=account_id,
            handle=f"@org{number}@{host}",
            status=AccountStatus.ACTIVE,
            next_poll_at=None,
        )
        account.credentials = {"access_token": token}
        accounts.append(account)
    ConnectedAccount.objects.bulk_create(accounts)
    step = args.spread / args.deliveries if args.spread else 0.0
    actions = []
    for number in range(args.deliveries):
        at = due + timedelta(seconds=number * step)
        actions.append(
            Action(
                workspace=workspace,
                account=accounts[number % len(accounts)],
                kind="publish",
                payload={"text": _text(number, args.deliveries)},
                idempotency_key=uuid.uuid4().hex,
                due_at=at,
                next_attempt_at=at,
                source=SOURCE,
                summary=f"Benchmark post {number}",
                created_by=user,
            )
        )
    Action.objects.bulk_create(actions, batch_size=1000)


def _text(number: int, total: int) -> str:
    return f"Benchmark post {number:05d} of {total}: the trade fair opens at 9 a.m. #bench"


def wait(args: argparse.Namespace, children: Children, total: int) -> dict[str, Any]:
    """Wait for the burst to finish; kill a worker half-way with --kill-one. Returns what happened."""
    from parvis.networks.models import Action, ActionStatus

    actions = Action.objects.filter(source=SOURCE)
    started = time.monotonic()
    killed: dict[str, Any] = {}
    last_print = 0.0
    while time.monotonic() - started < args.timeout:
        done = actions.filter(status=ActionStatus.DONE).count()
        open_count = actions.filter(status__in=[ActionStatus.PENDING, ActionStatus.PROCESSING]).count()
        if args.kill_one and not killed and done >= total // 2:
            killed = kill_mid_delivery(args, children, done)
        for name, process in children.processes.items():
            expected_dead = name == "worker-1" and killed
            if not expected_dead and name != "network" and process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}: see {children.directory / name}.log")
        if open_count == 0:
            return {"finished": True, "killed": killed, "seconds": time.monotonic() - started}
        if time.monotonic() - last_print > 5:
            _say(args, f"{done}/{total} done, {open_count} to go")
            last_print = time.monotonic()
        time.sleep(0.25 if total < 2000 else 1.0)
    return {"finished": False, "killed": killed, "seconds": time.monotonic() - started}


def kill_mid_delivery(args: argparse.Namespace, children: Children, done: int) -> dict[str, Any]:
    """SIGKILL worker-1 while it is in the middle of a delivery (its task running, its action claimed).

    The worker's running task is read from the task queue (django_tasks_db records which worker runs
    what); after 20 s without catching it mid-delivery, it is killed anyway.
    """
    from django_tasks_db.models import DBTaskResult

    from parvis.networks.models import Action, ActionStatus

    deadline = time.monotonic() + 20
    in_flight: int | None = None
    while time.monotonic() < deadline and in_flight is None:
        for row in DBTaskResult.objects.filter(status="RUNNING", task_path__endswith="execute_action"):
            if row.worker_ids and row.worker_ids[-1] == "bench-1":
                action_id = int(row.args_kwargs["args"][0])
                if Action.objects.filter(pk=action_id, status=ActionStatus.PROCESSING).exists():
                    in_flight = action_id
                    break
        if in_flight is None:
            time.sleep(0.005)
    children.kill("worker-1")
    _say(args, f"killed worker-1 with SIGKILL after {done} deliveries, in the middle of action {in_flight}")
    return {"at": datetime.now(UTC).isoformat(), "done_before": done, "in_flight_action": in_flight}


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def report(args: argparse.Namespace, network: Network, outcome: dict[str, Any], total: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Min

    from parvis.networks.models import Action, ActionAttempt, ActionStatus, AttemptOutcome

    actions = list(
        Action.objects.filter(source=SOURCE).values(
            "pk", "status", "idempotency_key", "due_at", "finished_at", "external_id", "payload"
        )
    )
    first_claim = dict(
        ActionAttempt.objects.filter(action__source=SOURCE)
        .values("action_id")
        .annotate(first=Min("started_at"))
        .values_list("action_id", "first")
    )
    done = [action for action in actions if action["status"] == ActionStatus.DONE]
    dispatch = [(first_claim[a["pk"]] - a["due_at"]).total_seconds() for a in actions if a["pk"] in first_claim]
    publish = [(a["finished_at"] - a["due_at"]).total_seconds() for a in done if a["finished_at"]]
    first_due = min(action["due_at"] for action in actions)
    last_done = max((action["finished_at"] for action in done if action["finished_at"]), default=first_due)
    elapsed = max((last_done - first_due).total_seconds(), 1e-9)
    outcomes = Counter(ActionAttempt.objects.filter(action__source=SOURCE).values_list("outcome", flat=True))
    per_key = network.posts_per_key()
    per_text = network.posts_per_text()
    texts = {action["payload"]["text"] for action in actions}
    if per_key is not None:
        duplicates = sum(count - 1 for count in per_key.values() if count > 1)
        missing = [a for a in done if per_key.get(a["idempotency_key"], 0) == 0]
    else:
        duplicates = sum(count - 1 for text, count in per_text.items() if text in texts and count > 1)
        missing = [a for a in done if per_text.get(a["payload"]["text"], 0) == 0]
    duplicates_by_text = sum(count - 1 for text, count in per_text.items() if text in texts and count > 1)
    not_done = [action for action in actions if action["status"] != ActionStatus.DONE]
    killed = dict(outcome["killed"]) if outcome["killed"] else None
    if killed and killed.get("in_flight_action"):
        # What became of the delivery the killed worker was carrying out.
        killed["in_flight_attempts"] = list(
            ActionAttempt.objects.filter(action_id=killed["in_flight_action"])
            .order_by("started_at", "id")
            .values_list("outcome", flat=True)
        )
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "benchmarks/burst.py", *sys.argv[1:]]),
        "machine": _machine(),
        "database": _database(connection),
        "workers": args.workers,
        "deliveries": total,
        "accounts": args.accounts,
        "spread_seconds": args.spread,
        "network": args.network,
        "network_latency_ms": args.latency_ms,
        "finished": outcome["finished"],
        "killed_worker": killed,
        "done": len(done),
        "duplicates": duplicates,
        "duplicates_by_text": duplicates_by_text,
        "lost": len(not_done) + len(missing),
        "not_done": Counter(action["status"] for action in not_done),
        "posts_on_network": sum(per_text[text] for text in texts),
        "deliveries_per_second": round(len(done) / elapsed, 1),
        "elapsed_seconds": round(elapsed, 1),
        "dispatch_lateness_seconds": _spread(dispatch),
        "publish_lateness_seconds": _spread(publish),
        "attempts": dict(outcomes),
        "found_by_read_back": outcomes.get(AttemptOutcome.FOUND, 0),
        "abandoned_attempts": outcomes.get(AttemptOutcome.ABANDONED, 0),
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.50), 2),
        "p99": round(percentile(values, 0.99), 2),
        "max": round(max(values), 2) if values else float("nan"),
    }


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kilobytes = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kilobytes / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _database(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.json:
        sys.stderr.write(f"[burst] {line}\n")
        sys.stderr.flush()


def describe(result: dict[str, Any]) -> str:
    dispatch = result["dispatch_lateness_seconds"]
    publish = result["publish_lateness_seconds"]
    killed = "yes" if result["killed_worker"] else "no"
    return "\n".join(
        [
            f"{result['deliveries']} deliveries, {result['workers']} workers, {result['database']}, "
            f"network: {result['network']}, worker killed: {killed}",
            f"  done: {result['done']}   duplicates: {result['duplicates']}   lost: {result['lost']}",
            f"  deliveries per second: {result['deliveries_per_second']} "
            f"({result['elapsed_seconds']} s from the due time to the last one done)",
            f"  dispatch lateness (first claim - due): p50 {dispatch['p50']} s, p99 {dispatch['p99']} s, "
            f"max {dispatch['max']} s",
            f"  publish lateness (done - due): p50 {publish['p50']} s, p99 {publish['p99']} s, max {publish['max']} s",
            f"  read-back found instead of re-sending: {result['found_by_read_back']}; "
            f"abandoned attempts: {result['abandoned_attempts']}",
            *(
                [f"  the killed worker's delivery: attempts {result['killed_worker'].get('in_flight_attempts')}"]
                if result["killed_worker"]
                else []
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="parvis-burst-"))
    if args.db == "sqlite":
        database_url = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        database_url = args.database_url or DEFAULT_POSTGRES
        _recreate_postgres(database_url)
    env = _environment(args, directory, database_url)
    os.environ.update(env)
    _say(args, f"run directory: {directory}")
    subprocess.run(  # noqa: S603 - fixed argv
        [PYTHON, MANAGE, "migrate", "--run-syncdb", "--verbosity", "0"], cwd=REPO, env=env, check=True
    )

    import django

    django.setup()
    children = Children(directory, env)
    network: Network | None = None
    try:
        network = Network(args, children)
        for number in range(1, args.workers + 1):
            children.start(
                f"worker-{number}",
                [
                    PYTHON,
                    MANAGE,
                    "db_worker",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                    "--worker-id",
                    f"bench-{number}",
                    "--verbosity",
                    "0",
                ],
            )
        due = datetime.now(UTC) + timedelta(seconds=args.lead)
        seed(args, network, due)
        _say(args, f"{args.deliveries} deliveries due at {due.isoformat(timespec='seconds')}")
        children.start("scheduler", [PYTHON, MANAGE, "parvis_scheduler"])
        outcome = wait(args, children, args.deliveries)
        children.stop_all(keep=("network",))
        result = report(args, network, outcome, args.deliveries)
    finally:
        children.stop_all()
        if network is not None:
            network.stop()
    (directory / "report.json").write_text(json.dumps(result, indent=2, default=str))
    if args.json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        sys.stdout.write(describe(result) + "\n")
        sys.stdout.write(f"report: {directory / 'report.json'}\n")
    if not args.keep and result["duplicates"] == 0 and result["lost"] == 0:
        import shutil

        shutil.rmtree(directory / "var", ignore_errors=True)
        for database in directory.glob("bench.sqlite3*"):
            database.unlink()
    return 0 if result["finished"] and result["duplicates"] == 0 and result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
