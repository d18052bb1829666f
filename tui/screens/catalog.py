"""The catalog: every lab with its status, best score, minutes and seed section; search; Enter opens a lab."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ..i18n import follow_language, localize_screen, t
from ..widgets.topbar import TopBar


class LabTable(DataTable):
    """The labs table; its Enter is shown in the footer as "open"."""

    BINDINGS = [Binding("enter", "select_cursor", "open", id="open")]


class CatalogScreen(Screen):
    BINDINGS = [
        Binding("slash", "search", "search", id="search"),
        Binding("escape", "clear_search", "back", id="back", show=False),
    ]

    class ProgressLoaded(Message):
        def __init__(self, progress: dict) -> None:
            super().__init__()
            self.progress = progress

    def __init__(self) -> None:
        super().__init__()
        self.progress: dict = {}

    def compose(self) -> ComposeResult:
        yield TopBar(f"gailab · {t('app.subtitle')}", id="topbar")
        with Vertical(id="catalog-box"):
            yield Input(placeholder=t("catalog.search"), id="catalog-search", compact=True)
            yield LabTable(id="catalog-table", cursor_type="row", zebra_stripes=False)
            yield Static(t("catalog.loading"), id="catalog-summary")
        yield Footer()

    def on_mount(self) -> None:
        localize_screen(self)
        follow_language(self, self.apply_language)
        self.app.labs_changed.subscribe(self, lambda _labs: self.labs_loaded())
        self.query_one("#catalog-box").border_title = t("catalog.title")
        self._columns()
        self.query_one(DataTable).focus()
        self.labs_loaded()

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(t("catalog.col.num"), key="num", width=2)
        table.add_column(t("catalog.col.lab"), key="lab")
        table.add_column(t("catalog.col.section"), key="section", width=9)
        table.add_column(t("catalog.col.min"), key="min", width=3)
        table.add_column(t("catalog.col.status"), key="status", width=9)

    def labs_loaded(self) -> None:
        if self.app.labs:
            self.load_progress()
        self.fill()

    def on_screen_resume(self) -> None:
        if self.app.labs:
            self.load_progress()

    @work(thread=True, exclusive=True, group="progress", exit_on_error=False)
    def load_progress(self) -> None:
        try:
            progress = self.app.store.progress(self.app.learner)
        except Exception as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            return
        self.post_message(self.ProgressLoaded(progress))

    def on_catalog_screen_progress_loaded(self, message: ProgressLoaded) -> None:
        self.progress = message.progress
        self.fill()

    def _status(self, lab) -> str:
        progress = self.progress.get(lab.id)
        status = getattr(progress, "status", "not-started") if progress else "not-started"
        score = getattr(progress, "best_score", 0) if progress else 0
        return t(f"status.{status}", score=score)

    def visible_labs(self) -> list:
        query = self.query_one("#catalog-search", Input).value.strip().lower()
        lang = self.app.lang
        labs = []
        for lab in self.app.labs:
            text = " ".join([lab.id, lab.title(lang), lab.summary(lang), " ".join(lab.sections)]).lower()
            if all(word in text for word in query.split()):
                labs.append(lab)
        return labs

    def fill(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_lab_id()
        table.clear()
        lang = self.app.lang
        if self.app.labs_error:
            self.query_one("#catalog-summary", Static).update(t("catalog.error", error=self.app.labs_error))
            return
        for index, lab in enumerate(self.app.labs, 1):
            if lab not in self.visible_labs():
                continue
            table.add_row(str(index), lab.title(lang), ", ".join(lab.sections), str(lab.minutes), self._status(lab),
                          key=lab.id)
        if selected and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self.show_summary()

    def selected_lab_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    def show_summary(self) -> None:
        summary = self.query_one("#catalog-summary", Static)
        lab = self.app.lab_by_id(self.selected_lab_id() or "")
        if lab is None:
            query = self.query_one("#catalog-search", Input).value
            summary.update(t("catalog.empty", query=query) if self.app.labs and query else
                           (t("catalog.loading") if not self.app.labs else ""))
            return
        lang = self.app.lang
        parts = []
        for pre in lab.prerequisites:
            other = self.app.lab_by_id(pre)
            progress = self.progress.get(pre)
            mark = " ✓" if progress is not None and getattr(progress, "passed", False) else ""
            parts.append((other.title(lang) if other else pre) + mark)
        requires = t("catalog.requires", labs=", ".join(parts)) if parts else t("catalog.requires_none")
        summary.update(f"[b]{_esc(lab.title(lang))}[/b] — {_esc(lab.summary(lang))}\n[dim]{_esc(requires)}[/dim]")

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_summary()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_lab(event.row_key.value)

    @on(Input.Changed, "#catalog-search")
    def _search(self, event: Input.Changed) -> None:
        self.fill()

    @on(Input.Submitted, "#catalog-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def action_open(self) -> None:
        lab_id = self.selected_lab_id()
        if lab_id:
            self.app.open_lab(lab_id)

    def action_search(self) -> None:
        self.query_one("#catalog-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#catalog-search", Input)
        search.value = ""
        self.query_one(DataTable).focus()

    def apply_language(self) -> None:
        self.query_one(TopBar).set_left(f"gailab · {t('app.subtitle')}")
        self.query_one("#catalog-box").border_title = t("catalog.title")
        self.query_one("#catalog-search", Input).placeholder = t("catalog.search")
        self._columns()
        self.fill()


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
