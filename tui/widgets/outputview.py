"""A bounded, wrapping view of plain text lines, cheap whatever the volume: the Terminal tab's output.

Lines are kept as strings (at most ``max_lines``), wrapped to the width into rows when they arrive (and again on
resize), and only the visible rows are drawn. The scrollbar's gutter is always kept, so the width the rows were
folded to does not change when the scrollbar shows (that change sends no resize). A wrapped line's next rows start with ``↪`` so nothing is cut off and
you can see that it continues. The last line may be open (a prompt without a newline) and grow.
"""

from __future__ import annotations

from collections import deque

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

MARK = "↪ "

STYLES = {
    "out": Style(),
    "cmd": Style(bold=True),
    "prompt": Style(bold=True, color="green"),
    "input": Style(color="cyan"),
    "note": Style(dim=True),
    "error": Style(color="red"),
    "stopped": Style(color="yellow", bold=True),
}


def fold_offsets(plain: str, width: int) -> list[int]:
    """Where to cut ``plain`` so the first row fits ``width`` cells and the next ones leave room for the mark;
    after a space when one is past the row's first third (words stay whole), else anywhere."""
    from rich.cells import get_character_cell_size

    cuts, start, used, room, last_space = [], 0, 0, width, -1
    index = 0
    while index < len(plain):
        char = plain[index]
        size = 1 if char.isascii() else get_character_cell_size(char)
        if used + size > room:
            if char == " ":
                cut = index  # the row ends with a whole word
            elif last_space >= 0 and last_space + 1 - start > room // 3:
                cut = last_space + 1
            else:
                cut = index
            cuts.append(cut)
            start, used, room, last_space = cut, 0, width - len(MARK), -1
            index = cut
            continue
        if char == " ":
            last_space = index
        used += size
        index += 1
    return cuts


def fold(text: str, width: int) -> list[str]:
    """``text`` in pieces that fit ``width`` cells (continuations leave room for the mark)."""
    width = max(width, len(MARK) + 2)
    if len(text) <= width and (text.isascii() or cell_len(text) <= width):
        return [text]
    cuts = fold_offsets(text, width)
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]


class OutputView(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    OutputView { overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; }
    """

    def __init__(self, max_lines: int = 2000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_lines = max_lines
        self.lines: deque[tuple[str, str]] = deque()  # (text, style name)
        self._rows: list[tuple[str, str, bool]] = []  # (text, style, continuation)
        self._row_counts: deque[int] = deque()
        self._start = 0  # rows before this index belong to lines already dropped
        self._width = 0
        self.open = False  # the last line has no newline yet

    # --- content -----------------------------------------------------------------------------------------
    @property
    def plain_lines(self) -> list[str]:
        return [text for text, _ in self.lines]

    def clear(self) -> None:
        self._drop_all()
        self.open = False
        self._resize_virtual(scroll=False)
        self.refresh()

    def write_lines(self, lines: list[str], style: str = "out") -> None:
        """Append complete lines (an open line is dropped first: its text comes again, complete)."""
        if not lines:
            return
        follow = self._at_end()
        if self.open:
            self._pop_last()
            self.open = False
        if len(lines) >= self.max_lines:
            self._drop_all()
            lines = lines[-self.max_lines:]
        width = self._wrap_width()
        rows, counts, keep = self._rows, self._row_counts, self.lines
        for line in lines:  # the hot loop of a flood: short ASCII lines take the fast path
            keep.append((line, style))
            if len(line) <= width and line.isascii():
                rows.append((line, style, False))
                counts.append(1)
            else:
                folded = fold(line, width)
                counts.append(len(folded))
                rows.extend((row, style, index > 0) for index, row in enumerate(folded))
        self._trim()
        self._resize_virtual(follow)

    def _drop_all(self) -> None:
        self.lines.clear()
        self._rows.clear()
        self._row_counts.clear()
        self._start = 0

    def set_open(self, text: str | None, style: str = "out") -> None:
        """Show (or replace, or with None remove) the unfinished last line, e.g. a prompt waiting for input."""
        if self.open:
            if text is not None and self.lines and self.lines[-1] == (text, style):
                return
            self._pop_last()
            self.open = False
        if text:
            follow = self._at_end()
            self._append(text, style)
            self.open = True
            self._trim()
            self._resize_virtual(follow)
        else:
            self._resize_virtual(self._at_end())

    def _append(self, text: str, style: str) -> None:
        self.lines.append((text, style))
        rows = fold(text, self._wrap_width())
        self._row_counts.append(len(rows))
        self._rows.extend((row, style, index > 0) for index, row in enumerate(rows))

    def _pop_last(self) -> tuple[str, str]:
        text, style = self.lines.pop()
        count = self._row_counts.pop()
        del self._rows[len(self._rows) - count:]
        return text, style

    def _trim(self) -> None:
        extra = len(self.lines) - self.max_lines
        if extra > 0:
            lines, counts = self.lines, self._row_counts
            for _ in range(extra):
                lines.popleft()
                self._start += counts.popleft()
        if self._start > 4096 and self._start > len(self._rows) // 2:
            del self._rows[:self._start]
            self._start = 0

    @property
    def row_count(self) -> int:
        return len(self._rows) - self._start

    def _wrap_width(self) -> int:
        return max(8, self._width or self.scrollable_content_region.width or 80)

    def _at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    def _resize_virtual(self, follow: bool = True) -> None:
        self.virtual_size = Size(self._wrap_width(), self.row_count)
        if follow:
            # forced: the first time the rows outgrow the view its scrollbar is not shown yet, and an unforced
            # scroll was ignored then (the view stayed at the top and stopped following for good)
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self.refresh()

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._width:
            self._width = width
            follow = self._at_end()
            lines = list(self.lines)
            self._rows.clear()
            self._row_counts.clear()
            self._start = 0
            self.lines.clear()
            for text, style in lines:
                self._append(text, style)
            self._resize_virtual(follow)

    # --- drawing -----------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self._start + self.scroll_offset.y + y
        base = self.rich_style
        if index >= len(self._rows) or index < self._start:
            return Strip.blank(width, base)
        text, style, continued = self._rows[index]
        segments = []
        if continued:
            segments.append(Segment(MARK, base + Style(dim=True)))
        segments.append(Segment(text, base + STYLES.get(style, STYLES["out"])))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)
