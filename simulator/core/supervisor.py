"""``gailab serve`` under a supervisor: if the cloud is killed, it is back within a second with all its state.

Where Lambda containment cannot stop a handler from signalling the server (no user namespaces, no Landlock signal
scope, macOS), or when anything else kills it, the supervisor — a small process that holds the listening socket —
starts a new cloud on the same socket at once. The journal makes that lossless, and requests that arrive meanwhile
wait in the socket's backlog instead of failing. A stopped (SIGSTOP) cloud is continued. The cloud it starts knows
how many restarts came before (``GAILAB_RESTARTS``, ``GAILAB_LAST_RESTART``) and says so in its health; the
supervisor prints ``gailab local cloud restarting: ...`` for the app to show.

Most of a cloud's start is Python importing moto, boto3 and our services (about a second of CPU; several seconds on
a loaded machine). So the supervisor imports them once (:func:`~.server.preload`, no state made) and forks each
cloud from itself: a restart costs a fork and the replay of what came after the newest checkpoint. The forked cloud
runs the same command line it would have been exec'ed with (``python -m MODULE ARGS``, through :mod:`runpy`), with
the same environment and descriptors. Where fork is unavailable, the preload fails or a thread is running, each
cloud is a fresh ``subprocess`` instead.
"""

from __future__ import annotations

import gc
import os
import runpy
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import warnings
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


def _name(name: bytes) -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name, 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


#: What the supervisor prints, in English; ``gailab serve`` passes the learner's language's (tui/errors.py).
MESSAGES: dict[str, str] = {
    "killed": "killed by {signal}",
    "exited": "exited with code {code}",
    "restarting": "gailab local cloud restarting: {reason}",
    "gave_up": "gailab: the local cloud stopped {count} times within {seconds} s (last: {reason}); not restarting it again",
}


def describe(returncode: int, messages: dict[str, str] = MESSAGES) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return messages["killed"].format(signal=name)
    return messages["exited"].format(code=returncode)


def run(
    command: Callable[[int], list[str]],
    listen_fd: int,
    *,
    exit_with_parent: bool = False,
    fork: bool = True,
    messages: dict[str, str] | None = None,
) -> int:
    """Run ``command(restarts)`` (a ``gailab serve`` that serves on ``listen_fd``; a restart never asks for a fresh
    start) until it stops by choice; restart it when it dies otherwise. Returns the cloud's last exit code.
    ``fork``: preload the cloud's modules here and fork each cloud (see the module's docstring); False: exec each.
    ``messages``: :data:`MESSAGES` in the learner's language."""
    words = {**MESSAGES, **(messages or {})}
    stop = threading.Event()
    child: subprocess.Popen | _Forked | None = None
    forking = fork and _preloaded()

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
        cmd = command(len(restarts))
        if forking and _runs_module(cmd):
            child = _fork(cmd, env, listen_fd)
        else:
            child = subprocess.Popen(
                cmd,
                pass_fds=(listen_fd,),
                env=env,
                preexec_fn=_death_signal if sys.platform.startswith("linux") else None,
            )
        exited = _exit_signal(child.pid)
        while child.poll() is None:
            if _wait(stop, exited, 0.05):
                break
            if exit_with_parent and os.getppid() != parent:
                stop.set()
                child.send_signal(signal.SIGTERM)
                break
            if _stopped(child.pid):  # frozen by SIGSTOP: continue it
                os.kill(child.pid, signal.SIGCONT)
                print("gailab local cloud was stopped (SIGSTOP); continued", file=sys.stderr, flush=True)
        if exited is not None:
            os.close(exited)
        try:
            code = child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        if stop.is_set() or code in _CHOSEN:
            return code if code >= 0 else 1
        now = time.monotonic()
        restarts = [t for t in restarts if now - t < WINDOW] + [now]
        reason = describe(code, words)
        if len(restarts) > MAX_RESTARTS:
            print(
                words["gave_up"].format(reason=reason, count=len(restarts), seconds=f"{WINDOW:.0f}"),
                file=sys.stderr,
                flush=True,
            )
            return 1
        print(words["restarting"].format(reason=reason), flush=True)  # its journal brings everything back


def _exit_signal(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (Linux's pidfd), so a killed cloud is seen at once
    rather than at the next poll; None where there is none (each poll then sleeps its interval)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _wait(stop: threading.Event, exited: int | None, timeout: float) -> bool:
    """Wait up to ``timeout`` s, less if the child exits; True once the supervisor is asked to stop."""
    if exited is None:
        return stop.wait(timeout)
    select.select([exited], [], [], timeout)
    return stop.is_set()


def _stopped(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "T"
    except (OSError, IndexError):
        return False


# --- forked clouds ------------------------------------------------------------------------------------------------


def _preloaded() -> bool:
    """Import the cloud's modules into this process, once; True when forking a cloud from it is safe."""
    if not hasattr(os, "fork"):
        return False
    try:
        from . import server

        server.preload()
    except Exception as exc:  # a broken import shows in the cloud's own start instead
        print(f"gailab: could not preload the local cloud ({exc}); starting it as a new process", file=sys.stderr)
        return False
    gc.freeze()  # objects made so far stay out of the collector's way: their pages stay shared with every cloud
    _trim()
    return threading.active_count() == 1  # fork copies only the calling thread


def _trim() -> None:
    """Give the heap that imports freed back to the system before forking (glibc keeps it otherwise)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reseed() -> None:
    """A forked cloud must not draw the same unseeded IDs as its predecessor: moto's own random source is an
    instance that fork copies as it is (Python reseeds only its module-level one)."""
    try:
        from moto.moto_api._internal import mock_random

        mock_random.seed()
    except Exception:
        pass


def _runs_module(cmd: list[str]) -> bool:
    return len(cmd) >= 3 and cmd[0] == sys.executable and cmd[1] == "-m"


class _Forked:
    """A cloud forked from this process: the part of :class:`subprocess.Popen` that :func:`run` uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _fork(cmd: list[str], env: dict[str, str], listen_fd: int) -> _Forked:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid:
        return _Forked(pid)
    code = 1
    try:
        code = _serve_forked(cmd, env, listen_fd)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _serve_forked(cmd: list[str], env: dict[str, str], listen_fd: int) -> int:
    """In the forked child: become what ``exec(cmd)`` would have been, without starting Python again."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        _death_signal()
        _name(b"gailab-cloud")  # what ps and top show for it (its command line is the supervisor's)
    # What Popen(close_fds=True, pass_fds=(listen_fd,)) leaves: the standard streams and the listening socket.
    os.closerange(3, listen_fd)
    os.closerange(listen_fd + 1, 1 << 16)
    os.environ.clear()
    os.environ.update(env)
    _reseed()
    module = cmd[2]
    sys.argv = [module, *cmd[3:]]
    # runpy warns that the module is already imported (the supervisor runs it): expected, it runs afresh as __main__.
    warnings.filterwarnings(
        "ignore", message=r".*found in sys\.modules after import of package", category=RuntimeWarning
    )
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return 0
