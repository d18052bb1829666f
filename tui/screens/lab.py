"""A lab: its steps and instructions beside a tabbed workspace (Editor, Terminal, Playground, Explorer, Quiz).

The rhythm is rustlings': the screen watches the lab (a saved file, a finished command, any change in the cloud's
journal) and re-runs the Check quietly in the background, so the steps update as the learner works — ✓ done,
◐ partly done, · still to do, ✗ only once they asked for a Check. The header's step is the first unfinished one.
When the lab passes, the learner is congratulated, shown what they built, offered the reference solution to compare
and the next lab. Ctrl+K checks on demand (recorded); F4 shows the next hint, and the hints shown so far stay under
the step's instructions. Solve and Reset ask first and are recorded.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, ListItem, ListView, TabbedContent, TabPane

from .. import progress
from ..i18n import follow_language, get_lang, localize_screen, t
from ..widgets.editor import EditorPane
from ..widgets.explorer import ExplorerPane
from ..widgets.instructions import CodeBlock, Instructions
from ..widgets.playground import PlaygroundPane
from ..widgets.quiz import QuizPane
from ..widgets.terminal import TerminalPane
from ..widgets.topbar import TopBar
from .confirm import Confirm
from .results import CheckResultsScreen  # noqa: F401  (where tests and older code import it from)

ANCHOR = re.compile(r"\s*\{#[a-z0-9-]+\}[ \t]*$", re.M)
TABS = ("editor", "terminal", "playground", "explorer", "quiz")
WATCH_POLL = 2.0  # seconds between two looks at the cloud's journal for changes
REGRADE_DELAY = 0.4  # a burst of changes (a script's many calls) is graded once


class WorkspaceTabs(TabbedContent):
    """The workspace's tabs. A widget focused inside a hidden pane makes TabbedContent show that pane, through a
    message handled later; by then the learner may have chosen another tab (F6 F9 F7 typed at once, keys queued on
    a loaded machine) and the stale message took them back to an earlier tab. Only a pane that still holds the
    focused widget is shown."""

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors:
            event.stop()
            event.prevent_default()  # TabbedContent's own handler would show the pane anyway


def workspace_for(lab, home: Path, lang: str | None = None) -> Path:
    """The learner's copy of the lab's starter files, its comments in the learner's language."""
    from gailab.labs.workspace import workspace_for as labs_workspace_for

    return Path(labs_workspace_for(lab, home, lang))


