"""Helpers for Pilot tests of the app: wait for workers, poll with a deadline, type text, stop cursor blink."""

from __future__ import annotations

import time

LONG_LIVED = ("_loader", "cloud", "cloud-watch", "terminal", "celebrate")  # a dialog awaits the learner  # workers that live as long as their widget or the cloud


async def settle(app, pilot=None) -> None:
    """Wait for the app's short workers (not the directory tree loader, the cloud watcher or a terminal pump)."""
    workers = [w for w in app.workers if w.group not in LONG_LIVED]
    if workers:
        await app.workers.wait_for_complete(workers)
    if pilot is not None:
        await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 20.0, what: str = "condition"):
    """Poll ``predicate`` between frames until it is truthy; fail at the deadline (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        await pilot.pause(0.05)


async def key_effect(app, key: str, effect, timeout: float = 1.0) -> float:
    """Press ``key`` as a person would (no waiting for the app to be idle, which a flood of output delays) and
    return the seconds until ``effect()`` holds; fail after ``timeout``. Polls between event-loop turns."""
    import asyncio

    pressed = time.monotonic()
    app.simulate_key(key)
    while not effect():
        if time.monotonic() - pressed > timeout:
            raise AssertionError(f"{key!r} had no effect within {timeout} s")
        await asyncio.sleep(0.005)
    return time.monotonic() - pressed


async def type_text(pilot, text: str) -> None:
    keys = []
    for ch in text:
        keys.append({" ": "space", "\n": "enter"}.get(ch, ch))
    await pilot.press(*keys)


def no_blink(app) -> None:
    """Snapshots must not depend on the cursor's blink timer."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


def plain(renderable, width: int = 100) -> str:
    """A Rich renderable as plain text (what a person would read)."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


async def run_from_palette(pilot, query: str, expect: str, timeout: float = 10.0) -> None:
    """Open the command palette, type ``query``, wait until the highlighted command reads ``expect``, run it."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CommandPalette", timeout, "palette")
    await type_text(pilot, query)

    def highlighted():
        commands = pilot.app.screen.query(CommandList)
        if not commands:
            return False
        options = commands.first()
        index = options.highlighted
        return index is not None and expect.lower() in str(options.get_option_at_index(index).prompt).lower()

    await wait_for(pilot, highlighted, timeout, f"palette command {expect!r}")
    await pilot.press("enter")


async def open_lab(app, pilot, lab_id: str):
    """From the catalog, open ``lab_id`` with Enter and wait for its first quiet check (the steps' states)."""
    from textual.widgets import DataTable

    await wait_for(pilot, lambda: app.labs and app.cloud_state == "ready", what="labs and cloud")
    await settle(app, pilot)
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(lab_id))
    await pilot.press("enter")
    await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab screen")
    screen = app.screen
    await wait_for(pilot, lambda: screen.last_report is not None, what="first quiet check")
    return screen
