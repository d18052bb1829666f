"""Quiz steps as forms. Every change is saved at once to ``<workspace>/answers.json`` (what the grader reads).

Single choice is a radio set, multiple response checkboxes, ordering a position per option and matching an option
per item (both with selects); an ordering or matching answer is saved once it is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, RadioButton, RadioSet, Select, Static

from .. import i18n
from ..i18n import follow_language, t

ANSWERS = "answers.json"


def read_answers(workspace: Path) -> dict:
    try:
        data = json.loads((Path(workspace) / ANSWERS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_answer(workspace: Path, question_id: str, indexes: list[int], ordered: bool = False) -> None:
    from gailab.labs.quiz import save_answer

    save_answer(Path(workspace), question_id, indexes, ordered=ordered)


# Enter and Space (␣) both mark an answer, and the footer says so (Textual's own binding for them is hidden).
TOGGLE = Binding("enter,space", "toggle_button", "mark", id="quiz_toggle", key_display="⏎/␣")


class QuizRadioSet(RadioSet):
    BINDINGS = [TOGGLE]

    def on_mount(self) -> None:
        i18n.localize_bindings(self)  # made after the screen localized its widgets (and again on a language switch)


class WrappingRadioButton(RadioButton):
    """A radio button whose long option wraps instead of ending in an ellipsis."""

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class WrappingCheckbox(Checkbox):
    BINDINGS = [TOGGLE]

    def on_mount(self) -> None:
        i18n.localize_bindings(self)

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class QuizPane(VerticalScroll):
    class Answered(Message):
        """An answer was saved to answers.json (the screen's watch mode grades again)."""

        def __init__(self, question_id: str) -> None:
            super().__init__()
            self.question_id = question_id

    def __init__(self, lab, workspace: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.workspace = Path(workspace)

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)

    def questions(self):
        return [(step, q) for step in self.lab.steps if step.quiz for q in step.quiz.questions]

    def compose(self) -> ComposeResult:
        lang = i18n.get_lang()
        answers = read_answers(self.workspace)
        items = self.questions()
        if not items:
            yield Static(t("quiz.none"))
            return
        for number, (step, question) in enumerate(items, 1):
            given = answers.get(question.id, []) or []
            chosen = set(i for i in given if isinstance(i, int)) if isinstance(given, list) else set()
            note = {"multiple": t("quiz.choose", n=question.choose) if question.choose else t("quiz.multiple"),
                    "order": t("quiz.order"), "match": t("quiz.match")}.get(question.kind)
            more = f" [dim]{note}[/dim]" if note else ""
            yield Static(f"[b]{number}.[/b] {escape(question.text(lang))}{more}", classes="quiz-question")
            if question.kind in ("order", "match"):
                yield from self._selects(question, given if isinstance(given, list) else [], lang)
            elif question.multiple:
                for index, option in enumerate(question.options(lang)):
                    box = WrappingCheckbox(option, index in chosen, id=f"quiz-{question.id}-{index}", compact=True)
                    box.question_id = question.id
                    yield box
            else:
                with QuizRadioSet(id=f"quiz-{question.id}", compact=True) as radio:
                    radio.question_id = question.id
                    for index, option in enumerate(question.options(lang)):
                        yield WrappingRadioButton(option, index in chosen, compact=True)

    def _selects(self, question, given: list, lang: str):
        """Order: a position for each option. Match: an option for each item."""
        options = question.options(lang)
        if question.kind == "order":
            where = {option: pos for pos, option in enumerate(given) if isinstance(option, int)}
            choices = [(f"{t('quiz.position')} {p + 1}", p) for p in range(len(options))]
            rows = [(options[i], i, where.get(i)) for i in range(len(options))]
        else:
            choices = [(option, i) for i, option in enumerate(options)]
            rows = [(prompt, k, given[k] if k < len(given) and isinstance(given[k], int) else None)
                    for k, prompt in enumerate(question.prompts(lang))]
        for label, row, value in rows:
            select = Select(choices, prompt="—", value=value if value is not None else Select.NULL, compact=True,
                            id=f"quiz-{question.id}-{row}", classes=f"quiz-select -{question.kind}")
            select.question_id, select.row = question.id, row
            if question.kind == "order":
                yield Horizontal(select, Static(escape(label), classes="quiz-label"), classes="quiz-row")
            else:  # the item on its own line, its option below it (options can be long)
                yield Static(f"• {escape(label)}", classes="quiz-label -match")
                yield select

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        question_id = getattr(event.select, "question_id", None)
        question = next((q for _, q in self.questions() if q.id == question_id), None)
        if question is None:
            return
        values = {s.row: s.value for s in self.query(Select) if getattr(s, "question_id", None) == question_id}
        if any(v is Select.NULL for v in values.values()):
            return  # saved once complete
        if question.kind == "order":
            positions = sorted(values.items(), key=lambda item: item[1])
            if len({pos for _, pos in positions}) != len(positions):
                return  # two options share a position
            self._save(question_id, [option for option, _ in positions], ordered=True)
        else:
            self._save(question_id, [values[k] for k in sorted(values)], ordered=True)

    @on(RadioSet.Changed)
    def _radio(self, event: RadioSet.Changed) -> None:
        question_id = getattr(event.radio_set, "question_id", None)
        if question_id is not None:
            self._save(question_id, [event.index])

    @on(Checkbox.Changed)
    def _check(self, event: Checkbox.Changed) -> None:
        question_id = getattr(event.checkbox, "question_id", None)
        if question_id is None:
            return
        indexes = [int(box.id.rsplit("-", 1)[1]) for box in self.query(Checkbox)
                   if getattr(box, "question_id", None) == question_id and box.value]
        self._save(question_id, indexes)

    def _save(self, question_id: str, indexes: list[int], ordered: bool = False) -> None:
        try:
            write_answer(self.workspace, question_id, indexes, ordered)
        except OSError as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.post_message(self.Answered(question_id))

    async def apply_language(self) -> None:
        await self.recompose()
