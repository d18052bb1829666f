"""Quiz steps as forms. Every change is saved at once to ``<workspace>/answers.json`` (what the grader reads)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, RadioButton, RadioSet, Static

from .. import i18n
from ..i18n import t

ANSWERS = "answers.json"


def read_answers(workspace: Path) -> dict:
    try:
        data = json.loads((Path(workspace) / ANSWERS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_answer(workspace: Path, question_id: str, indexes: list[int]) -> None:
    data = read_answers(workspace)
    data[question_id] = sorted(set(indexes))
    path = Path(workspace) / ANSWERS
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


class WrappingRadioButton(RadioButton):
    """A radio button whose long option wraps instead of ending in an ellipsis."""

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class WrappingCheckbox(Checkbox):
    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class QuizPane(VerticalScroll):
    def __init__(self, lab, workspace: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.workspace = Path(workspace)

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
            chosen = set(answers.get(question.id, []) or [])
            more = f" [dim]{t('quiz.multiple')}[/dim]" if question.multiple else ""
            yield Static(f"[b]{number}.[/b] {escape(question.text(lang))}{more}", classes="quiz-question")
            if question.multiple:
                for index, option in enumerate(question.options(lang)):
                    box = WrappingCheckbox(option, index in chosen, id=f"quiz-{question.id}-{index}", compact=True)
                    box.question_id = question.id
                    yield box
            else:
                with RadioSet(id=f"quiz-{question.id}", compact=True) as radio:
                    radio.question_id = question.id
                    for index, option in enumerate(question.options(lang)):
                        yield WrappingRadioButton(option, index in chosen, compact=True)

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

    def _save(self, question_id: str, indexes: list[int]) -> None:
        try:
            write_answer(self.workspace, question_id, indexes)
        except OSError as exc:
            self.app.notify(str(exc), severity="error")

    async def apply_language(self) -> None:
        await self.recompose()
