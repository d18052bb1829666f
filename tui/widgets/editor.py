"""The Editor tab: the lab workspace's files in a tree, a code editor, Save, New file and (Lambda labs) Deploy."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, DirectoryTree, Static, TextArea

from ..i18n import follow_language, t
from .cloudstate import cloud_ready

# No "json": tree-sitter-json 0.24.8 with tree-sitter 0.26.1 crashes the interpreter (segfault) in TextArea;
# JSON files open as plain text.
LANGUAGES = {".py": "python", ".md": "markdown", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".sh": "bash",
             ".sql": "sql", ".html": "html", ".css": "css"}


class WorkspaceTree(DirectoryTree):
    """The workspace without caches."""

    def filter_paths(self, paths):
        return [p for p in paths if p.name not in ("__pycache__", ".git") and not p.name.endswith(".pyc")]


class EditorPane(Vertical):
    BINDINGS = [
        Binding("ctrl+home", "document_edge(True)", show=False),
        Binding("ctrl+end", "document_edge(False)", show=False),
    ]

    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class Saved(Message):
        """A file was written (the screen's watch mode grades again)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class Deployed(Message):
        def __init__(self, ok: bool, text: str) -> None:
            super().__init__()
            self.ok = ok
            self.text = text

    def __init__(self, workspace: Path, deploy, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = Path(workspace)
        self.deploy_spec = deploy
        self.path: Path | None = None
        self.saved_text = ""
        self.current_text: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-bar"):
            yield Static(t("editor.no_file"), id="editor-file", markup=False)
            yield Button(t("editor.new"), id="editor-new", compact=True)
            yield Button(t("editor.save_button"), id="editor-save", compact=True)
            if self.deploy_spec:
                yield Button(t("editor.deploy_button"), id="editor-deploy", compact=True, variant="primary")
        with Horizontal(id="editor-main"):
            yield WorkspaceTree(self.workspace, id="editor-tree")
            yield TextArea.code_editor("", language=None, id="editor-text", soft_wrap=False)

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)
        first = self.first_file()
        if first is not None:
            self.open_file(first)

    def first_file(self) -> Path | None:
        files = [p for p in sorted(self.workspace.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
                 and p.name != "answers.json"]
        files.sort(key=lambda p: (p.suffix != ".py", len(p.relative_to(self.workspace).parts), str(p)))
        return files[0] if files else None

    def action_document_edge(self, start: bool) -> None:
        area = self.query_one(TextArea)
        area.move_cursor((0, 0) if start else area.document.end)

    # --- files -------------------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.path is not None and self.query_one(TextArea).text != self.saved_text

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.workspace.resolve()).as_posix()
        except ValueError:
            return str(path)

    def open_file(self, path: Path) -> None:
        if self.dirty:
            self.save()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.app.notify(t("editor.binary", path=self._relative(path)), severity="warning")
            return
        except OSError as exc:
            self.app.notify(str(exc), severity="error")
            return
        area = self.query_one(TextArea)
        area.language = LANGUAGES.get(path.suffix.lower())
        area.load_text(text)
        self.path = path
        self.saved_text = text
        self.current_text = text
        self._show_name()

    def _show_name(self) -> None:
        label = self.query_one("#editor-file", Static)
        if self.path is None:
            label.update(t("editor.no_file"))
            return
        mark = f"  ● {t('editor.modified')}" if self.dirty else ""
        label.update(self._relative(self.path) + mark)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        self.current_text = event.text_area.text
        self._show_name()

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.open_file(Path(event.path))

    def save(self, quiet: bool = False) -> bool:
        if self.path is None:
            self.app.notify(t("editor.nothing"), severity="warning")
            return False
        text = self.query_one(TextArea).text
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.app.notify(str(exc), severity="error")
            return False
        self.saved_text = text
        self._show_name()
        if not quiet:
            self.app.notify(t("editor.saved", path=self._relative(self.path)), timeout=2)
        self.post_message(self.Saved(self.path))
        return True

    def on_unmount(self) -> None:
        """Leaving the lab or quitting keeps the learner's edits (written quietly)."""
        if self.path is not None:
            text = self.current_text  # the TextArea may already be gone: use the copy kept on each change
            if text is not None and text != self.saved_text:
                try:
                    self.path.write_text(text, encoding="utf-8")
                except OSError:
                    pass

    def new_file(self) -> None:
        from ..screens.confirm import PromptScreen

        def created(name: str | None) -> None:
            if not name:
                return
            target = (self.workspace / name).resolve()
            if self.workspace.resolve() not in target.parents:
                self.app.notify(t("editor.bad_name", name=name), severity="error")
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_text("", encoding="utf-8")
            self.reload_tree()
            self.open_file(target)
            self.query_one(TextArea).focus()

        self.app.push_screen(PromptScreen(t("editor.new_prompt")), created)

    def reload_tree(self) -> None:
        self.query_one(WorkspaceTree).reload()

    def reload_file(self) -> None:
        """After a reset the file on disk may have changed: show it again (or the first file)."""
        self.reload_tree()
        target = self.path if self.path is not None and self.path.exists() else self.first_file()
        self.path = None
        self.saved_text = ""
        if target is not None:
            self.open_file(target)
        else:
            self.query_one(TextArea).load_text("")
            self._show_name()

    @on(Button.Pressed, "#editor-save")
    def _save_pressed(self) -> None:
        self.save()

    @on(Button.Pressed, "#editor-new")
    def _new_pressed(self) -> None:
        self.new_file()

    @on(Button.Pressed, "#editor-deploy")
    def _deploy_pressed(self) -> None:
        self.deploy()

    # --- deploy ------------------------------------------------------------------------------------------
    def deploy(self) -> None:
        if not self.deploy_spec:
            self.app.notify(t("deploy.none"), severity="warning")
            return
        if not cloud_ready(self):
            return
        if self.dirty:
            self.save(quiet=True)
        name = self.deploy_spec.function_name
        self.app.notify(t("deploy.running", name=name), timeout=3)
        self._deploy()

    @work(thread=True, exclusive=True, group="deploy", exit_on_error=False)
    def _deploy(self) -> None:
        from .. import cloudops

        try:
            name, how = cloudops.deploy_function(self.endpoint, self.workspace, self.deploy_spec)
        except Exception as exc:
            self.post_message(self.Deployed(False, t("deploy.failed", error=cloudops.describe_error(exc))))
            return
        self.post_message(self.Deployed(True, t(f"deploy.{how}", name=name)))

    def on_editor_pane_deployed(self, message: Deployed) -> None:
        self.app.notify(message.text, severity="information" if message.ok else "error",
                        timeout=4 if message.ok else 10)

    def apply_language(self) -> None:
        self.query_one("#editor-new", Button).label = t("editor.new")
        self.query_one("#editor-save", Button).label = t("editor.save_button")
        if self.deploy_spec:
            self.query_one("#editor-deploy", Button).label = t("editor.deploy_button")
        self._show_name()
