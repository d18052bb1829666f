"""When a lab passes: congratulations, what was built and learned, the reference solution to compare, the next lab.

:class:`LabPassedScreen` dismisses with ``"compare"``, ``"next"`` or None (stay); :class:`CompareScreen` shows the
learner's file beside the reference solution, read-only.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from ..i18n import follow_language, get_lang, localize_bindings, t
from ..widgets.editor import LANGUAGES


def learned(lab, report, lang: str) -> Text:
    """Each step with the checks it passed: what the learner built, in the lab's own words."""
    text = Text()
    titles = {step.id: step.title(lang) for step in lab.steps}
    by_step: dict[str, list[str]] = {}
    for result in report.results:
        title = result.title(lang) if getattr(result, "title", None) else result.check_id
        by_step.setdefault(result.step_id, []).append(title)
    for step in lab.steps:
        text.append("✓ ", style="bold green")
        text.append(titles[step.id] + "\n", style="bold")
        for title in by_step.get(step.id, []):
            text.append(f"   {title}\n", style="dim")
    return text


class LabPassedScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "stay", "close", id="close")]

    def __init__(self, lab, report, next_lab=None) -> None:
        super().__init__()
        self.lab = lab
        self.report = report
        self.next_lab = next_lab

    def compose(self) -> ComposeResult:
        lang = get_lang()
        with Vertical(id="passed-box"):
            yield Static(t("passed.well_done", score=self.report.total, max=self.report.maximum), id="passed-title")
            yield Static(self.lab.summary(lang), id="passed-summary", markup=False)
            with VerticalScroll(id="passed-scroll"):
                yield Label(t("passed.learned"), classes="passed-heading")
                yield Static(learned(self.lab, self.report, lang), id="passed-learned")
            with Horizontal(id="passed-buttons"):
                if self.lab.solution_script is not None:
                    yield Button(t("passed.compare"), id="passed-compare", compact=True)
                if self.next_lab is not None:
                    yield Button(t("passed.next", title=self.next_lab.title(lang)), id="passed-next",
                                 variant="success", compact=True)
                yield Button(t("passed.stay"), id="passed-stay", compact=True)

    def on_mount(self) -> None:
        localize_bindings(self)
        box = self.query_one("#passed-box")
        box.border_title = t("passed.title", lab=self.lab.title(get_lang()))
        box.border_subtitle = f"{self.report.total} / {self.report.maximum}"
        first = "#passed-next" if self.next_lab is not None else "#passed-stay"
        self.query_one(first, Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"passed-compare": "compare", "passed-next": "next"}.get(event.button.id))

    def action_stay(self) -> None:
        self.dismiss(None)


class CompareScreen(ModalScreen[None]):
    """Your file and the reference solution, side by side (one above the other when narrow); Esc closes."""

    BINDINGS = [Binding("escape", "close", "close", id="close")]

    def __init__(self, lab, mine: Path | None) -> None:
        super().__init__()
        self.lab = lab
        self.mine = mine

    @staticmethod
    def _read(path: Path | None) -> str:
        if path is None:
            return ""
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"({exc})"

    def compose(self) -> ComposeResult:
        solution = self.lab.solution_script
        with Vertical(id="compare-box"):
            with Horizontal(id="compare-panes"):
                with Vertical(classes="compare-side"):
                    yield Label(t("compare.mine", name=self.mine.name if self.mine else "—"), classes="compare-label")
                    yield self._area(self.mine, "compare-mine")
                with Vertical(classes="compare-side"):
                    yield Label(t("compare.reference", name=solution.name if solution else "—"),
                                classes="compare-label")
                    yield self._area(solution, "compare-reference")

    def _area(self, path: Path | None, widget_id: str) -> TextArea:
        language = LANGUAGES.get(path.suffix.lower()) if path else None
        return TextArea.code_editor(self._read(path) or t("compare.none"), language=language, read_only=True,
                                    id=widget_id, soft_wrap=True)

    def on_mount(self) -> None:
        localize_bindings(self)
        follow_language(self, self._relabel)
        self.query_one("#compare-box").border_title = t("compare.title", lab=self.lab.title(get_lang()))
        self.query_one("#compare-box").border_subtitle = "esc"
        self.query_one("#compare-mine").focus()

    def _relabel(self) -> None:
        self.query_one("#compare-box").border_title = t("compare.title", lab=self.lab.title(get_lang()))

    def action_close(self) -> None:
        self.dismiss(None)
