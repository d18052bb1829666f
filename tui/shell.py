"""The Terminal tab's engine, free of Textual: a shell session per lab and one running command at a time.

A command runs as ``bash -c`` in its own process group (Ctrl+C stops the whole group), with the local cloud's
environment and never the learner's AWS settings (:func:`gailab.simulator.client.local_env`). The session keeps
what a shell keeps between commands: an ``EXIT`` trap writes the working folder and the environment to a private
file, so ``cd`` and ``export`` (and ``eval "$(gailab env)"``) carry over to the next command. ``AWS_*`` variables
always come from the local cloud.

Output is read by a thread in chunks and split into lines into a bounded queue; the app takes them at its own
pace (:meth:`Run.take`). A flood never grows memory: the oldest lines not yet shown are dropped (and counted), and
the reader waits for the app once too many were dropped, so an endless printer costs little CPU.
"""

from __future__ import annotations

import codecs
import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

PENDING_LINES = 2000  # lines waiting for the app; older ones are dropped (the view keeps no more anyway)
FLOOD_PAUSE = 2 * PENDING_LINES  # the reader waits for the app after dropping this many lines: a flood blocks the writer
PARTIAL_LIMIT = 16_384  # a line longer than this is cut into pieces
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FORGET = {"SHLVL", "_", "PWD"}
_ENV = (shutil.which("env") or "env").replace("'", "")

# Programs that need a real terminal (full screen or raw keys): refused with the reason and what to do instead.
EDITORS = {"vi", "vim", "nvim", "nano", "emacs", "pico", "micro", "joe", "ed"}
FULL_SCREEN = {"top", "htop", "btop", "watch", "tmux", "screen", "mc", "ssh", "telnet", "ftp", "sftp", "mysql",
               "psql", "sqlite3", "ipython", "gailab"}
PYTHONS = {"python", "python3"}


def clean(text: str) -> str:
    """A line as plain text: colour codes removed, a carriage return keeps what was written after it."""
    if text.isprintable():
        return text
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\r" in text:
        text = text.rstrip("\r").rsplit("\r", 1)[-1]
    if "\t" in text:
        text = text.expandtabs()
    return _CONTROL.sub("", text) if not text.isprintable() else text


@dataclass
class Plan:
    """What to do with a command line: run ``script`` (maybe with a ``note`` first), or refuse with a ``reason``."""

    script: str | None
    note: str | None = None  # an i18n key
    reason: str | None = None  # an i18n key
    program: str = ""


def plan(command: str) -> Plan:
    """Decide how a command line runs in the tab (bare ``python`` becomes an interactive session, editors and
    full-screen programs are refused with what to use instead, ``aws configure`` is not needed)."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return Plan(command)  # bash reports the syntax error itself
    while words and "=" in words[0] and not words[0].startswith("="):
        words = words[1:]  # FOO=bar cmd
    if not words:
        return Plan(command)
    program = os.path.basename(words[0])
    if program in EDITORS:
        return Plan(None, reason="terminal.refuse_editor", program=program)
    if program in FULL_SCREEN:
        return Plan(None, reason="terminal.refuse_full_screen", program=program)
    if program == "aws" and len(words) >= 2 and words[1] == "configure" and (len(words) == 2 or words[2] in (
            "sso", "--profile", "import")):
        return Plan(None, reason="terminal.refuse_configure", program="aws configure")
    if re.fullmatch(r"python(3(\.\d+)?)?", program) and len(words) == 1 and ";" not in command and "|" not in command:
        return Plan(f"{words[0]} -i -q", note="terminal.python_repl", program=program)
    return Plan(command)


class ShellSession:
    """What carries over between the commands of one lab: the working folder, the variables, the history."""

    def __init__(self, workspace: Path, base_env: dict | None = None, lab: str | None = None):
        self.workspace = Path(workspace)
        self.lab = lab  # its calls carry the lab's app id: a lab reset forgets their ledger records
        self.cwd = self.workspace
        self.variables: dict[str, str] = {k: v for k, v in (os.environ if base_env is None else base_env).items()
                                          if not k.startswith("AWS_")}
        self.history: list[str] = []
        self.aws_overridden = False  # the last command set AWS_* variables the tab does not keep

    def remember(self, command: str) -> None:
        if not self.history or self.history[-1] != command:
            self.history.append(command)
            del self.history[:-500]

    def environment(self, endpoint: str | None, home: Path | None) -> dict[str, str]:
        from gailab.simulator.client import local_env

        env = local_env(endpoint, self.variables, home=home, workspace=self.workspace, lab=self.lab)
        env["TERM"] = "dumb"
        env["NO_COLOR"] = "1"
        env["PAGER"] = "cat"
        return env

    def start(self, script: str, endpoint: str | None, home: Path | None) -> "Run":
        cwd = self.cwd if self.cwd.is_dir() else self.workspace
        env = self.environment(endpoint, home)
        return Run(script, cwd, env, self)

    def load_state(self, path: Path, given: dict[str, str]) -> None:
        """Read what the command's EXIT trap wrote: the folder, then the environment (NUL-separated)."""
        try:
            raw = path.read_bytes()
        except OSError:
            return  # the command replaced the shell (exec) or removed the trap: keep the previous state
        parts = raw.decode("utf-8", "surrogateescape").split("\0")
        if not parts or not parts[0]:
            return
        folder = Path(parts[0])
        if folder.is_dir():
            self.cwd = folder
        variables = {}
        for item in parts[1:]:
            name, sep, value = item.partition("=")
            if sep and name and name not in _FORGET:
                variables[name] = value
        if not variables:
            return
        aws = {k: v for k, v in variables.items() if k.startswith("AWS_")}
        self.aws_overridden = any(given.get(k) != v for k, v in aws.items()) or any(
            k.startswith("AWS_") and k not in aws for k in given)
        for name in ("GAILAB_ENDPOINT", "GAILAB_HOME", "GAILAB_WORKSPACE", "PATH"):
            if variables.get(name) == given.get(name):
                variables.pop(name, None)  # ours: set again for every command
        if "PATH" not in variables and "PATH" in self.variables:
            variables["PATH"] = self.variables["PATH"]
        self.variables = {k: v for k, v in variables.items() if not k.startswith("AWS_")}


