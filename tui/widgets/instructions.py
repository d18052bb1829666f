"""A lab's instructions: Markdown whose code blocks you can read whole at 80×24, copy, and send to the Terminal.

Code blocks wrap instead of ending at the pane's edge; a wrapped line's next rows start with ``↪``. Tab focuses a
block; ↑/↓ pick one of its commands (a command may span lines ending in ``\\``); Enter puts the command in the
Terminal tab's input, ready to edit and run; ``c`` copies it (OSC 52: the terminal's own clipboard, where the
terminal allows it). The block posts messages; the screen decides what pasting means.
"""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence

from ..i18n import follow_language, localize_bindings, t
from .outputview import MARK, fold_offsets

SHELLS = {"", "sh", "bash", "shell", "console", "zsh", "shell-session"}


def split_commands(code: str) -> list[tuple[int, int, str]]:
    """(first line, last line, command) for each command of a shell block: lines ending in ``\\`` continue;
    blank lines and ``#`` comments are not commands."""
    commands = []
    lines = code.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            index += 1
            continue
        start, parts = index, []
        while True:
            current = lines[index]
            if current.rstrip().endswith("\\") and index + 1 < len(lines):
                parts.append(current.rstrip()[:-1].rstrip())
                index += 1
                continue
            parts.append(current.strip() if parts else current.rstrip())
            break
        commands.append((start, index, " ".join(p.strip() for p in parts if p.strip())))
        index += 1
    return commands


class CodeLines(Widget):
    """The code, highlighted and folded to the width (never cut off); the chosen command is marked."""

    COMPONENT_CLASSES = {"code--mark", "code--chosen"}
    DEFAULT_CSS = """
    CodeLines { height: auto; width: 1fr; padding: 0 0 0 1; }
    CodeLines > .code--mark { color: $text-muted; }
    CodeLines > .code--chosen { background: $accent 45%; }
    """

    def __init__(self, code: str, lexer: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.code = code
        self.lexer = lexer
        self.chosen: tuple[int, int] | None = None  # lines of the chosen command, while the block has focus
        self._lines = self._highlight()

    def _highlight(self) -> list[Text]:
        try:
            text = Syntax(self.code, self.lexer or "text", theme="ansi_dark", background_color="default",
                          word_wrap=False).highlight(self.code)
        except Exception:  # an unknown lexer name: plain text
            text = Text(self.code)
        text.rstrip()
        return text.split("\n", allow_blank=True)

    def update_code(self, code: str, lexer: str) -> None:
        self.code, self.lexer = code, lexer
        self._lines = self._highlight()
        self.refresh(layout=True)

    def rows(self, width: int) -> list[Text]:
        width = max(4, width)
        mark_style = self.get_component_rich_style("code--mark", partial=True)
        chosen_style = self.get_component_rich_style("code--chosen", partial=True)
        out = []
        for number, line in enumerate(self._lines):
            pieces = line.divide(fold_offsets(line.plain, width)) if line.cell_len > width else [line]
            for index, piece in enumerate(pieces):
                row = Text.assemble((MARK, mark_style), piece) if index else piece.copy()
                if self.chosen and self.chosen[0] <= number <= self.chosen[1]:
                    row.stylize(chosen_style)
                    row.pad_right(width - row.cell_len)
                out.append(row)
        return out

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.rows(width)))

    def render(self) -> Text:
        return Text("\n").join(self.rows(self.content_region.width or self.size.width))


class CodeBlock(MarkdownFence, can_focus=True):
    """A fenced code block that wraps, can be focused, copied and sent to the Terminal tab."""

    BINDINGS = [
        Binding("enter", "to_terminal", "to terminal", id="to_terminal"),
        Binding("c", "copy", "copy", id="copy"),
        Binding("up", "choose(-1)", show=False),
        Binding("down", "choose(1)", show=False),
    ]
    DEFAULT_CSS = """
    CodeBlock { overflow: hidden hidden; padding: 0; margin: 1 0; }
    CodeBlock:focus { border-left: outer $accent; }
    CodeBlock > .code-help { display: none; color: $text-muted; padding: 0 0 0 1; height: auto; }
    CodeBlock:focus > .code-help { display: block; }
    """

    class Paste(Message):
        """Put ``command`` in the Terminal tab's input."""

        def __init__(self, command: str) -> None:
            super().__init__()
            self.command = command

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = 0

    @property
    def allow_horizontal_scroll(self) -> bool:
        return False  # it wraps

    @property
    def is_shell(self) -> bool:
        return (self.lexer or "").strip().lower() in SHELLS

    def commands(self) -> list[tuple[int, int, str]]:
        if self.is_shell:
            return split_commands(self.code)
        return [(0, self.code.count("\n"), self.code)]

    @property
    def command(self) -> str:
        found = self.commands()
        return found[min(self.chosen, len(found) - 1)][2] if found else self.code

    def compose(self):
        from textual.widgets import Static

        yield CodeLines(self.code, self.lexer, id="code-content")
        yield Static(self._help(), classes="code-help", markup=False)

    def _help(self) -> str:
        return t("code.help_shell") if self.is_shell else t("code.help")

    def set_content(self, content) -> None:
        self._content = content
        for lines in self.query(CodeLines):
            lines.update_code(self.code, self.lexer)

    def _mark(self) -> None:
        found = self.commands()
        lines = self.query_one(CodeLines)
        lines.chosen = found[min(self.chosen, len(found) - 1)][:2] if (found and self.has_focus) else None
        lines.refresh(layout=True)

    def on_mount(self) -> None:
        # blocks are made again on every step shown, after the screen localized its widgets: the footer's "to
        # terminal" and "copy" came out in English in pt-BR once the watch mode moved to the next step
        localize_bindings(self)
        follow_language(self, self.apply_language)

    def on_focus(self) -> None:
        self._mark()
        self.scroll_visible(animate=False)

    def on_blur(self) -> None:
        self._mark()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "choose":
            return len(self.commands()) > 1
        if action == "to_terminal":
            return self.is_shell
        return True

    def action_choose(self, step: int) -> None:
        count = len(self.commands())
        self.chosen = max(0, min(count - 1, self.chosen + step))
        self._mark()

    def action_to_terminal(self) -> None:
        self.post_message(self.Paste(self.command))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.command)
        self.notify(t("code.copied"), timeout=4)

    def apply_language(self) -> None:
        localize_bindings(self)
        for help_line in self.query(".code-help"):
            help_line.update(self._help())


class Instructions(Markdown):
    """The steps' Markdown, with :class:`CodeBlock` for fenced and indented code."""

    BLOCKS = {**Markdown.BLOCKS, "fence": CodeBlock, "code_block": CodeBlock}