class LabScreen(Screen):
    is_lab_screen = True
    BINDINGS = [
        Binding("ctrl+k", "check", "check", id="check", priority=True),
        Binding("f4,ctrl+h", "hint", "hint", id="hint", priority=True),
        Binding("ctrl+s", "save", "save", id="save", priority=True),
        Binding("ctrl+d", "deploy", "deploy", id="deploy", priority=True),
        Binding("f2", "toggle_layout", "panes", id="layout", priority=True),
        Binding("f3", "toggle_steps", "all steps", id="steps", show=False, priority=True),
        Binding("f5", "show_tab('editor')", "editor", id="tab_editor", show=False, priority=True),
        Binding("f6", "show_tab('terminal')", "terminal", id="tab_terminal", show=False, priority=True),
        Binding("f7", "show_tab('playground')", "playground", id="tab_playground", show=False, priority=True),
        Binding("f8", "show_tab('explorer')", "explorer", id="tab_explorer", show=False, priority=True),
        Binding("f9", "show_tab('quiz')", "quiz", id="tab_quiz", show=False, priority=True),
        Binding("escape", "back", "back", id="back"),
    ]
    LAYOUTS = ("split", "instructions", "workspace")

    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class Graded(Message):
        def __init__(self, report, recorded: bool, error: str | None) -> None:
            super().__init__()
            self.report = report
            self.recorded = recorded
            self.error = error

    class ActionDone(Message):
        def __init__(self, kind: str, error: str | None) -> None:
            super().__init__()
            self.kind = kind
            self.error = error

    def __init__(self, lab) -> None:
        super().__init__()
        self.lab = lab
        self.workspace = workspace_for(lab, self.app.home, self.app.lang)
        self.step_states: dict[str, str] = progress.step_states(lab, None, False)
        self.current = 0  # the step being read
        self.all_steps = False
        self.layout_mode = "split"
        self.hint_index: dict[str, int] = {}
        self.checking = False
        self.checked = False  # the learner asked for a Check: failing steps show ✗ from now on
        self.last_report = None
        self.watching = True
        self.regrades = 0  # quiet re-grades the watch mode ran (tests and the help screen)
        self._regrade_timer = None
        self._regrade_again = False
        self._check_after = False  # Ctrl+K during a quiet re-grade
        self._journal_seen: int | None = None
        self._celebrated = False
        self._start_over = True  # the next quiet grade puts the learner on the first unfinished step
        self.acting = False  # Solve or Reset is changing the cloud: the watch mode waits for it

    def has_quiz(self) -> bool:
        return any(step.quiz for step in self.lab.steps)

    def tab_ids(self) -> list[str]:
        return [tab for tab in TABS if tab != "quiz" or self.has_quiz()]

    # --- layout ------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TopBar(self._title_text(), self._progress_text(), id="topbar")
        with Horizontal(id="lab-body", classes="-split"):
            with Vertical(id="steps-pane"):
                yield ListView(*[ListItem(Label(self._step_label(i), markup=False)) for i in range(len(self.lab.steps))],
                               id="step-list")
                with VerticalScroll(id="step-scroll"):
                    yield Instructions(self._step_markdown(), id="step-text")
                with Horizontal(id="lab-actions"):
                    yield Button(t("lab.check_button"), id="check-button", variant="primary", compact=True)
                    yield Button(t("lab.hint_button"), id="hint-button", compact=True)
            with WorkspaceTabs(id="workspace", initial="tab-" + self._initial_tab()):
                with TabPane(t("lab.tab.editor"), id="tab-editor"):
                    yield EditorPane(self.workspace, self.lab.deploy, id="editor").data_bind(
                        LabScreen.endpoint, LabScreen.cloud_state)
                with TabPane(t("lab.tab.terminal"), id="tab-terminal"):
                    session = self.app.shell_session(self.lab.id, self.workspace)
                    yield TerminalPane(session, home=self.app.home, id="terminal").data_bind(
                        LabScreen.endpoint, LabScreen.cloud_state)
                with TabPane(t("lab.tab.playground"), id="tab-playground"):
                    yield PlaygroundPane(id="playground").data_bind(LabScreen.endpoint, LabScreen.cloud_state)
                with TabPane(t("lab.tab.explorer"), id="tab-explorer"):
                    yield ExplorerPane(id="explorer").data_bind(LabScreen.endpoint, LabScreen.cloud_state)
                if self.has_quiz():
                    with TabPane(t("lab.tab.quiz"), id="tab-quiz"):
                        yield QuizPane(self.lab, self.workspace, id="quiz")
        yield Footer()

    def _initial_tab(self) -> str:
        if self.has_quiz() and all(step.quiz for step in self.lab.steps):
            return "quiz"
        has_files = any(p.is_file() for p in self.workspace.rglob("*") if "__pycache__" not in p.parts)
        return "editor" if has_files else "terminal"

    def on_mount(self) -> None:
        localize_screen(self)
        self._advertise_editor_keys(self._initial_tab())
        follow_language(self, self.apply_language)
        self.query_one("#steps-pane").border_title = t("lab.steps")
        self.query_one(ListView).index = 0
        from ..architecture import expected_for

        self.query_one(ExplorerPane).expected = expected_for(self.lab, self.app.labs)
        self.watch(self.app, "endpoint", self._endpoint_changed)
        self.watch(self.app, "cloud_state", self._cloud_changed)
        if self.query_one(TabbedContent).active == "tab-terminal":
            self.query_one(TerminalPane).activate()
        self.set_interval(WATCH_POLL, self._poll_journal)

    def _endpoint_changed(self, endpoint: str | None) -> None:
        self.endpoint = endpoint

    def _cloud_changed(self, state: str) -> None:
        self.cloud_state = state
        if state == "ready" and not self.checking:
            self.grade(record=False)  # the steps' states from the start (and again after a restart)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "deploy":
            terminal = self.query(TerminalPane)
            if terminal and terminal.first().running and terminal.first().has_focus_within:
                return False  # ctrl+d ends the running command's input there, as in a shell
        if action == "show_tab" and parameters and parameters[0] == "quiz" and not self.has_quiz():
            return False
        return True

    def action_toggle_layout(self) -> None:
        index = self.LAYOUTS.index(self.layout_mode)
        self.layout_mode = self.LAYOUTS[(index + 1) % len(self.LAYOUTS)]
        focused = self.focused
        self.query_one("#lab-body").set_classes(f"-{self.layout_mode}")
        self._advertise_editor_keys(self.query_one(TabbedContent).active.removeprefix("tab-"))
        # The learner keeps typing where they were; if that pane is now hidden, focus goes to the visible one.
        self.call_after_refresh(self._keep_focus, focused)

    def _keep_focus(self, focused) -> None:
        hidden = getattr(self, "_hidden_focus", None)
        if hidden is not None and hidden.is_attached and self._visible(hidden) and focused is self.query_one(
                "#step-list"):
            focused = hidden  # the pane the learner was typing in is back: so is the cursor
        if focused is not None and focused.is_attached and focused.display and self._visible(focused):
            self._hidden_focus = None
            focused.focus()
            focused.scroll_visible(animate=False)
            return
        self._hidden_focus = focused
        if self.layout_mode == "instructions":
            self.query_one("#step-list").focus()
        else:
            self._focus_tab(self.query_one(TabbedContent).active.removeprefix("tab-"))

    def _visible(self, widget) -> bool:
        node = widget
        while node is not None and node is not self:
            if not node.display:
                return False
            node = node.parent
        return True

    def action_toggle_steps(self) -> None:
        self.all_steps = not self.all_steps
        self._show_step()

    def show_tab(self, name: str) -> None:
        if name not in self.tab_ids():
            return
        if self.layout_mode == "instructions":
            self.layout_mode = "split"
            self.query_one("#lab-body").set_classes("-split")
        self.set_focus(None)  # the focused widget may be hidden by the switch; drop it first
        self.query_one(TabbedContent).active = f"tab-{name}"
        self._advertise_editor_keys(name)
        self._focus_tab(name)

    def action_show_tab(self, name: str) -> None:
        self.show_tab(name)

    def _focus_tab(self, name: str) -> None:
        target = {"terminal": "#term-input", "playground": "#play-prompt", "editor": "#editor-text",
                  "explorer": "#explorer-tree"}.get(name)
        if target:
            # At once when the pane is shown already, so keys typed right after the switch land there (a deferred
            # focus lost them to no widget); else after the refresh that shows it.
            widget = self.query_one(target)
            self.set_focus(widget)
            if self.focused is not widget:
                self.call_after_refresh(self._focus_if_showing, name, widget.focus)
        elif name == "quiz":
            quiz = self.query_one(QuizPane)
            fields = quiz.query("RadioSet, Checkbox, Select")
            if fields:
                first = fields.first()
                self.call_after_refresh(self._focus_if_showing, name, lambda: self._focus_first_answer(quiz, first))
        if name == "explorer":
            self.query_one(ExplorerPane).activate()
        if name == "terminal":
            self.query_one(TerminalPane).activate()

    def _focus_if_showing(self, name: str, focus) -> None:
        """A focus deferred to the next refresh, unless the learner chose another tab meanwhile (F9 then F5): a
        field focused inside a hidden pane makes the TabbedContent show that pane again."""
        if self.query_one(TabbedContent).active == f"tab-{name}":
            focus()

    def _focus_first_answer(self, quiz: QuizPane, field) -> None:
        """The first answer field, with its question above it in view (scrolling to the field hid the question)."""
        field.focus(scroll_visible=False)
        quiz.scroll_home(animate=False)

    @on(CodeBlock.Paste)
    def _paste_command(self, message: CodeBlock.Paste) -> None:
        """A command from the instructions goes to the Terminal tab's input (shown beside them when both fit)."""
        self.show_tab("terminal")
        terminal = self.query_one(TerminalPane)
        self.call_after_refresh(terminal.paste_command, message.command)

    def _advertise_editor_keys(self, tab: str) -> None:
        """Save and Deploy are in the footer only with the Editor showing (at 80 columns the footer has no room
        for keys that do nothing where the learner is); the keys work everywhere. Deploy only in labs with a
        function (elsewhere ctrl+d still answers that there is nothing to deploy)."""
        keys = self._bindings.key_to_bindings
        editor = tab == "editor" and self.layout_mode != "instructions"
        for key, show in (("ctrl+s", editor), ("ctrl+d", editor and bool(self.lab.deploy))):
            keys[key] = [replace(b, show=show) for b in keys.get(key, [])]
        self.refresh_bindings()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._advertise_editor_keys((event.pane.id or "").removeprefix("tab-"))
        if event.pane.id == "tab-explorer":
            self.query_one(ExplorerPane).activate()
        elif event.pane.id == "tab-terminal":
            self.query_one(TerminalPane).activate()

    @on(Confirm)
    def _confirm(self, message: Confirm) -> None:
        """A pane asks before something that cannot be undone; the screen asks the learner."""
        from .confirm import ConfirmScreen

        message.stop()
        self.app.push_screen(ConfirmScreen(message.question), lambda yes: message.answered(bool(yes)))

    # --- steps -------------------------------------------------------------------------------------------
    def _title_text(self) -> str:
        return f"{t('lab.back')} · {self.lab.title(get_lang())}"

    def first_unfinished(self) -> int | None:
        return progress.first_unfinished(self.lab, self.step_states)

    def _progress_text(self) -> str:
        first = self.first_unfinished()
        if first is None:
            text = t("lab.all_done", total=len(self.lab.steps))
        else:
            text = t("lab.step_of", n=first + 1, total=len(self.lab.steps))
        if self.last_report is not None:
            icon = "✓" if self.last_report.passed else "◐"
            text += f"  {icon} {self.last_report.total}/{self.last_report.maximum}"
        return text

    def _step_label(self, index: int) -> str:
        step = self.lab.steps[index]
        icon = progress.ICONS.get(self.step_states.get(step.id, "pending"), "·")
        return f"{icon} {index + 1} {step.title(get_lang())}"

    def _step_markdown(self) -> str:
        lang = get_lang()
        try:
            if self.all_steps:
                text = self.lab.instructions(lang)
            else:
                text = self.lab.step_markdown(self.lab.steps[self.current].id, lang) + self._hint_history()
        except (OSError, KeyError) as exc:
            return f"_{exc}_"
        return ANCHOR.sub("", text)

    def _hint_history(self) -> str:
        """The hints shown so far for the step being read, so they stay readable after their toast is gone."""
        step = self.lab.steps[self.current]
        shown = self.hint_index.get(step.id, 0)
        if not shown:
            return ""
        hints = step.hints(get_lang())[:shown]
        lines = [f"\n\n---\n\n**{t('lab.hints_shown')}**\n"]
        lines += [f"{number}. {hint}" for number, hint in enumerate(hints, 1)]
        return "\n".join(lines) + "\n"

    def _show_step(self, keep_scroll: bool = False) -> None:
        scroll = self.query_one("#step-scroll")
        self.query_one("#step-text", Instructions).update(self._step_markdown())
        if keep_scroll:
            self.call_after_refresh(scroll.scroll_end, animate=False)
        else:
            scroll.scroll_home(animate=False)
        self.query_one(TopBar).set_middle(self._progress_text())
        self.query_one("#steps-pane").border_title = t("lab.all_steps") if self.all_steps else t("lab.steps")

    def _refresh_steps(self) -> None:
        for index, item in enumerate(self.query_one(ListView).children):
            item.query_one(Label).update(self._step_label(index))
        self.query_one(TopBar).set_middle(self._progress_text())

    def read_step(self, index: int) -> None:
        self.query_one(ListView).index = index
        if index != self.current:
            self.current = index
            self._show_step()

    @on(ListView.Highlighted, "#step-list")
    def _step_highlighted(self, event: ListView.Highlighted) -> None:
        index = event.list_view.index
        if index is not None and index != self.current:
            self.current = index
            self._show_step()

    # --- check -------------------------------------------------------------------------------------------
    @on(Button.Pressed, "#check-button")
    def _check_pressed(self) -> None:
        self.action_check()

    @on(Button.Pressed, "#hint-button")
    def _hint_pressed(self) -> None:
        self.action_hint()

    def after_typed_keys(self, callback) -> None:
        """Run ``callback`` once the keys already typed are in the text. Ctrl+K/S/D are priority bindings: the app
        runs them as soon as it reads them, while the keys before them may still wait in the focused widget's
        queue (a fast typist, a loaded machine); a callback queued behind them sees the text they make."""
        focused = self.focused
        if focused is not None and focused.is_attached:
            focused.call_later(callback)
        else:
            callback()

    def action_check(self) -> None:
        self.after_typed_keys(self._check_now)

    def _check_now(self) -> None:
        if not self.app.cloud_ready():
            return
        if self.checking:  # a quiet re-grade is running (the watch mode): the learner's check follows it
            self._check_after = True
            self.query_one("#check-button", Button).label = t("lab.checking")
            return
        editor = self.query_one(EditorPane)
        if editor.dirty:
            editor.save(quiet=True)
        self.checked = True
        self.query_one("#check-button", Button).label = t("lab.checking")
        self.grade(record=True)

    def grade(self, record: bool) -> None:
        self.checking = True
        self._grade(record)

    @work(thread=True, exclusive=True, group="grade", exit_on_error=False)
    def _grade(self, record: bool) -> None:
        from gailab.simulator.client import CloudUnavailable, health

        try:
            from gailab.labs.grader import grade

            report = grade(self.lab, endpoint=self.app.endpoint, workspace=self.workspace,
                           learner=self.app.learner, lang=get_lang())
            if record:
                self.app.store.record(report)
        except Exception as exc:
            self.post_message(self.Graded(None, record, f"{type(exc).__name__}: {exc}"))
            return
        try:  # what grading itself changed (a live probe's logs) is not the learner's change
            self._journal_seen = health(self.app.endpoint, timeout=2).get("journalRecords")
        except CloudUnavailable:
            pass
        self.post_message(self.Graded(report, record, None))

    def on_lab_screen_graded(self, message: Graded) -> None:
        self.checking = False
        self.query_one("#check-button", Button).label = t("lab.check_button")
        if self._check_after:  # Ctrl+K came during a quiet re-grade: this one was not recorded, the check is
            self._check_after = False
            self._regrade_again = False
            if message.report is not None:
                self.last_report = message.report
            self._check_now()
            return
        if message.error:
            self.notify(t("check.error", error=message.error), severity="error", timeout=10)
            return
        report = message.report
        was_passed = self.last_report is not None and self.last_report.passed
        reading_done = self.step_states.get(self.lab.steps[self.current].id) == "pass"
        self.last_report = report
        self.step_states = progress.step_states(self.lab, report, self.checked)
        first = self.first_unfinished()
        now_done = self.step_states[self.lab.steps[self.current].id] == "pass"
        if first is not None and (self._start_over or (now_done and not reading_done)):
            self.read_step(first)  # where the learner left off; or the step being read just passed: on to the next
        self._start_over = False
        self._refresh_steps()
        if message.recorded:
            self.app.push_screen(CheckResultsScreen(self.lab, report), lambda _: self._maybe_celebrate(report))
            if report.passed:
                self.notify(t("lab.passed", score=report.total, max=report.maximum), title="✓", timeout=8)
        elif report.passed and not was_passed and self.regrades > 0 and not self._celebrated:
            self._record_quietly(report)  # passed while the watch mode looked on: it counts
            self._maybe_celebrate(report)
        if self._regrade_again:
            self._regrade_again = False
            self.schedule_regrade()

    # --- watch mode --------------------------------------------------------------------------------------
    def schedule_regrade(self) -> None:
        """Grade again soon, quietly (a burst of saves or API calls is graded once)."""
        if not self.watching or self.cloud_state != "ready" or self.acting:
            return
        if self.checking:
            self._regrade_again = True
            return
        if self._regrade_timer is not None:
            self._regrade_timer.stop()
        self._regrade_timer = self.set_timer(REGRADE_DELAY, self._regrade)

    def _regrade(self) -> None:
        self._regrade_timer = None
        if self.checking:
            self._regrade_again = True
            return
        self.regrades += 1
        self.grade(record=False)

    def _poll_journal(self) -> None:
        if self.watching and self.cloud_state == "ready" and not self.checking and self.app.screen is self:
            self._look_at_journal(self.app.endpoint)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _look_at_journal(self, endpoint: str | None) -> None:
        from gailab.simulator.client import CloudUnavailable, health

        try:
            count = health(endpoint, timeout=2).get("journalRecords")
        except CloudUnavailable:
            return
        if self._journal_seen is not None and count != self._journal_seen:
            self._journal_seen = count
            self.app.call_from_thread(self._cloud_changed_by_learner)
        elif self._journal_seen is None:
            self._journal_seen = count

    def _cloud_changed_by_learner(self) -> None:
        """Something changed in the cloud: check again, and show it in the Explorer if it is open."""
        self.schedule_regrade()
        if self.query_one(TabbedContent).active == "tab-explorer":
            self.query_one(ExplorerPane).refresh_quietly()

    @on(EditorPane.Saved)
    def _saved(self, message: EditorPane.Saved) -> None:
        self.schedule_regrade()

    @on(QuizPane.Answered)
    def _answered(self, message: QuizPane.Answered) -> None:
        self.schedule_regrade()

    @on(TerminalPane.Finished)
    def _command_finished(self, message: TerminalPane.Finished) -> None:
        self.schedule_regrade()

    def action_toggle_watch(self) -> None:
        self.watching = not self.watching
        self.notify(t("lab.watch_on") if self.watching else t("lab.watch_off"), timeout=4)
        if self.watching:
            self.schedule_regrade()

    # --- passing -----------------------------------------------------------------------------------------
    @work(thread=True, group="events", exit_on_error=False)
    def _record_quietly(self, report) -> None:
        try:
            self.app.store.record(report)
        except Exception as exc:  # the learner still sees the pass
            self.app.call_from_thread(self.notify, str(exc), severity="warning")

    def _maybe_celebrate(self, report) -> None:
        if not report.passed or self._celebrated:
            return
        self._celebrated = True
        self._celebrate(report)

    @work(exclusive=True, group="celebrate")
    async def _celebrate(self, report) -> None:
        from .passed import CompareScreen, LabPassedScreen

        try:
            done = await self._progress_async()
        except Exception:
            done = {}
        following = progress.next_lab(self.app.labs, self.lab, {**done, self.lab.id: report})
        choice = await self.app.push_screen_wait(LabPassedScreen(self.lab, report, following))
        if choice == "compare":
            editor = self.query_one(EditorPane)
            await self.app.push_screen_wait(CompareScreen(self.lab, editor.path or editor.first_file()))
        elif choice == "next" and following is not None:
            self.app.open_lab(following.id)

    async def _progress_async(self) -> dict:
        import asyncio

        return await asyncio.to_thread(self.app.store.progress, self.app.learner)

    # --- hint / solve / reset ----------------------------------------------------------------------------
    def action_hint(self) -> None:
        step = self.lab.steps[self.current]
        lang = get_lang()
        if self.step_states.get(step.id) == "pass":
            self.notify(t("lab.step_done", step=step.title(lang)), title="✓", timeout=6)
            return
        hints = step.hints(lang)
        if not hints:
            self.notify(t("lab.no_hints"))
            return
        index = self.hint_index.get(step.id, 0)
        if index >= len(hints):
            self.notify(t("lab.no_more_hints"))
            index = len(hints) - 1
        else:
            self.hint_index[step.id] = index + 1
            self._record_event("hint", {"step": step.id, "hint": index + 1})
            self._show_step(keep_scroll=True)
        title = t("lab.hint_title", n=index + 1, total=len(hints), step=step.title(lang))
        self.notify(hints[index], title=title, timeout=20)

    def action_solve(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and self.app.cloud_ready():
                self.acting = True
                self._solve()

        self.app.push_screen(ConfirmScreen(t("lab.solve_confirm", lab=self.lab.title(get_lang()))), answered)

    def action_reset(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and self.app.cloud_ready():
                self.acting = True
                self._reset()

        self.app.push_screen(ConfirmScreen(t("lab.reset_confirm", lab=self.lab.title(get_lang()))), answered)

    @work(thread=True, exclusive=True, group="lab-action", exit_on_error=False)
    def _solve(self) -> None:
        try:
            from gailab.labs.solutions import solve

            # Prerequisites first (their solutions are idempotent): skipping ahead must land in a state that passes.
            solve(self.lab, self.app.endpoint, self.workspace, with_prerequisites=True, home=self.app.home,
                  extra_dirs=self.app.labs_dirs)
            self._record_event_sync("solve", {})
        except Exception as exc:
            self.post_message(self.ActionDone("solve", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ActionDone("solve", None))

    @work(thread=True, exclusive=True, group="lab-action", exit_on_error=False)
    def _reset(self) -> None:
        try:
            from gailab.labs.solutions import reset_lab

            reset_lab(self.lab, self.app.endpoint, self.workspace, self.app.home, self.app.lang)
            self._record_event_sync("reset", {})
        except Exception as exc:
            self.post_message(self.ActionDone("reset", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ActionDone("reset", None))

    def on_lab_screen_action_done(self, message: ActionDone) -> None:
        self.acting = False
        if message.error:
            action = t("lab.solve") if message.kind == "solve" else t("lab.reset")
            self.notify(t("lab.action_failed", action=action, error=message.error), severity="error", timeout=10)
            return
        self.notify(t("lab.solved") if message.kind == "solve" else t("lab.reset_done"))
        self.hint_index.clear()
        if message.kind == "reset":
            self.checked = False
            self._celebrated = False
            self._start_over = True
            self.app.shell_sessions.pop(self.lab.id, None)
        else:
            self._celebrated = True  # skipping ahead is not a pass to celebrate
        self.query_one(EditorPane).reload_file()
        self._show_step()
        self.grade(record=False)

    def _record_event_sync(self, kind: str, detail: dict) -> None:
        self.app.store.record_event(self.app.learner, self.lab.id, kind, detail)

    @work(thread=True, group="events", exit_on_error=False)
    def _record_event(self, kind: str, detail: dict) -> None:
        try:
            self._record_event_sync(kind, detail)
        except Exception:
            pass  # a hint is still shown if the store is unavailable

    # --- editor ------------------------------------------------------------------------------------------
    def action_save(self) -> None:
        self.after_typed_keys(self.query_one(EditorPane).save)

    def action_deploy(self) -> None:
        self.after_typed_keys(self.query_one(EditorPane).deploy)

    def action_new_file(self) -> None:
        self.show_tab("editor")
        self.query_one(EditorPane).new_file()

    def action_back(self) -> None:
        editor = self.query_one(EditorPane)
        if editor.dirty:
            editor.save(quiet=True)
        self.app.pop_screen()

    # --- language ----------------------------------------------------------------------------------------
    def apply_language(self) -> None:
        self.query_one(TopBar).set_left(self._title_text())
        self.query_one("#check-button", Button).label = t("lab.check_button")
        self.query_one("#hint-button", Button).label = t("lab.hint_button")
        tabs = self.query_one(TabbedContent)
        for name in self.tab_ids():
            tabs.get_tab(f"tab-{name}").label = t(f"lab.tab.{name}")
        self._refresh_steps()
        self._show_step()
