"""The Terminal tab: commands in the lab's shell session, on the local cloud, without ever freezing the app.

The engine is :mod:`gailab.tui.shell` (one process group per command, a session that keeps ``cd`` and ``export``).
This widget takes the command's output twenty times a second (ten during a flood), at most a few thousand lines
at a time, into a bounded :class:`OutputView`; Ctrl+C stops the whole group (SIGINT, then SIGKILL 0.3 s later) and says
"[stopped]". While a command runs, Enter sends the line to its input and Ctrl+D ends the input. Commands wait
for a cloud that is starting, and are refused with a clear line when there is no cloud to point them at: they
never run against whatever AWS the learner's own settings name. ``clear`` empties the view; ↑/↓ walk the history;
PageUp/PageDown scroll the output.

The pane gets its cloud as attributes (``endpoint``, ``cloud_state``), bound by its screen.
"""

from __future__ import annotations

from pathlib import Path
from time import monotonic

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label

from ..i18n import follow_language, t
from ..shell import Run, ShellSession, clean, plan
from .outputview import OutputView

TICK = 1 / 20  # seconds between two batches of output on screen
PROMPT_EVERY = 0.25  # seconds between two updates of the running command's line count
FLOOD_LINES = 200  # a batch this big means a flood: then the output is drawn ten times a second, not twenty,
FLOOD_TICK = 1 / 10  # which leaves the learner's keys more of the event loop (bench/bench_tui.py)
KILL_AFTER = 0.3  # seconds between Ctrl+C's SIGINT and SIGKILL


