"""The instructor's class screen (``gailab --class DB``): learners × labs, pass rates, the most failed checks.

The grid shows each learner's best regraded score per lab (✔ passed; flags: L late, S a reference solution was
used, F forged ledger records, ! the regrade was an error); Enter opens that learner's submissions for the lab with
the regraded report. Everything comes from the class store in a worker thread; ``r`` reloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from .. import i18n
from ..i18n import t

BAR = "█"


@dataclass
class ClassView:
    """What the screen shows, read from the class store in one go."""

    name: str = ""
    labs: list[str] = field(default_factory=list)
    learners: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    cells: dict[tuple[str, str], dict] = field(default_factory=dict)  # (learner, lab) -> gradebook row
    stats: dict[str, dict] = field(default_factory=dict)  # lab -> stats entry
    problems: list[str] = field(default_factory=list)  # chain problems
    error: str | None = None


def load_view(store) -> ClassView:
    from gailab.labs.classroom import gradebook

    view = ClassView(name=store.name())
    view.labs = [lab.lab_id for lab in store.labs()]
    view.learners = [(learner_id, entry.name) for learner_id, entry in sorted(store.roster().items())]
    for row in gradebook.rows(store):
        view.cells[(row["learner"], row["lab"])] = row
    view.stats = {entry["lab"]: entry for entry in gradebook.stats(store)}
    view.problems = [p.message for p in store.verify()]
    return view


def cell_text(row: dict | None) -> Text:
    if row is None or row["submissions"] == 0:
        return Text("  —", style="dim")
    if row["best_score"] is None:
        pending = row["status"] == "pending"
        return Text("  …" if pending else "  !", style="yellow" if pending else "red")
    text = Text(f"{row['best_score']:>3}", style="green" if row["best_passed"] else "")
    text.append(" ✔" if row["best_passed"] else "  ", style="green")
    flags = "".join(flag for flag, on_ in (("L", row["best_late"]), ("S", row["solve_used"]),
                                           ("F", row["forged_records"]), ("!", row["status"] in ("error", "invalid")))
                    if on_)
    if flags:
        text.append(" " + flags, style="bold yellow")
    return text


def chart(stats: dict | None, width: int) -> Text:
    """A bar per most-failed check of one lab, scaled to the widest, with the most common actual value."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if not stats or not stats["mostFailed"]:
        out.append(t("class.no_failures"), style="dim")
        return out
    peak = max(item["failures"] for item in stats["mostFailed"])
    label_width = min(24, max(len(item["check"]) for item in stats["mostFailed"]))
    bar_room = max(4, width - label_width - 6)
    for item in stats["mostFailed"]:
        bar = BAR * max(1, round(item["failures"] / peak * bar_room))
        out.append(f"{item['check'][:label_width]:<{label_width}} ", style="bold")
        out.append(bar, style="red")
        out.append(f" {item['failures']}\n")
        if item["actual"]:
            shown = json.dumps(item["actual"][0]["value"], ensure_ascii=False)
            out.append(f"  {t('class.actual')}: {shown[:width - 12]}\n", style="dim")
    return out


def lab_summary(view: ClassView) -> Text:
    out = Text()
    for lab in view.labs:
        entry = view.stats.get(lab) or {}
        rate = entry.get("passRate")
        shown = "—" if rate is None else f"{rate * 100:.0f}%"
        out.append(f"{lab}\n", style="bold")
        out.append(f"  {t('class.submitted', n=entry.get('submitted', 0), total=entry.get('learners', 0))}\n")
        out.append(f"  {t('class.pass_rate')} {shown}\n")
    return out


class ClassGrid(DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "open", id="open")]


