"""Snapshots of every screen at 80×24 and 120×40 (and each workspace tab at 80×24), on the real local cloud.

Kept deterministic: a fresh home and a reset cloud, no port, path or time on screen, no cursor blink, no toasts,
and every worker finished before the picture. The app shows the frozen lab pack ``tests/labpack/`` instead of the
built-in catalog, so adding or editing a built-in lab changes no picture.
Baselines: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from gailab.tui import i18n
from gailab.tui.app import GailabApp
from gailab.tui.testing import no_blink, settle, wait_for

SIZES = [(80, 24), (120, 40)]
LAB_PACK = Path(__file__).parent / "labpack"
STORAGE, FIRST_CALL = "pack-storage", "pack-first-call"


@pytest.fixture
def make_app(cloud, tmp_path, monkeypatch):
    monkeypatch.setenv("GAILAB_LEARNER", "ana")
    monkeypatch.setenv("GAILAB_LABS_BUILTIN", "0")
    monkeypatch.setenv("GAILAB_LABS_PATH", str(LAB_PACK))

    def make(lang: str = "en") -> GailabApp:
        return GailabApp(home=tmp_path / "home", lang=lang, endpoint=cloud.endpoint)

    yield make
    i18n.set_lang("en")


async def ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.labs and app.cloud_state == "ready", what="labs and cloud")
    await wait_for(pilot, lambda: app.screen.query_one(DataTable).row_count >= 2, what="catalog rows")
    await settle(app, pilot)


async def finish(pilot) -> None:
    app = pilot.app
    await settle(app, pilot)
    app.clear_notifications()
    no_blink(app)
    await pilot.pause()


async def into_lab(pilot, lab_id: str = STORAGE):
    await ready(pilot)
    app = pilot.app
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(lab_id))
    await pilot.press("enter")
    await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab screen")
    screen = app.screen
    await wait_for(pilot, lambda: screen.last_report is not None, what="quiet check")
    # A check that errored (not failed) shows "!" on its step: say why here rather than as a picture difference.
    errors = {r.check_id: r.message("en") for r in screen.last_report.results if r.status == "error"}
    assert not errors, errors
    tree = screen.query_one("#editor-tree")
    await wait_for(pilot, lambda: len(tree.root.children) > 0, what="file tree")
    return screen


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_catalog(snap_compare, make_app, size):
    async def run_before(pilot):
        await ready(pilot)
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_catalog_pt_br(snap_compare, make_app, size):
    async def run_before(pilot):
        await ready(pilot)
        await finish(pilot)

    assert snap_compare(make_app("pt-BR"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_lab_editor(snap_compare, make_app, size):
    async def run_before(pilot):
        await into_lab(pilot)
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_check_results(snap_compare, make_app, size):
    async def run_before(pilot):
        await into_lab(pilot)
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CheckResultsScreen", what="results")
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_help(snap_compare, make_app, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("f1")
        await finish(pilot)

    assert snap_compare(make_app("pt-BR"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_confirm_solve(snap_compare, make_app, size):
    async def run_before(pilot):
        screen = await into_lab(pilot)
        await screen.run_action("solve")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ConfirmScreen", what="confirm")
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=size, run_before=run_before)


def test_tab_terminal(snap_compare, make_app):
    async def run_before(pilot):
        screen = await into_lab(pilot)
        await pilot.press("f6")
        terminal = screen.query_one("#terminal")
        field = screen.query_one("#term-input")
        field.value = "aws s3api create-bucket --bucket pack-prompts"
        await pilot.press("enter")
        await wait_for(pilot, lambda: terminal.proc is None and any("Location" in l for l in terminal.transcript),
                       60, "command output")
        # the watch mode checks again after the command (a timer, then a worker): the first step is done
        await wait_for(pilot, lambda: screen.step_states[screen.lab.steps[0].id] == "pass" and not screen.checking,
                       60, "the watch mode's re-check")
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=(80, 24), run_before=run_before)


def test_tab_playground(snap_compare, make_app):
    async def run_before(pilot):
        screen = await into_lab(pilot, FIRST_CALL)
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen.query_one("#playground").models, what="models")
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=(80, 24), run_before=run_before)


def test_tab_explorer(snap_compare, make_app, aws):
    aws("s3").create_bucket(Bucket="pack-prompts")

    async def run_before(pilot):
        screen = await into_lab(pilot)
        await pilot.press("f8")
        explorer = screen.query_one("#explorer")
        await wait_for(pilot, lambda: explorer.refreshes > 0, 60, what="listing")
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=(80, 24), run_before=run_before)


def test_tab_quiz(snap_compare, make_app):
    async def run_before(pilot):
        await into_lab(pilot, FIRST_CALL)
        await pilot.press("f9")
        await finish(pilot)

    assert snap_compare(make_app("pt-BR"), terminal_size=(80, 24), run_before=run_before)


def test_lab_workspace_full_width(snap_compare, make_app):
    """Below 100 columns f2 gives the workspace the whole width (then the instructions, then both)."""

    async def run_before(pilot):
        screen = await into_lab(pilot)
        await pilot.press("f2", "f2")
        assert screen.layout_mode == "workspace"
        await finish(pilot)

    assert snap_compare(make_app("en"), terminal_size=(80, 24), run_before=run_before)
