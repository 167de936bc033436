"""The demo's child processes: output relayed, deaths noticed, and nothing left behind."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from parvis.simulator.supervisor import Supervisor

SPAWN_GRANDCHILD = """
import subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("grandchild", grandchild.pid, flush=True)
time.sleep(60)
"""

IGNORE_SIGTERM = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


class Lines:
    def __init__(self):
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)

    def wait_for(self, needle: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for line in self.lines:
                    if needle in line:
                        return line
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never written; got {self.lines}")


def supervisor(lines: Lines) -> Supervisor:
    return Supervisor(write=lines.write, cwd=Path.cwd(), env=dict(os.environ))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_output_is_relayed_line_by_line_with_the_childs_name():
    lines = Lines()
    sup = supervisor(lines)
    sup.start("hello", [sys.executable, "-c", "print('one'); print('two')"])
    assert lines.wait_for("two").endswith("| two")
    assert lines.wait_for("one").strip().startswith("hello |")
    sup.stop_all()


def test_a_child_that_dies_is_noticed():
    sup = supervisor(Lines())
    sup.start("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    sup.start("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"])
    deadline = time.monotonic() + 10
    while sup.exited() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    dead = sup.exited()
    assert dead is not None
    assert (dead.name, dead.returncode) == ("crasher", 3)
    sup.stop_all()


def test_stopping_ends_every_child_and_the_childrens_children():
    lines = Lines()
    sup = supervisor(lines)
    child = sup.start("parent", [sys.executable, "-c", SPAWN_GRANDCHILD])
    grandchild = int(lines.wait_for("grandchild").split()[-1])
    assert alive(grandchild)

    killed = sup.stop_all(grace=5)

    assert killed == []
    assert child.returncode is not None
    assert sup.exited() is None  # stopped on purpose, not died
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_a_child_deaf_to_sigterm_is_killed_after_the_grace_period():
    lines = Lines()
    sup = supervisor(lines)
    child = sup.start("stubborn", [sys.executable, "-c", IGNORE_SIGTERM])
    lines.wait_for("ready")

    started = time.monotonic()
    killed = sup.stop_all(grace=0.5)

    assert killed == ["stubborn"]
    assert child.returncode is not None
    assert time.monotonic() - started < 5
