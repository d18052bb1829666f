"""``gailab serve`` under a supervisor: if the cloud is killed, it is back within a second with all its state.

Where Lambda containment cannot stop a handler from signalling the server (no user namespaces, no Landlock signal
scope, macOS), or when anything else kills it, the supervisor — a small process that holds the listening socket —
starts a new cloud on the same socket at once. The journal makes that lossless, and requests that arrive meanwhile
wait in the socket's backlog instead of failing. A stopped (SIGSTOP) cloud is continued. The cloud it starts knows
how many restarts came before (``GAILAB_RESTARTS``, ``GAILAB_LAST_RESTART``) and says so in its health; the
supervisor prints ``gailab local cloud restarting: ...`` for the app to show.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

#: More restarts than this within :data:`WINDOW` seconds: something is wrong with the cloud itself; give up.
MAX_RESTARTS = 5
WINDOW = 60.0
#: Exit codes that mean the cloud chose to stop (clean stop, usage or start error, Ctrl-C): no restart.
_CHOSEN = {0, 2, 130}


def _death_signal() -> None:  # in the cloud, between fork and exec: it dies with the supervisor
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


def run(command: Callable[[int], list[str]], listen_fd: int, *, exit_with_parent: bool = False) -> int:
    """Run ``command(restarts)`` (a ``gailab serve`` that serves on ``listen_fd``; a restart never asks for a fresh
    start) until it stops by choice; restart it when it dies otherwise. Returns the cloud's last exit code."""
    stop = threading.Event()
    child: subprocess.Popen | None = None

    def on_signal(signum, _frame) -> None:
        stop.set()
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    parent = os.getppid()
    restarts: list[float] = []
    reason = ""
    while True:
        env = dict(os.environ)
        env["GAILAB_SUPERVISED"] = "1"
        if restarts:
            env["GAILAB_RESTARTS"] = str(len(restarts))
            env["GAILAB_LAST_RESTART"] = reason
        child = subprocess.Popen(
            command(len(restarts)),
            pass_fds=(listen_fd,),
            env=env,
            preexec_fn=_death_signal if sys.platform.startswith("linux") else None,
        )
        while child.poll() is None:
            if stop.wait(0.1):
                break
            if exit_with_parent and os.getppid() != parent:
                stop.set()
                child.send_signal(signal.SIGTERM)
                break
            if _stopped(child.pid):  # frozen by SIGSTOP: continue it
                os.kill(child.pid, signal.SIGCONT)
                print("gailab local cloud was stopped (SIGSTOP); continued", file=sys.stderr, flush=True)
        try:
            code = child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        if stop.is_set() or code in _CHOSEN:
            return code if code >= 0 else 1
        now = time.monotonic()
        restarts = [t for t in restarts if now - t < WINDOW] + [now]
        reason = describe(code)
        if len(restarts) > MAX_RESTARTS:
            print(
                f"gailab: the local cloud {reason} {len(restarts)} times within {WINDOW:.0f} s; not restarting it "
                "again",
                file=sys.stderr,
                flush=True,
            )
            return 1
        print(f"gailab local cloud restarting: {reason}", flush=True)  # its journal brings everything back


def _stopped(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "T"
    except (OSError, IndexError):
        return False