class TerminalPane(Vertical):
    BINDINGS = [
        Binding("ctrl+c", "stop", "stop", id="stop", priority=True),
        Binding("ctrl+d", "end_input", "end input", id="end_input", priority=True),
        Binding("up", "history(-1)", show=False),
        Binding("down", "history(1)", show=False),
        Binding("pageup", "scroll_output(-1)", show=False),
        Binding("pagedown", "scroll_output(1)", show=False),
    ]

    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class Finished(Message):
        """A command ended (the screen's watch mode grades again)."""

        def __init__(self, code: int | None, stopped: bool) -> None:
            super().__init__()
            self.code = code
            self.stopped = stopped

    def __init__(self, session: ShellSession, home: Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.home = home
        self.run: Run | None = None
        self.queued: str | None = None
        self.last_exit: int | None = None
        self.dropped = 0
        self._history_index = len(session.history)
        self._greeted = False
        self._ticker = None
        self._kill_timer = None
        self._prompt_shown = 0.0
        self._drained = 0.0
        self._flooding = False

    @property
    def workspace(self) -> Path:
        return self.session.workspace

    @property
    def cwd(self) -> Path:
        return self.session.cwd

    @property
    def history(self) -> list[str]:
        return self.session.history

    @property
    def running(self) -> bool:
        return self.run is not None

    @property
    def proc(self) -> Run | None:
        return self.run

    @property
    def transcript(self) -> list[str]:
        """What the view holds, as plain lines (bounded like the view)."""
        return self.query_one(OutputView).plain_lines

    def compose(self) -> ComposeResult:
        yield OutputView(id="term-log")
        with Horizontal(id="term-line"):
            yield Label(self._prompt_text(), id="term-prompt", markup=False)
            yield Input(placeholder=t("terminal.placeholder"), id="term-input", compact=True, select_on_focus=False)

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)

    def activate(self) -> None:
        """Called when the tab is shown: greet once, after layout (so the text wraps at the real width)."""
        if not self._greeted:
            self._greeted = True
            self.call_after_refresh(self._note, t("terminal.welcome"))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "stop":
            return self.running or self.queued is not None  # hidden (ctrl+c left to copy) while nothing runs
        if action == "end_input":
            return self.running
        return True

    # --- writing -----------------------------------------------------------------------------------------
    def _view(self) -> OutputView:
        return self.query_one(OutputView)

    def _note(self, text: str, style: str = "note") -> None:
        self._view().write_lines(text.split("\n"), style)

    def _prompt_text(self) -> str:
        if self.run is not None:
            lines = self.run.lines_total
            return t("terminal.running", lines=f"{lines:,}".replace(",", "\u202f")) + " "
        try:
            where = self.cwd.relative_to(self.workspace.parent).as_posix()
        except ValueError:
            where = str(self.cwd)
        if len(where) > 24:
            where = "…" + where[-23:]
        return f"{where} $ "

    def _show_prompt(self) -> None:
        self.query_one("#term-prompt", Label).update(self._prompt_text())
        field = self.query_one("#term-input", Input)
        field.placeholder = t("terminal.input_placeholder") if self.running else t("terminal.placeholder")

    # --- commands ----------------------------------------------------------------------------------------
    @on(Input.Submitted, "#term-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value
        event.input.value = ""
        if self.run is not None:
            prompt = self.run.consume_partial()  # the program's prompt, answered by this line
            self._view().write_lines([clean(prompt) + value], "input")
            if not self.run.send(value):
                self._note(t("terminal.no_input"))
            return
        if self.queued is not None:
            self.app.notify(t("terminal.busy"), severity="warning")
            event.input.value = value
            return
        if value.strip():
            self.run_command(value.strip())

    def run_command(self, command: str) -> None:
        self.session.remember(command)
        self._history_index = len(self.history)
        view = self._view()
        view.write_lines([f"$ {command}"], "prompt")
        if command == "clear":
            view.clear()
            return
        decided = plan(command)
        if decided.script is None:
            self._note(t(decided.reason, program=decided.program), "error")
            return
        if decided.note:
            self._note(t(decided.note))
        if self.cloud_state == "starting" and not self.endpoint:
            self.queued = decided.script
            self._note(t("terminal.waiting"))
            self.refresh_bindings()
            return
        self._start(decided.script)

    def _start(self, script: str) -> None:
        if not self.endpoint:
            self._note(t("terminal.no_cloud"), "error")
            return
        if self.cloud_state == "down":
            self._note(t("terminal.cloud_down"))
        self.last_exit = None
        self.dropped = 0
        self._flooding = False
        try:
            self.run = self.session.start(script, self.endpoint, self.home)
        except OSError as exc:
            self._note(str(exc), "error")
            return
        self._ticker = self.set_interval(TICK, self._drain)
        self._show_prompt()
        self.refresh_bindings()

    def watch_cloud_state(self, state: str) -> None:
        if self.queued is None or state == "starting":
            return
        script, self.queued = self.queued, None
        self.refresh_bindings()
        self._start(script)

    def _drain(self) -> None:
        run = self.run
        if run is None:
            return
        now = monotonic()
        if self._flooding and now - self._drained < FLOOD_TICK and not run.finished:
            return
        self._drained = now
        lines, partial, dropped = run.take()
        self._flooding = len(lines) + dropped >= FLOOD_LINES
        view = self._view()
        if dropped:
            self.dropped += dropped
        if lines:
            view.write_lines([clean(line) for line in lines])
        view.set_open(clean(partial) if partial and not run.finished else None)
        if now - self._prompt_shown >= PROMPT_EVERY:  # the line count: a new label width is a new layout
            self._prompt_shown = now
            self._show_prompt()
        if run.finished and not run.pending:
            self._finish(run)

    def _finish(self, run: Run) -> None:
        self.run = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        if self._kill_timer is not None:
            self._kill_timer.stop()
            self._kill_timer = None
        self.last_exit = run.code
        view = self._view()
        if run.stopping:
            view.write_lines([t("terminal.stopped")], "stopped")
        elif run.code:
            view.write_lines([t("terminal.exit", code=run.code)], "error")
        if self.dropped:
            self._note(t("terminal.skipped", lines=f"{self.dropped:,}".replace(",", "\u202f")))
        if self.session.aws_overridden:
            self._note(t("terminal.aws_fixed"))
            self.session.aws_overridden = False
        self._show_prompt()
        self.refresh_bindings()
        self.post_message(self.Finished(run.code, run.stopping))

    # --- keys --------------------------------------------------------------------------------------------
    def action_stop(self) -> None:
        if self.queued is not None:
            self.queued = None
            self._view().write_lines([t("terminal.stopped")], "stopped")
            self.refresh_bindings()
            return
        run = self.run
        if run is None:
            return
        run.interrupt()
        self._kill_timer = self.set_timer(KILL_AFTER, self._force_stop)

    def _force_stop(self) -> None:
        self._kill_timer = None
        if self.run is not None:
            self.run.kill()

    def action_end_input(self) -> None:
        if self.run is not None:
            self.run.end_input()

    def action_history(self, step: int) -> None:
        if not self.history or self.run is not None:
            return
        self._history_index = max(0, min(len(self.history), self._history_index + step))
        field = self.query_one("#term-input", Input)
        field.value = self.history[self._history_index] if self._history_index < len(self.history) else ""
        field.cursor_position = len(field.value)

    def action_scroll_output(self, direction: int) -> None:
        view = self._view()
        page = max(1, view.scrollable_content_region.height - 1)
        view.scroll_to(y=view.scroll_y + direction * page, animate=False)

    def paste_command(self, command: str) -> None:
        """Put a command (from the instructions) in the input line, ready to edit and run."""
        field = self.query_one("#term-input", Input)
        field.value = command
        field.cursor_position = len(command)
        field.focus()

    def on_unmount(self) -> None:
        if self.run is not None:
            self.run.kill()

    def apply_language(self) -> None:
        self._show_prompt()
