"""Small modal dialogs: a yes/no question, and a one-line text prompt."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ..i18n import localize_bindings, t


class Confirm(Message):
    """A pane asks its screen to confirm something that cannot be undone; ``answered(yes)`` gets the answer."""

    def __init__(self, question: str, on_yes) -> None:
        super().__init__()
        self.question = question
        self.on_yes = on_yes

    def answered(self, yes: bool) -> None:
        if yes:
            self.on_yes()


class ConfirmScreen(ModalScreen[bool]):
    """Asks before something that cannot be undone; y/enter confirms, n/esc cancels."""

    BINDINGS = [
        Binding("y,s", "answer(True)", "yes", id="yes"),
        Binding("n,escape", "answer(False)", "no", id="no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="dialog-question", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(t("confirm.yes"), id="yes", variant="warning", compact=True)
                yield Button(t("confirm.no"), id="no", compact=True)

    def on_mount(self) -> None:
        localize_bindings(self)
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line of text (a new file's name); esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "back", id="back")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="dialog-question", markup=False)
            yield Input(value=self.value, id="dialog-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