class ClassScreen(Screen):
    """Learners × labs with best scores; per-lab pass rate; the most failed checks of the lab under the cursor."""

    BINDINGS = [
        Binding("r", "reload", "reload", id="reload"),
        Binding("v", "verify", "verify", id="verify"),
    ]
    DEFAULT_CSS = """
    ClassScreen #class-top { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    ClassScreen #class-grid-box {
        height: 1fr; border: round $primary; border-title-color: $primary; border-subtitle-color: $text-muted;
    }
    ClassScreen #class-grid { height: 1fr; }
    ClassScreen #class-bottom { height: 12; }
    ClassScreen.-short #class-bottom { height: 9; }
    ClassScreen #class-labs { width: 2fr; border: round $primary; border-title-color: $primary; padding: 0 1; }
    ClassScreen #class-chart { width: 3fr; border: round $primary; border-title-color: $primary; padding: 0 1; }
    ClassScreen #class-chart-text { text-wrap: nowrap; text-overflow: ellipsis; }
    ClassScreen #class-chain { height: 1; padding: 0 1; }
    ClassScreen #class-chain.-broken { color: $error; text-style: bold; }
    ClassScreen #class-chain.-intact { color: $success; }
    """

    class Loaded(Message):
        def __init__(self, view: ClassView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self.view = ClassView()
        self.chart_lab: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("class.loading"), id="class-top", markup=False)
        with Vertical(id="class-grid-box"):
            yield ClassGrid(id="class-grid", cursor_type="cell", zebra_stripes=True)
        with Horizontal(id="class-bottom"):
            with VerticalScroll(id="class-labs"):
                yield Static("", id="class-labs-text")
            with VerticalScroll(id="class-chart"):
                yield Static("", id="class-chart-text")
        yield Static("", id="class-chain")
        yield Footer()

    def on_mount(self) -> None:
        from ..app import localize_screen

        localize_screen(self)
        self.apply_language()
        self.query_one(ClassGrid).focus()
        self.reload()

    def on_resize(self, event) -> None:
        self.set_class(event.size.height < 30, "-short")

    def apply_language(self) -> None:
        self.query_one("#class-grid-box").border_title = t("class.grid_title")
        self.query_one("#class-grid-box").border_subtitle = t("class.legend")
        self.query_one("#class-labs").border_title = t("class.labs_title")
        self.fill()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="class", exit_on_error=False)
    def reload(self) -> None:
        try:
            view = load_view(self.store)
        except Exception as exc:  # a store that cannot be read is shown, not raised
            view = ClassView(error=f"{type(exc).__name__}: {exc}")
        self.post_message(self.Loaded(view))

    def on_class_screen_loaded(self, message: Loaded) -> None:
        self.view = message.view
        self.fill()

    def fill(self) -> None:
        from gailab.labs.safetext import terminal_text

        view = self.view
        top = self.query_one("#class-top", Static)
        if view.error:
            top.update(t("class.error", error=view.error))
            return
        top.update(t("class.header", name=terminal_text(view.name), learners=len(view.learners),
                     labs=len(view.labs)))
        grid = self.query_one(ClassGrid)
        cursor = grid.cursor_coordinate
        grid.clear(columns=True)
        labels = []
        for learner_id, name in view.learners:
            label = Text(terminal_text(learner_id), style="bold")
            if name and name != learner_id:
                label.append(f" {terminal_text(name)}", style="dim")
            labels.append(label)
        width = max([label.cell_len for label in labels] + [len(t("class.col.learner"))])
        grid.add_column(t("class.col.learner"), key="learner", width=min(width, 28))
        for lab in view.labs:
            grid.add_column(lab, key=lab)
        for (learner_id, _), label in zip(view.learners, labels):
            grid.add_row(label, *[cell_text(view.cells.get((learner_id, lab))) for lab in view.labs], key=learner_id)
        if grid.row_count:
            grid.cursor_coordinate = cursor if cursor.column else cursor.right()  # clamped by the table
        self.query_one("#class-labs-text", Static).update(lab_summary(view))
        chain = self.query_one("#class-chain", Static)
        chain.set_class(bool(view.problems), "-broken")
        chain.set_class(not view.problems, "-intact")
        chain.update(t("class.chain_broken", n=len(view.problems)) if view.problems else t("class.chain_intact"))
        self.show_chart()

    def _lab_at_cursor(self) -> str | None:
        grid = self.query_one(ClassGrid)
        column = grid.cursor_coordinate.column
        if not self.view.labs:
            return None
        return self.view.labs[min(max(column - 1, 0), len(self.view.labs) - 1)]

    def show_chart(self) -> None:
        lab = self._lab_at_cursor()
        box = self.query_one("#class-chart")
        box.border_title = t("class.chart_title", lab=lab or "—")
        width = max(20, box.size.width - 4) if box.size.width else 40
        self.query_one("#class-chart-text", Static).update(chart(self.view.stats.get(lab), width))

    @on(DataTable.CellHighlighted)
    def _moved(self, event: DataTable.CellHighlighted) -> None:
        self.show_chart()

    @on(DataTable.CellSelected)
    def _open(self, event: DataTable.CellSelected) -> None:
        if event.coordinate.column == 0 or not self.view.learners:
            return
        learner = self.view.learners[event.coordinate.row][0]
        lab = self.view.labs[event.coordinate.column - 1]
        self.app.push_screen(SubmissionScreen(self.store, learner, lab))

    def action_verify(self) -> None:
        if self.view.problems:
            self.notify("\n".join(self.view.problems[:8]), title=t("class.chain_broken", n=len(self.view.problems)),
                        severity="error", timeout=15)
        else:
            self.notify(t("class.chain_intact"))


