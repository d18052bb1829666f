"""The results of one Check: a panel over the workspace, each check ✓ / ✗ / ! with expected vs actual and a hint."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import follow_language, get_lang, localize_bindings, t
from ..widgets.results import check_rows, summary_line


class CheckResultsScreen(ModalScreen[None]):
    """The results of one Check, over the workspace; Esc closes."""

    BINDINGS = [Binding("escape,enter", "close", "close", id="close")]

    def __init__(self, lab, report) -> None:
        super().__init__()
        self.lab = lab
        self.report = report
        self._following = False

    def compose(self) -> ComposeResult:
        lang = get_lang()
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
        box.border_title = t("check.title", lab=self.lab.title(get_lang()))
        box.border_subtitle = f"{self.report.total} / {self.report.maximum}"
        self.query_one("#results-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    async def apply_language(self) -> None:
        await self.recompose()
        self.on_mount()
