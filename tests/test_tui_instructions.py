"""Instructions you can read and copy at 80×24: code blocks wrap with a continuation mark, a key copies the chosen
command, Enter sends it to the Terminal tab (a command continued with backslashes arrives as one line)."""

from __future__ import annotations

import pytest

from gailab.tui import i18n
from gailab.tui.app import GailabApp
from gailab.tui.testing import open_lab, wait_for
from gailab.tui.widgets.instructions import CodeBlock, CodeLines, split_commands
from gailab.tui.widgets.outputview import MARK


@pytest.fixture
def app(cloud, tmp_path, monkeypatch):
    monkeypatch.setenv("GAILAB_LEARNER", "ana")
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    yield GailabApp(home=tmp_path / "home", lang="en", endpoint=cloud.endpoint)
    i18n.set_lang("en")


def shown_text(lines: CodeLines) -> tuple[list[str], int]:
    """The rows as drawn at the widget's width, and that width."""
    width = lines.content_region.width
    return [row.plain for row in lines.rows(width)], width


def test_split_commands_joins_continuations_and_skips_comments():
    code = "# make it\naws s3api put-bucket-versioning --bucket b \\\n  --versioning-configuration Status=Enabled\n\n" \
           "aws s3 ls"
    assert split_commands(code) == [
        (1, 2, "aws s3api put-bucket-versioning --bucket b --versioning-configuration Status=Enabled"),
        (4, 4, "aws s3 ls")]


async def test_a_long_command_is_fully_readable_at_80x24_and_goes_to_the_terminal(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        assert screen.layout_mode == "split"  # readable without F2
        blocks = list(screen.query(CodeBlock))
        assert blocks
        pane = screen.query_one("#step-scroll")
        longest = max(blocks, key=lambda b: max(len(line) for line in b.code.split("\n")))
        source_line = max(longest.code.split("\n"), key=len)
        assert len(source_line) > pane.content_region.width  # the case that used to be cut off
        for block in blocks:
            lines = block.query_one(CodeLines)
            rows, width = shown_text(lines)
            assert lines.region.right <= pane.region.right  # nothing drawn past the pane's edge
            assert all(len(row) <= width for row in rows)
            rebuilt, current = [], None
            for row in rows:
                if row.startswith(MARK) and current is not None:
                    current += row[len(MARK):]
                else:
                    if current is not None:
                        rebuilt.append(current)
                    current = row
            rebuilt.append(current)
            assert [r.rstrip() for r in rebuilt] == [r.rstrip() for r in block.code.rstrip().split("\n")]
            assert any(row.startswith(MARK) for row in rows) == any(len(r) > width for r in block.code.split("\n"))
        # Tab reaches the first code block; ↓ picks the next command; c copies it; Enter sends it to the Terminal
        first = blocks[0]
        while app.focused is not first:
            await pilot.press("tab")
        commands = first.commands()
        await pilot.press("down")
        assert first.chosen == (1 if len(commands) > 1 else 0)
        expected = commands[first.chosen][2]
        await pilot.press("c")
        assert app.clipboard == expected
        await pilot.press("enter")
        field = screen.query_one("#term-input")
        await wait_for(pilot, lambda: field.value == expected and app.focused is field, what="pasted in the terminal")
        assert screen.query_one("#workspace").active == "tab-terminal"
        assert "\\" not in field.value and "\n" not in field.value