def _bash() -> str | None:
    return shutil.which("bash") or ("/bin/bash" if os.path.exists("/bin/bash") else None)


class Run:
    """One command: a process group, a reader thread, a bounded queue of lines, stdin for what the learner types."""

    def __init__(self, script: str, cwd: Path, env: dict[str, str], session: ShellSession | None = None):
        self.session = session
        self.env = env
        self.lock = threading.Lock()
        self.pending: deque[str] = deque(maxlen=PENDING_LINES)
        self.partial = ""
        self.lines_total = 0
        self.dropped_since_take = 0
        self.code: int | None = None
        self.finished = False
        self.stopping = False
        self.started = time.monotonic()
        self._taken = threading.Event()
        self._state_dir = tempfile.mkdtemp(prefix="gailab-shell-")
        self._state = Path(self._state_dir) / "state"
        bash = _bash()
        if bash:
            trap = ("__gailab_state=" + shlex.quote(str(self._state)) + "\n"
                    "trap 'builtin printf \"%s\\0\" \"$PWD\" > \"$__gailab_state\"; "
                    f"{_ENV} -0 >> \"$__gailab_state\" 2>/dev/null' EXIT\n")
            argv = [bash, "--noprofile", "--norc", "-c", trap + script]
        else:
            argv = ["/bin/sh", "-c", script]
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, name=f"gailab-terminal-{self.pid}", daemon=True)
        self._reader.start()

    # --- reading -------------------------------------------------------------------------------------------
    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        fd = self.proc.stdout.fileno()
        selector = selectors.DefaultSelector()
        selector.register(fd, selectors.EVENT_READ)
        exited_at = None
        try:
            while True:
                if self.dropped_since_take >= FLOOD_PAUSE:
                    self._taken.wait(0.2)  # the app has not caught up: let the pipe fill (the writer blocks)
                    self._taken.clear()
                if not selector.select(0.1):
                    if self.proc.poll() is not None:
                        exited_at = exited_at or time.monotonic()
                        if time.monotonic() - exited_at > 0.3:
                            break  # the command is over; a background child still holds the pipe
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self._feed(decoder.decode(chunk))
            self._feed(decoder.decode(b"", final=True))
        finally:
            selector.close()
            self.code = self.proc.wait()
            self._end_group()
            self.proc.stdout.close()
            with self.lock:
                if self.partial:
                    self._push([self.partial])
                    self.partial = ""
                self.finished = True
            if self.session is not None:
                self.session.load_state(self._state, self.env)
            shutil.rmtree(self._state_dir, ignore_errors=True)

    def _feed(self, text: str) -> None:
        if not text:
            return
        with self.lock:
            combined = self.partial + text
            count = combined.count("\n")
            if count > PENDING_LINES:  # a flood: split only the tail that can still be shown (in C, no objects)
                pieces = combined.rsplit("\n", PENDING_LINES)
                self.lines_total += count - (len(pieces) - 2)
                self.dropped_since_take += count - (len(pieces) - 2)
                pieces = pieces[1:]
            else:
                pieces = combined.split("\n")
            self.partial = pieces.pop()
            while len(self.partial) > PARTIAL_LIMIT:
                pieces.append(self.partial[:PARTIAL_LIMIT])
                self.partial = self.partial[PARTIAL_LIMIT:]
            self._push(pieces)

    def _push(self, lines: list[str]) -> None:
        self.lines_total += len(lines)
        overflow = len(self.pending) + len(lines) - PENDING_LINES
        if overflow > 0:
            self.dropped_since_take += overflow
        self.pending.extend(lines[-PENDING_LINES:])

    def take(self) -> tuple[list[str], str, int]:
        """(complete lines, the unfinished last line, lines dropped unseen) since the last take."""
        with self.lock:
            lines = list(self.pending)
            self.pending.clear()
            dropped, self.dropped_since_take = self.dropped_since_take, 0
            partial = self.partial
        self._taken.set()
        return lines, partial, dropped

    def consume_partial(self) -> str:
        """The unfinished line (a prompt) the learner is answering; it is not shown again."""
        with self.lock:
            partial, self.partial = self.partial, ""
        return partial

    # --- the process ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return not self.finished

    def send(self, text: str) -> bool:
        """Write a line to the command's stdin (False when it no longer reads)."""
        try:
            self.proc.stdin.write(text.encode() + b"\n")
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def end_input(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def signal(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def interrupt(self) -> None:
        """Ctrl+C: SIGINT to the whole group now (the caller follows with :meth:`kill` if it lingers)."""
        self.stopping = True
        with self.lock:
            self.pending.clear()  # what was printed but not yet shown is not worth waiting for
        self.signal(signal.SIGINT)

    def kill(self) -> None:
        self.stopping = True
        self.signal(signal.SIGKILL)

    def _end_group(self) -> None:
        """The command is over: whatever it left in its group (``sleep 99 &``) ends with it."""
        self.signal(signal.SIGKILL)
        try:
            self.proc.stdin.close()
        except OSError:
            pass