class SubmissionScreen(ModalScreen[None]):
    """One learner's submissions for one lab, newest first, with the regraded report of the one shown."""

    BINDINGS = [
        Binding("escape", "dismiss", "back", id="back"),
        Binding("left_square_bracket", "older", "older", id="older"),
        Binding("right_square_bracket", "newer", "newer", id="newer"),
    ]
    DEFAULT_CSS = """
    SubmissionScreen { align: center middle; }
    SubmissionScreen #submission-box {
        width: 100%; max-width: 120; height: 100%; max-height: 40;
        border: round $primary; border-title-color: $primary; border-subtitle-color: $text-muted;
        background: $surface; padding: 0 1;
    }
    SubmissionScreen #submission-flags { height: auto; color: $warning; }
    """

    class Loaded(Message):
        def __init__(self, items: list[dict]) -> None:
            super().__init__()
            self.items = items

    def __init__(self, store, learner: str, lab: str) -> None:
        super().__init__()
        self.store = store
        self.learner = learner
        self.lab = lab
        self.items: list[dict] = []
        self.index = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="submission-box"):
            yield Static("", id="submission-flags")
            yield Static(t("class.loading"), id="submission-report", markup=False)

    def on_mount(self) -> None:
        from ..app import localize_screen
        from gailab.labs.safetext import terminal_text

        localize_screen(self)
        self.query_one("#submission-box").border_title = f"{terminal_text(self.learner)} · {self.lab}"
        self.load()

    @work(thread=True, exclusive=True, group="class", exit_on_error=False)
    def load(self) -> None:
        from gailab.labs.classroom.gradebook import graded_submissions

        items = []
        for graded in graded_submissions(self.store):
            sub = graded.submission
            if sub.learner_id != self.learner or sub.lab_id != self.lab:
                continue
            result = graded.result
            items.append({
                "created": sub.created_at, "hash": sub.content_hash, "solve_events": sub.solve_events,
                "claimed": sub.claimed_total,
                "report": json.loads(result.report_json) if result and result.report_json else None,
                "detail": json.loads(result.detail_json) if result else {},
                "status": result.status if result else "pending",
                "solve_detected": bool(result and result.solve_detected),
                "forged": result.forged_records if result else 0,
            })
        items.sort(key=lambda item: item["created"], reverse=True)
        self.post_message(self.Loaded(items))

    def on_submission_screen_loaded(self, message: Loaded) -> None:
        self.items = message.items
        self.index = 0
        self.show()

    def action_older(self) -> None:
        if self.index + 1 < len(self.items):
            self.index += 1
            self.show()

    def action_newer(self) -> None:
        if self.index > 0:
            self.index -= 1
            self.show()

    def show(self) -> None:
        from gailab.labs.report import Report
        from gailab.labs.safetext import terminal_text

        report_widget = self.query_one("#submission-report", Static)
        flags_widget = self.query_one("#submission-flags", Static)
        box = self.query_one("#submission-box")
        if not self.items:
            report_widget.update(t("class.no_submission"))
            return
        item = self.items[self.index]
        box.border_subtitle = t("class.submission_of", n=self.index + 1, total=len(self.items),
                                when=item["created"].strftime("%Y-%m-%d %H:%M") + " UTC")
        flags = []
        if item["solve_events"] or item["solve_detected"]:
            flags.append(t("class.flag_solve"))
        if item["forged"]:
            flags.append(t("class.flag_forged", n=item["forged"]))
        problems = item["detail"].get("journalProblems") or []
        if problems:
            flags.append(t("class.flag_journal", lines=", ".join(str(p["line"]) for p in problems[:10])))
        if item["claimed"] is not None and item["report"] and item["claimed"] != item["report"].get("total"):
            flags.append(t("class.flag_claimed", claimed=item["claimed"], total=item["report"].get("total")))
        flags_widget.update("\n".join(flags))
        if item["report"]:
            text = Report.from_json(item["report"]).to_text(i18n.get_lang())
        else:
            text = item["detail"].get("error") or t("class.pending")
        report_widget.update(terminal_text(text, keep_newlines=True))
