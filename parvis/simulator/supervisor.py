"""Child processes of `manage.py demo`: started, their output prefixed, watched, and stopped with no orphan.

Each child runs in its own session (process group), so that stopping it reaches
its own children too (gunicorn's workers): SIGTERM to the group, a grace period,
then SIGKILL to whatever is left. On Linux each child also asks the kernel for
SIGTERM should the supervising process die without cleaning up (PR_SET_PDEATHSIG).
No Django here.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PR_SET_PDEATHSIG = 1
COLORS = ("36", "35", "33", "32", "34", "31")  # cyan, magenta, yellow, green, blue, red


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec function asking for SIGTERM when the parent dies (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # loaded here, not in the forked child
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return preexec


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a recycled id owned by someone else: not ours any more
        return False
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes]
    reader: threading.Thread | None = None
    stopping: bool = field(default=False)

    @property
    def pgid(self) -> int:
        return self.process.pid  # start_new_session: the child leads its own group

    @property
    def returncode(self) -> int | None:
        return self.process.poll()


class Supervisor:
    """Starts named children and relays their output line by line, prefixed with their name."""

    def __init__(
        self,
        *,
        write: Callable[[str], None],
        cwd: Path,
        env: Mapping[str, str],
        color: bool = False,
    ) -> None:
        self._write = write
        self._lock = threading.Lock()
        self.cwd = cwd
        self.env = dict(env)
        self.color = color
        self.children: list[Child] = []
        self._width = 9

    def say(self, name: str, line: str) -> None:
        """Write one line with a name prefix (thread-safe)."""
        prefix = f"{name:>{self._width}} |"
        if self.color:
            index = sum(ord(char) for char in name) % len(COLORS)
            prefix = f"\033[{COLORS[index]}m{prefix}\033[0m"
        with self._lock, contextlib.suppress(BrokenPipeError, ValueError):
            self._write(f"{prefix} {line}")

    def start(self, name: str, argv: Sequence[str]) -> Child:
        """Start `argv` as the child `name`, its stdout and stderr relayed by a thread."""
        process = subprocess.Popen(  # noqa: S603 - argv is built by the demo command, never from input
            list(argv),
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Only calls prctl, looked up before the fork: safe even with the relay threads running.
            preexec_fn=_die_with_parent(),
        )
        child = Child(name=name, argv=list(argv), process=process)
        if process.stdout is not None:
            child.reader = threading.Thread(
                target=self._relay, args=(name, process.stdout), daemon=True, name=f"relay-{name}"
            )
            child.reader.start()
        self.children.append(child)
        return child

    def _relay(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.say(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        stream.close()

    def exited(self) -> Child | None:
        """The first child that has ended without being asked to, if any."""
        for child in self.children:
            if not child.stopping and child.returncode is not None:
                return child
        return None

    def stop_all(self, *, grace: float = 10.0) -> list[str]:
        """SIGTERM every child's group (last started first), wait up to `grace` seconds, SIGKILL the rest.

        Returns the names of the children that had to be killed.
        """
        for child in reversed(self.children):
            child.stopping = True
            _signal_group(child.pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(
            child.returncode is None or _group_alive(child.pgid) for child in self.children
        ):
            time.sleep(0.1)
        killed = []
        for child in self.children:
            if child.returncode is None or _group_alive(child.pgid):
                killed.append(child.name)
                _signal_group(child.pgid, signal.SIGKILL)
        for child in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=5)
            if child.reader is not None:
                child.reader.join(timeout=2)
        return killed
