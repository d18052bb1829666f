"""The instructor's class screen (gailab --class DB): the grid, pass rates, the most failed checks, a submission."""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import datetime, timezone

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from classwork import do_labs_by_hand, grade_and_submit, journal_edited, journal_without, make_class, rebuilt
from gailab.labs.classroom.classstore import ClassStore
from gailab.tui import i18n
from gailab.tui.classapp import ClassApp
from gailab.tui.cli import main
from gailab.tui.testing import plain, settle, wait_for

SIZES = [(80, 24), (120, 40)]
WHEN = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def made_no_call(record: dict) -> dict | None:
    """Caio's journal: no Bedrock call, and a report naming request ids of his own (the same in every run, so the
    class's most common wrong value is a fixed one)."""
    if record["kind"] == "ledger":
        return None
    if record.get("uri", "").endswith("/first-call.json") and "body" in record:
        report = json.loads(base64.b64decode(record["body"]))
        for i, item in enumerate(report["invocations"]):
            item["requestId"] = f"00000000-0000-4000-8000-{i:012d}"
        record["body"] = base64.b64encode(json.dumps(report).encode()).decode("ascii")
    return record


@pytest.fixture(scope="module")
def class_db(gailab_session_cloud, tmp_path_factory):
    """A regraded class: Ana passes both labs, Bia's report upload is missing, Caio made no Bedrock call, Dani
    handed nothing in."""
    cloud = gailab_session_cloud
    cloud.reset()
    root = tmp_path_factory.mktemp("tui-class")
    work = grade_and_submit(cloud.home, cloud.endpoint, root, "ana", do_labs_by_hand(cloud.endpoint, root))
    cloud.reset()
    first_call, storage = work.files["bedrock-first-call"], work.files["s3-genai-storage"]
    folder = root / "hand-ins"
    folder.mkdir()
    (folder / "ana-s3.gailab.zip").write_bytes(rebuilt(storage, created_at=WHEN))
    (folder / "ana-fc.gailab.zip").write_bytes(rebuilt(first_call, created_at=WHEN))
    (folder / "bia-fc.gailab.zip").write_bytes(rebuilt(
        first_call, learner="bia", created_at=WHEN,
        journal=journal_without(first_call, lambda r: r.get("uri", "").endswith("/first-call.json"))))
    (folder / "caio-fc.gailab.zip").write_bytes(rebuilt(
        first_call, learner="caio", created_at=WHEN, journal=journal_edited(first_call, made_no_call)))
    db_path = root / "class.db"
    db = f"sqlite:///{db_path}"
    make_class(db, [("ana", "Ana Souza", ""), ("bia", "Bia Lima", ""), ("caio", "Caio Alves", ""),
                    ("dani", "Dani Reis", "")], root)
    assert main(["class", "collect", str(folder), "--db", db]) == 0
    assert main(["class", "regrade", "--db", db, "--jobs", "2"]) == 0
    return db_path


@pytest.fixture
def make_app(class_db, tmp_path):
    def make(lang: str = "en", broken: bool = False) -> ClassApp:
        path = class_db
        if broken:
            path = tmp_path / "edited.db"
            with sqlite3.connect(class_db) as source, sqlite3.connect(path) as copy:
                source.backup(copy)  # the WAL's pages too
            with sqlite3.connect(path) as conn:
                assert conn.execute("UPDATE class_results SET total = 100 WHERE total = 65").rowcount == 1
        return ClassApp(ClassStore(f"sqlite:///{path}"), lang=lang)

    yield make
    i18n.set_lang("en")


async def loaded(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.query(DataTable) and app.screen.query_one(DataTable).row_count == 4,
                   what="the class grid")
    await settle(app, pilot)
    app.clear_notifications()
    await pilot.pause()


class TestClassScreen:
    @pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
    def test_grid(self, snap_compare, make_app, size):
        async def run_before(pilot):
            await loaded(pilot)
            await pilot.press("right", "right")  # bedrock-first-call: its most failed checks below

        assert snap_compare(make_app("en"), terminal_size=size, run_before=run_before)

    def test_grid_pt_br(self, snap_compare, make_app):
        async def run_before(pilot):
            await loaded(pilot)
            await pilot.press("right", "right")

        assert snap_compare(make_app("pt-BR"), terminal_size=(80, 24), run_before=run_before)

    def test_broken_chain(self, snap_compare, make_app):
        assert snap_compare(make_app("en", broken=True), terminal_size=(80, 24), run_before=loaded)


async def test_the_grid_shows_best_scores_flags_and_the_lab_under_the_cursor(make_app):
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        grid = app.screen.query_one(DataTable)
        rows = {grid.get_row_at(i)[0].plain.split()[0]: [plain(c).strip() for c in grid.get_row_at(i)[1:]]
                for i in range(grid.row_count)}
        assert rows == {"ana": ["100 ✔", "100 ✔"], "bia": ["—", "65"], "caio": ["—", "35"],
                        "dani": ["—", "—"]}
        assert plain(grid.get_row_at(3)[1]) == plain(Text("  —"))  # aligned under the scores
        labs = plain(app.screen.query_one("#class-labs-text", Static).render())
        assert "1/4 submitted" in labs and "3/4 submitted" in labs and "pass rate 33%" in labs
        chart = lambda: plain(app.screen.query_one("#class-chart-text", Static).render())  # noqa: E731
        assert "No failed check" in chart()  # s3-genai-storage: Ana passed
        await pilot.press("right")
        await wait_for(pilot, lambda: "report-format" in chart(), what="the bedrock-first-call chart")
        assert "█" in chart() and "invoke-claude" in chart()
        assert "chain intact" in plain(app.screen.query_one("#class-chain", Static).render())


async def test_enter_opens_the_regraded_report_of_a_submission(make_app):
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "right", "enter")  # bia × bedrock-first-call
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SubmissionScreen", what="submission screen")
        report = lambda: plain(app.screen.query_one("#submission-report", Static).render(), 120)  # noqa: E731
        await wait_for(pilot, lambda: "Total:" in report(), what="the report")
        assert "Total: 65/100" in report() and "✘ FAIL   report-format" in report()
        flags = plain(app.screen.query_one("#submission-flags", Static).render(), 120)
        assert "own report said 100; the regrade gives 65" in flags
        assert "submission 1 of 1 · 2026-03-02 12:00 UTC" in app.screen.query_one("#submission-box").border_subtitle
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ClassScreen", what="back to the grid")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: "taxa de aprovação" in plain(
            app.screen.query_one("#class-labs-text", Static).render()), what="pt-BR labels")


async def test_a_broken_chain_is_shown_and_v_names_the_rows(make_app):
    app = make_app("en", broken=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert "chain broken: 1 problem" in plain(app.screen.query_one("#class-chain", Static).render())
        await pilot.press("v")
        await wait_for(pilot, lambda: any("class_results row" in str(n.message) for n in app._notifications),
                       what="the verify notification")


def test_class_option_with_a_missing_store_is_one_line(tmp_path, capsys):
    assert main(["--class", str(tmp_path / "none.db")]) == 2
    assert "no class store at" in capsys.readouterr().err
