"""A lab: its steps and instructions beside a tabbed workspace (Editor, Terminal, Playground, Explorer, Quiz).

Check runs the grader in a thread worker and stores the attempt; Hint shows the step's next hint; Solve and Reset
ask first and are recorded in the store. When the cloud is ready the screen grades once quietly (not stored) so
each step's state is visible from the start.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import (Button, Footer, Label, ListItem, ListView, Static, TabbedContent,
                             TabPane)

from .. import i18n
from ..i18n import follow_language, localize_bindings, localize_screen, t
from ..widgets.editor import EditorPane
from ..widgets.explorer import ExplorerPane
from ..widgets.instructions import CodeBlock, Instructions
from ..widgets.playground import PlaygroundPane
from ..widgets.quiz import QuizPane
from ..widgets.results import check_rows, summary_line
from ..widgets.terminal import TerminalPane
from ..widgets.topbar import TopBar

STEP_ICONS = {"pass": "✓", "fail": "✗", "error": "!", None: "·"}
ANCHOR = re.compile(r"\s*\{#[a-z0-9-]+\}[ \t]*$", re.M)
TABS = ("editor", "terminal", "playground", "explorer", "quiz")


def workspace_for(lab, home: Path) -> Path:
    """The learner's copy of the lab's starter files (the labs API's, or a plain copy if it is missing)."""
    try:
        from gailab.labs.workspace import workspace_for as labs_workspace_for
    except ImportError:
        labs_workspace_for = None
    if labs_workspace_for is not None:
        return Path(labs_workspace_for(lab, home))
    path = Path(home) / "workspaces" / lab.id
    if not path.exists():
        if lab.starter_dir:
            shutil.copytree(lab.starter_dir, path)
        else:
            path.mkdir(parents=True)
    return path


class CheckResultsScreen(ModalScreen[None]):
    """The results of one Check, over the workspace; Esc closes."""

    BINDINGS = [Binding("escape,enter", "close", "close", id="close")]

    def __init__(self, lab, report) -> None:
        super().__init__()
        self.lab = lab
        self.report = report
        self._following = False

    def compose(self) -> ComposeResult:
        lang = i18n.get_lang()
        with Vertical(id="results-box", classes="-passed" if self.report.passed else ""):
            with VerticalScroll(id="results-scroll"):
                yield from check_rows(self.report, lang)
                if not self.report.cloud_reachable or any(r.status == "error" for r in self.report.results):
                    yield Static(t("check.cloud_unreachable"), id="results-unreachable")
            yield Static(summary_line(self.report), id="results-summary")

    def on_mount(self) -> None:
        localize_bindings(self)
        if not self._following:
            self._following = True
            follow_language(self, self.apply_language)
        box = self.query_one("#results-box")
        box.border_title = t("check.title", lab=self.lab.title(i18n.get_lang()))
        box.border_subtitle = f"{self.report.total} / {self.report.maximum}"
        self.query_one("#results-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    async def apply_language(self) -> None:
        await self.recompose()
        self.on_mount()


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
        self.workspace = workspace_for(lab, self.app.home)
        self.step_states: dict[str, str | None] = {s.id: None for s in lab.steps}
        self.current = 0
        self.all_steps = False
        self.layout_mode = "split"
        self.hint_index: dict[str, int] = {}
        self.report = None
        self.checking = False
        self.last_report = None

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
            with TabbedContent(id="workspace", initial="tab-" + self._initial_tab()):
                with TabPane(t("lab.tab.editor"), id="tab-editor"):
                    yield EditorPane(self.workspace, self.lab.deploy, id="editor")
                with TabPane(t("lab.tab.terminal"), id="tab-terminal"):
                    session = self.app.shell_session(self.lab.id, self.workspace)
                    yield TerminalPane(session, home=self.app.home, id="terminal").data_bind(
                        LabScreen.endpoint, LabScreen.cloud_state)
                with TabPane(t("lab.tab.playground"), id="tab-playground"):
                    yield PlaygroundPane(id="playground")
                with TabPane(t("lab.tab.explorer"), id="tab-explorer"):
                    yield ExplorerPane(id="explorer")
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
        follow_language(self, self.apply_language)
        self.query_one("#steps-pane").border_title = t("lab.steps")
        self.query_one(ListView).index = 0
        self.watch(self.app, "endpoint", self._endpoint_changed)
        self.watch(self.app, "cloud_state", self._cloud_changed)
        if self.query_one(TabbedContent).active == "tab-terminal":
            self.query_one(TerminalPane).activate()

    def _endpoint_changed(self, endpoint: str | None) -> None:
        self.endpoint = endpoint

    def _cloud_changed(self, state: str) -> None:
        self.cloud_state = state
        if state == "ready" and self.last_report is None and not self.checking:
            self.grade(record=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "deploy" and not self.lab.deploy:
            return False
        if action == "show_tab" and parameters and parameters[0] == "quiz" and not self.has_quiz():
            return False
        return True

    def action_toggle_layout(self) -> None:
        index = self.LAYOUTS.index(self.layout_mode)
        self.layout_mode = self.LAYOUTS[(index + 1) % len(self.LAYOUTS)]
        body = self.query_one("#lab-body")
        body.set_classes(f"-{self.layout_mode}")

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
        self._focus_tab(name)

    def action_show_tab(self, name: str) -> None:
        self.show_tab(name)

    def _focus_tab(self, name: str) -> None:
        target = {"terminal": "#term-input", "playground": "#play-prompt", "editor": "#editor-text",
                  "explorer": "#explorer-tree"}.get(name)
        if target:
            self.call_after_refresh(self.query_one(target).focus)
        elif name == "quiz":
            fields = self.query_one(QuizPane).query("RadioSet, Checkbox, Select")
            if fields:
                self.call_after_refresh(fields.first().focus)
        if name == "explorer":
            self.query_one(ExplorerPane).activate()
        if name == "terminal":
            self.query_one(TerminalPane).activate()

    @on(CodeBlock.Paste)
    def _paste_command(self, message: CodeBlock.Paste) -> None:
        """A command from the instructions goes to the Terminal tab's input (shown beside them when both fit)."""
        self.show_tab("terminal")
        terminal = self.query_one(TerminalPane)
        self.call_after_refresh(terminal.paste_command, message.command)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-explorer":
            self.query_one(ExplorerPane).activate()
        elif event.pane.id == "tab-terminal":
            self.query_one(TerminalPane).activate()

    # --- steps -------------------------------------------------------------------------------------------
    def _title_text(self) -> str:
        return f"{t('lab.back')} · {self.lab.title(i18n.get_lang())}"

    def _progress_text(self) -> str:
        text = t("lab.step_of", n=self.current + 1, total=len(self.lab.steps))
        if self.last_report is not None:
            icon = "✓" if self.last_report.passed else "◐"
            text += f"  {icon} {self.last_report.total}/{self.last_report.maximum}"
        return text

    def _step_label(self, index: int) -> str:
        step = self.lab.steps[index]
        return f"{STEP_ICONS.get(self.step_states.get(step.id))} {index + 1} {step.title(i18n.get_lang())}"

    def _step_markdown(self) -> str:
        lang = i18n.get_lang()
        try:
            if self.all_steps:
                text = self.lab.instructions(lang)
            else:
                text = self.lab.step_markdown(self.lab.steps[self.current].id, lang)
        except (OSError, KeyError) as exc:
            return f"_{exc}_"
        return ANCHOR.sub("", text)

    def _show_step(self) -> None:
        self.query_one("#step-text", Instructions).update(self._step_markdown())
        self.query_one("#step-scroll").scroll_home(animate=False)
        self.query_one(TopBar).set_middle(self._progress_text())
        self.query_one("#steps-pane").border_title = t("lab.all_steps") if self.all_steps else t("lab.steps")

    def _refresh_steps(self) -> None:
        for index, item in enumerate(self.query_one(ListView).children):
            item.query_one(Label).update(self._step_label(index))
        self.query_one(TopBar).set_middle(self._progress_text())

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

    def action_check(self) -> None:
        if self.checking or not self.app.cloud_ready():
            return
        editor = self.query_one(EditorPane)
        if editor.dirty:
            editor.save()
        self.query_one("#check-button", Button).label = t("lab.checking")
        self.grade(record=True)

    def grade(self, record: bool) -> None:
        self.checking = True
        self._grade(record)

    @work(thread=True, exclusive=True, group="grade", exit_on_error=False)
    def _grade(self, record: bool) -> None:
        try:
            from gailab.labs.grader import grade

            report = grade(self.lab, endpoint=self.app.endpoint, workspace=self.workspace,
                           learner=self.app.learner, lang=i18n.get_lang())
            if record:
                self.app.store.record(report)
        except Exception as exc:
            self.post_message(self.Graded(None, record, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Graded(report, record, None))

    def on_lab_screen_graded(self, message: Graded) -> None:
        self.checking = False
        self.query_one("#check-button", Button).label = t("lab.check_button")
        if message.error:
            self.notify(t("check.error", error=message.error), severity="error", timeout=10)
            return
        report = message.report
        self.last_report = report
        states: dict[str, str | None] = {s.id: None for s in self.lab.steps}
        for result in report.results:
            before = states.get(result.step_id)
            rank = {"error": 3, "fail": 2, "pass": 1, None: 0}
            status = "fail" if result.status == "skipped" else result.status  # not evaluated: the step is not done
            if rank[status] > rank[before]:
                states[result.step_id] = status
        self.step_states = states
        if not message.recorded:
            first_open = next((i for i, s in enumerate(self.lab.steps) if states.get(s.id) != "pass"), 0)
            self.query_one(ListView).index = first_open
        self._refresh_steps()
        if message.recorded:
            self.app.push_screen(CheckResultsScreen(self.lab, report))
            if report.passed:
                self.notify(t("lab.passed", score=report.total, max=report.maximum), title="✓", timeout=8)

    # --- hint / solve / reset ----------------------------------------------------------------------------
    def action_hint(self) -> None:
        step = self.lab.steps[self.current]
        hints = step.hints(i18n.get_lang())
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
        title = t("lab.hint_title", n=index + 1, total=len(hints), step=step.title(i18n.get_lang()))
        self.notify(hints[index], title=title, timeout=20)

    def action_solve(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and self.app.cloud_ready():
                self._solve()

        self.app.push_screen(ConfirmScreen(t("lab.solve_confirm", lab=self.lab.title(i18n.get_lang()))), answered)

    def action_reset(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and self.app.cloud_ready():
                self._reset()

        self.app.push_screen(ConfirmScreen(t("lab.reset_confirm", lab=self.lab.title(i18n.get_lang()))), answered)

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

            reset_lab(self.lab, self.app.endpoint, self.workspace, self.app.home)
            self._record_event_sync("reset", {})
        except Exception as exc:
            self.post_message(self.ActionDone("reset", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ActionDone("reset", None))

    def on_lab_screen_action_done(self, message: ActionDone) -> None:
        if message.error:
            action = t("lab.solve") if message.kind == "solve" else t("lab.reset")
            self.notify(t("lab.action_failed", action=action, error=message.error), severity="error", timeout=10)
            return
        self.notify(t("lab.solved") if message.kind == "solve" else t("lab.reset_done"))
        self.hint_index.clear()
        self.query_one(EditorPane).reload_file()
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
        self.query_one(EditorPane).save()

    def action_deploy(self) -> None:
        self.query_one(EditorPane).deploy()

    def action_new_file(self) -> None:
        self.show_tab("editor")
        self.query_one(EditorPane).new_file()

    def action_back(self) -> None:
        editor = self.query_one(EditorPane)
        if editor.dirty:
            editor.save()
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
