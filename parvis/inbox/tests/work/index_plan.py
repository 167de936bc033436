"""Why the inbox list needs an index on (workspace, -last_message_at, -id): first-page query plans on SQLite.

Stand-alone (no Django): 250,000 conversations, the existing indexes, then the proposed ones.
    python3 parvis/inbox/tests/work/index_plan.py
"""

# ruff: noqa: T201, E501
import random
import sqlite3
import time

db = sqlite3.connect(":memory:")
db.execute("create table c (id integer primary key, workspace_id int, status text, last_message_at text, priority int)")
rnd = random.Random(1)
rows = [
    (
        i,
        1,
        rnd.choice(["new", "assigned", "waiting", "done", "done"]),
        f"2026-{1 + i % 11:02d}-{1 + i % 27:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000000:06d}",
        rnd.randint(0, 100),
    )
    for i in range(1, 250_001)
]
db.executemany("insert into c values (?,?,?,?,?)", rows)
db.execute("create index inbox_list_idx on c (workspace_id, status, last_message_at desc)")
db.execute("create index inbox_priority_idx on c (workspace_id, status, priority desc, last_message_at desc)")
Q = {
    "open newest": "select * from c where workspace_id=1 and not (status='done') order by last_message_at desc, id desc limit 51",
    "open priority": "select * from c where workspace_id=1 and not (status='done') order by priority desc, last_message_at desc, id desc limit 51",
    "new newest": "select * from c where workspace_id=1 and status='new' order by last_message_at desc, id desc limit 51",
    "all newest": "select * from c where workspace_id=1 order by last_message_at desc, id desc limit 51",
}


def bench(label):
    for name, sql in Q.items():
        t = time.perf_counter()
        for _ in range(5):
            db.execute(sql).fetchall()
        ms = (time.perf_counter() - t) / 5 * 1000
        plan = " | ".join(r[3] for r in db.execute("explain query plan " + sql))
        print(f"{label:10} {name:14} {ms:7.1f} ms  {plan}")


bench("existing")
db.execute("create index inbox_open_idx on c (workspace_id, last_message_at desc, id desc) where not (status='done')")
db.execute(
    "create index inbox_open_priority_idx on c (workspace_id, priority desc, last_message_at desc, id desc) where not (status='done')"
)
db.execute("create index inbox_all_idx on c (workspace_id, last_message_at desc, id desc)")
db.execute("analyze")
bench("proposed")
