"""The app starts the local cloud as a child, is usable before it is ready, and leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from gailab.simulator.core.process import health, wait_until
from gailab.tui.app import GailabApp
from gailab.tui.testing import wait_for


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting to be reaped is gone for our purpose
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
async def test_spawned_cloud_is_ready_then_gone_after_quit(tmp_path, monkeypatch):
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    class Probe(GailabApp):
        first_frame = cloud_ready_at = None

        def on_ready(self) -> None:
            self.first_frame = time.monotonic()

        def set_cloud(self, state, endpoint, reason) -> None:
            if state == "ready" and self.cloud_ready_at is None:
                self.cloud_ready_at = time.monotonic()
            super().set_cloud(state, endpoint, reason)

    app = Probe(home=tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.cloud_state == "ready", 60, "cloud ready")
        assert app.cloud_history[:2] == ["starting", "ready"]
        assert app.first_frame < app.cloud_ready_at  # interactive before the cloud was ready
        child = app.cloud_process.proc.pid
        assert health(app.endpoint)["status"] == "ready"
        assert str(app.screen.query_one("#cloud-status").render()) == "● cloud ready"
        await pilot.press("ctrl+q")
    wait_until(lambda: not _alive(child), timeout=15)
    assert not _alive(child)


CRASHING_APP = textwrap.dedent("""
    import sys
    from gailab.tui.app import GailabApp

    class CrashingApp(GailabApp):
        def watch_cloud_state(self, state):
            if state == "ready":
                print("CHILD", self.cloud_process.proc.pid, flush=True)

    CrashingApp(home=sys.argv[1], lang="en").run(headless=True)
""")


@pytest.mark.slow
def test_cloud_child_dies_when_the_app_is_killed(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GAILAB_ENDPOINT"}
    script = tmp_path / "crashing_app.py"
    script.write_text(CRASHING_APP)
    home = tmp_path / "home"
    app = subprocess.Popen([sys.executable, str(script), str(home)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = app.stdout.readline()
        assert line.startswith("CHILD"), line
        child = int(line.split()[1])
        assert _alive(child)
        state = json.loads((home / "cloud" / "serve.json").read_text())
        assert state["pid"] == child
        app.send_signal(signal.SIGKILL)  # a crash: no atexit, no unmount
        app.wait(10)
        wait_until(lambda: not _alive(child), timeout=15)
    finally:
        if app.poll() is None:
            app.kill()


@pytest.mark.slow
async def test_a_cloud_that_stops_turns_the_status_down_and_checks_show_errors_not_failures(tmp_path):
    from gailab.labs.catalog import get_lab
    from gailab.labs.grader import grade
    from gailab.simulator.core.process import CloudProcess

    from gailab.tui.testing import plain
    from gailab.tui.widgets.results import render_report

    cloud = CloudProcess(tmp_path / "cloud-home", port=0).start()
    app = GailabApp(home=tmp_path / "home", lang="en", endpoint=cloud.endpoint)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.cloud_state == "ready", 30, "ready")
            cloud.stop()
            await wait_for(pilot, lambda: app.cloud_state == "down", 30, "down after the cloud stopped")
            assert "no local cloud answers" in app.cloud_reason
            # what Check shows when the grader cannot reach a cloud: ! and "not counted", never ✗
            report = grade(get_lab("s3-genai-storage"), endpoint=cloud.endpoint, lang="en")
            text = plain(render_report(report, "en"))
            assert "✗" not in text and text.count("!") >= len(report.results)
            assert "not counted" in text and "were not counted" in text
            from gailab.tui.screens.lab import CheckResultsScreen

            app.push_screen(CheckResultsScreen(get_lab("s3-genai-storage"), report))
            await pilot.pause()
            assert len(app.screen.query(".check-row.-error")) == len(report.results)
            assert app.screen.query_one("#results-unreachable")
    finally:
        cloud.stop()


@pytest.mark.slow
async def test_attach_to_the_homes_cloud_then_restart_it_and_find_a_new_one(tmp_path, monkeypatch):
    """A second gailab on the same home uses the running cloud; when it dies ctrl+r starts one; a cloud started
    later for the home by someone else is found."""
    from gailab.simulator.core.process import CloudProcess
    from gailab.tui.testing import key_effect

    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    home = tmp_path / "home"
    first = CloudProcess(home, port=0).start()  # e.g. another gailab's cloud, or `gailab serve`
    later = None
    app = GailabApp(home=home, lang="en")
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, lambda: app.cloud_state == "ready", 30, "attached")
            assert app.endpoint == first.endpoint and app.attached and app.cloud_process is None
            assert "down" not in app.cloud_history  # never shown as down
            first.stop()
            await wait_for(pilot, lambda: app.cloud_state == "down", 30, "down when it stops")
            assert any("ctrl+r" in n.message for n in app._notifications)
            shown = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
            assert "ctrl+r" in shown  # the footer offers the restart
            await key_effect(app, "ctrl+r", lambda: app.cloud_process is not None, 5)
            await wait_for(pilot, lambda: app.cloud_state == "ready", 60, "restarted")
            assert app.endpoint != first.endpoint and health(app.endpoint)["home"] == str(home.resolve())
            assert not app.attached
            # our own cloud dies; a cloud for the same home started elsewhere is found
            app.cloud_process.kill()
            await wait_for(pilot, lambda: app.cloud_state == "down", 30, "down after a crash")
            later = CloudProcess(home, port=0).start()
            await wait_for(pilot, lambda: app.cloud_state == "ready" and app.endpoint == later.endpoint, 30,
                           "the new cloud found")
            assert app.attached
            shown = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
            assert "ctrl+r" not in shown
    finally:
        first.stop()
        if later is not None:
            later.stop()
