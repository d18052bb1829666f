"""A local cloud in a child process (``gailab serve``), for the terminal app, ``gailab grade --fresh`` and tests.

The child prints ``gailab local cloud ready at <endpoint>`` when it serves; we read that line, so port 0 works.
It dies with its parent: Linux's parent-death signal where available, and ``--exit-with-parent`` otherwise.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from ..client import CloudUnavailable, health  # noqa: F401 (re-exported: callers import them from here too)
from .home import resolve_home

_READY = re.compile(r"(?:ready at|pronta em) (\S+)")  # the ready line in either language (tui/errors.py)
#: The supervisor's restart line in either language (supervisor.MESSAGES, tui/errors.py).
_RESTARTING = re.compile(r"^(?:gailab local cloud restarting|nuvem local do gailab reiniciando): ")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class CloudProcess:
    """``gailab serve`` as a child process. ``state`` is starting, ready, restarting (its supervisor is bringing it
    back after it was killed; ``restarts`` counts) or down (with ``reason``)."""

    def __init__(
        self,
        home: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fresh: bool = False,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ):
        self.home = resolve_home(home)
        self.host = host
        self.port = port
        self.fresh = fresh
        self.extra_args = list(extra_args or [])
        self.env = env
        self.endpoint: str | None = None
        self.state = "stopped"
        self.reason = ""
        self.proc: subprocess.Popen | None = None
        self._ready = threading.Event()
        #: How often the supervisor restarted the cloud, why the last time, and a callback for each restart.
        self.restarts = 0
        self.last_restart = ""
        self.on_restart = None
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self.output: deque[str] = deque(maxlen=200)

    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "gailab.tui.cli",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--home",
            str(self.home),
            "--exit-with-parent",
        ]
        if self.fresh:
            cmd.append("--fresh")
        return cmd + self.extra_args

    def spawn(self) -> "CloudProcess":
        """Start the child and return at once; :meth:`wait_ready` blocks until it serves."""
        from ..client import local_env

        env = local_env(None, os.environ if self.env is None else self.env)  # the cloud never needs AWS settings
        env.setdefault("PYTHONUNBUFFERED", "1")
        # glibc gives each thread that allocates its own heap arena (up to 8 per core); the cloud's request threads
        # share the GIL anyway, so two arenas cost no speed and keep ~10-25 MiB less resident (bench/bench_tui.py).
        env.setdefault("MALLOC_ARENA_MAX", "2")
        self.state = "starting"
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        return self

    def _read_stdout(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))
            match = _READY.search(line)
            if match and not self._ready.is_set():
                self.endpoint = match.group(1)
                self.state = "ready"
                self._ready.set()
            elif match and self.state == "restarting":
                self.state = "ready"
            elif _RESTARTING.match(line):
                # Its supervisor brings it back (same endpoint, journal replayed): the app says so.
                self.restarts += 1
                self.last_restart = line.split(":", 1)[-1].strip()
                self.state = "restarting"
                if self.on_restart is not None:
                    self.on_restart(self.last_restart)
        self._exited()

    def _read_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            if line.strip():
                self._stderr_tail.append(line)
                self.output.append(line)

    def _exited(self) -> None:
        if self.proc is not None:
            code = self.proc.wait()
            if self.state != "stopped":
                self.state = "down"
                last = self._stderr_tail[-1] if self._stderr_tail else ""
                self.reason = last or f"the cloud exited with code {code}"
        self._ready.set()

    def wait_ready(self, timeout: float = 60.0) -> str:
        if not self._ready.wait(timeout):
            self.state, self.reason = "down", f"the cloud did not start within {timeout:.0f} s"
            raise CloudUnavailable(self.reason)
        if self.state != "ready" or self.endpoint is None:
            raise CloudUnavailable(self.reason or "the cloud exited before it was ready")
        return self.endpoint

    def start(self, timeout: float = 60.0) -> "CloudProcess":
        self.spawn()
        self.wait_ready(timeout)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the journal is flushed), then SIGKILL if it does not go."""
        if self.proc is None:
            return
        self.state = "stopped"
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self, timeout: float = 30.0) -> None:
        """SIGKILL, as a crash would (tests of durability use it). Returns once the cloud its supervisor ran is gone
        too (it dies of the parent-death signal, which a loaded machine may take a moment to deliver), so the home's
        lock is free for the next start."""
        if self.proc is not None and self.proc.poll() is None:
            self.state = "stopped"
            children = _children(self.proc.pid)
            self.proc.kill()
            self.proc.wait()
            deadline = time.monotonic() + timeout
            while any(_running(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.01)

    def __enter__(self) -> "CloudProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(child) for child in f.read().split()]
    except (OSError, ValueError):
        return []


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a zombie holds no files, so no lock)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll ``predicate`` until it returns something truthy, or raise TimeoutError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)
