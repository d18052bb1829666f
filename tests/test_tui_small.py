"""Small things a learner hits: keys typed right after switching tabs are not lost, F2 keeps the focus where the
learner was typing, and at 60×20 every tab can still be reached and used."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TabbedContent

from gailab.tui.testing import open_lab, wait_for


def burst(app, keys: list[str]) -> None:
    """Keys as a fast typist (or a paste) sends them: all queued before the app handles the first."""
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


async def test_keys_typed_right_after_a_tab_switch_land_in_the_new_tab(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        field = screen.query_one("#term-input", Input)
        prompt = screen.query_one("#play-prompt", Input)
        for key, target, text in (("f6", field, "echo"), ("f7", prompt, "hello"), ("f6", field, "ls")):
            target.value = ""
            burst(app, [key, *text])
            await wait_for(pilot, lambda: target.value == text, 10, f"{text!r} typed after {key}")
            assert app.focused is target


async def test_f2_keeps_the_focus_where_the_learner_was_typing(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f6")
        field = screen.query_one("#term-input", Input)
        await wait_for(pilot, lambda: app.focused is field, what="terminal input")
        await pilot.press("e", "c")
        assert field.value == "ec"
        steps = screen.query_one("#step-list")
        seen = set()
        for _ in screen.LAYOUTS:  # each layout in turn, back to both panes
            await pilot.press("f2")
            await pilot.pause()
            await pilot.pause()
            seen.add(screen.layout_mode)
            assert field.value == "ec", screen.layout_mode
            if screen._visible(field):
                assert app.focused is field, screen.layout_mode  # still typing where they were
            else:
                assert app.focused is steps, screen.layout_mode  # the input is hidden: the steps, not nothing
        assert seen == set(screen.LAYOUTS) and screen.layout_mode == "split"
        assert app.focused is field  # the input came back, and so did the cursor
        await pilot.press("h", "o")
        assert field.value == "echo"


async def test_at_60x20_every_tab_can_be_reached_and_its_field_is_visible(app_for):
    app = app_for()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        tabs = screen.query_one(TabbedContent)
        for key, tab, target in (("f5", "tab-editor", "#editor-text"), ("f6", "tab-terminal", "#term-input"),
                                 ("f7", "tab-playground", "#play-prompt"), ("f8", "tab-explorer", "#explorer-tree"),
                                 ("f9", "tab-quiz", None)):
            await pilot.press(key)
            await wait_for(pilot, lambda: tabs.active == tab, 10, tab)
            await pilot.pause()
            focused = app.focused
            assert focused is not None and (target is None or focused is screen.query_one(target))
            region = focused.region
            assert region.width > 0 and region.height > 0, f"{tab}: the focused widget is not on screen"
            assert region.y + region.height <= 20 and region.x + region.width <= 60
        # and the tab headers themselves are on screen, reachable by the mouse as well
        for tab_id in ("editor", "terminal", "playground", "explorer", "quiz"):
            header = screen.query_one(f"#--content-tab-tab-{tab_id}")
            assert header.region.width > 0 and header.region.x + header.region.width <= 60
