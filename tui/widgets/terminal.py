"""The Terminal tab: one command at a time in the lab's workspace, with the local cloud's environment.

``aws`` and ``python`` resolve to the app's own virtual environment (its bin folder goes first on PATH). The
output streams from a thread worker as messages; ctrl+c sends SIGINT to the command's process group, then
SIGKILL if it does not stop. ``cd`` and ``clear`` are handled here; ↑/↓ walk the history.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, RichLog

from ..i18n import t


class TerminalPane(Vertical):
    BINDINGS = [
        Binding("ctrl+c", "stop", "stop", id="stop", priority=True),
        Binding("up", "history(-1)", show=False),
        Binding("down", "history(1)", show=False),
    ]

    class Output(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Finished(Message):
        def __init__(self, code: int | None, stopped: bool) -> None:
            super().__init__()
            self.code = code
            self.stopped = stopped

    def __init__(self, workspace: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = Path(workspace)
        self.cwd = self.workspace
        self.history: list[str] = []
        self._history_index = 0
        self.proc: subprocess.Popen | None = None
        self._stopping = False
        self.last_exit: int | None = None
        self.transcript: list[str] = []
        self._greeted = False

    def compose(self) -> ComposeResult:
        yield RichLog(id="term-log", wrap=True, markup=False, highlight=False, max_lines=5000, min_width=20)
        yield Input(placeholder=t("terminal.placeholder"), id="term-input", compact=True)

    def activate(self) -> None:
        """Called when the tab is shown: greet once, after layout (so the text wraps at the real width)."""
        if not self._greeted:
            self._greeted = True
            self.call_after_refresh(self.query_one(RichLog).write, Text(t("terminal.welcome"), style="dim"))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "stop":
            return self.running  # hidden (and ctrl+c left to copy) while nothing runs
        return True

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _write(self, text: str | Text) -> None:
        self.transcript.append(text.plain if isinstance(text, Text) else text)
        self.query_one(RichLog).write(text)

    @on(Input.Submitted, "#term-input")
    def _submitted(self, event: Input.Submitted) -> None:
        command = event.value.strip()
        if not command:
            return
        if self.running:
            self.app.notify(t("terminal.busy"), severity="warning")
            return
        event.input.value = ""
        self.run_command(command)

    def run_command(self, command: str) -> None:
        if not self.history or self.history[-1] != command:
            self.history.append(command)
        self._history_index = len(self.history)
        prompt = Text("$ ", style="bold green")
        prompt.append(command, style="bold")
        self._write(prompt)
        if command == "clear":
            self.query_one(RichLog).clear()
            return
        if command == "cd" or command.startswith("cd "):
            target = command[2:].strip() or str(self.workspace)
            path = (self.cwd / os.path.expanduser(target)).resolve()
            if path.is_dir():
                self.cwd = path
            else:
                self._write(Text(t("terminal.cd_error", path=target), style="red"))
            return
        self.last_exit = None
        self._stopping = False
        from .. import cloudops

        env = cloudops.terminal_env(self.app.endpoint if self.app.cloud_state == "ready" else None)
        try:
            self.proc = subprocess.Popen(
                ["/bin/bash", "-c", command] if os.path.exists("/bin/bash") else command,
                shell=not os.path.exists("/bin/bash"), cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:
            self._write(Text(str(exc), style="red"))
            return
        self.refresh_bindings()
        self._pump(self.proc)

    @work(thread=True, group="terminal", exit_on_error=False)
    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            self.post_message(self.Output(raw.decode("utf-8", "replace").rstrip("\n")))
        code = proc.wait()
        self.post_message(self.Finished(code, self._stopping))

    def on_terminal_pane_output(self, message: Output) -> None:
        self._write(Text.from_ansi(message.line))

    def on_terminal_pane_finished(self, message: Finished) -> None:
        self.last_exit = message.code
        if message.stopped:
            self._write(Text(t("terminal.stopped"), style="yellow"))
        elif message.code:
            self._write(Text(t("terminal.exit", code=message.code), style="red"))
        self.proc = None
        self.refresh_bindings()

    def action_stop(self) -> None:
        if not self.running:
            return
        self._stopping = True
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
        except OSError:
            return
        self.set_timer(2.0, self._force_stop)

    def _force_stop(self) -> None:
        if self.running:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._history_index = max(0, min(len(self.history), self._history_index + step))
        field = self.query_one("#term-input", Input)
        field.value = self.history[self._history_index] if self._history_index < len(self.history) else ""
        field.cursor_position = len(field.value)

    def on_unmount(self) -> None:
        if self.running:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def apply_language(self) -> None:
        self.query_one("#term-input", Input).placeholder = t("terminal.placeholder")
