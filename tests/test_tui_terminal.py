"""The Terminal tab as a learner uses it: floods never freeze the app, Ctrl+C stops at once, every command reaches
the local cloud (or is refused) and never the learner's AWS profile, and the session keeps cd and export."""

from __future__ import annotations

import os
import time

import pytest
from textual.widgets import Input

from gailab.tui.app import GailabApp
from gailab.tui.testing import key_effect, open_lab, settle, wait_for


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def terminal_of(app, pilot, lab_id="s3-genai-storage"):
    screen = await open_lab(app, pilot, lab_id)
    await pilot.press("f6")
    terminal = screen.query_one("#terminal")
    await wait_for(pilot, lambda: app.focused is screen.query_one("#term-input"), what="terminal input focused")
    return terminal


async def submit(pilot, terminal, command: str) -> None:
    field = terminal.query_one("#term-input", Input)
    field.value = command
    await pilot.press("enter")


async def run(pilot, terminal, command: str, timeout: float = 60) -> list[str]:
    before = len(terminal.transcript)
    await submit(pilot, terminal, command)
    await wait_for(pilot, lambda: terminal.run is None and terminal.queued is None, timeout, f"{command!r} done")
    return terminal.transcript[max(0, before - 1):]


async def test_a_flood_of_output_keeps_the_app_responsive_and_memory_bounded(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = await terminal_of(app, pilot)
        await run(pilot, terminal, "true")
        before = rss_mib()
        tabs = app.screen.query_one("#workspace")
        # the same key on this machine right now, with nothing running: the flood may add at most a second to it
        idle = await key_effect(app, "f5", lambda: tabs.active == "tab-editor", 30)
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.focused is terminal.query_one("#term-input"), what="input focused")
        await submit(pilot, terminal, "seq 1 200000")
        assert await key_effect(app, "f5", lambda: tabs.active == "tab-editor", 30) < idle + 1.0
        await wait_for(pilot, lambda: terminal.run is None, 30, "seq finished")
        assert terminal.last_exit == 0
        assert "200000" in terminal.transcript  # the end of the output is on screen
        assert len(terminal.transcript) <= terminal.query_one("#term-log").max_lines  # bounded
        await pilot.press("f6")
        field = terminal.query_one("#term-input", Input)
        await wait_for(pilot, lambda: app.focused is field, what="input focused")
        assert await key_effect(app, "x", lambda: field.value == "x", 30) < idle + 1.0
        grown = rss_mib() - before
        assert grown < 60, f"memory grew {grown:.0f} MiB for 200 000 lines"


async def test_ctrl_c_stops_an_endless_printer_within_a_second(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = await terminal_of(app, pilot)
        tabs = app.screen.query_one("#workspace")
        idle = max([await key_effect(app, key, lambda: tabs.active == tab, 30)
                    for key, tab in (("f5", "tab-editor"), ("f6", "tab-terminal"))])
        await wait_for(pilot, lambda: app.focused is terminal.query_one("#term-input"), what="input focused")
        await submit(pilot, terminal, "python -c \"while True: print('hello')\"")
        await wait_for(pilot, lambda: "hello" in terminal.transcript[-3:], 20, "printing")
        for key, tab in (("f5", "tab-editor"), ("f6", "tab-terminal")):  # the app answers while it floods
            assert await key_effect(app, key, lambda: tabs.active == tab, 30) < idle + 1.0
        assert terminal.running
        pid = terminal.run.pid
        await wait_for(pilot, lambda: app.focused is terminal.query_one("#term-input"), what="input focused")
        assert await key_effect(app, "ctrl+c", lambda: terminal.run is None, 30) < 1.0
        await pilot.pause()
        assert terminal.transcript[-1] == "[stopped]" or "[stopped]" in terminal.transcript[-3:]
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)  # the whole group is gone
        # and the tab is usable again at once
        lines = await run(pilot, terminal, "echo again")
        assert "again" in lines


async def test_ctrl_c_stops_a_whole_pipeline_and_background_jobs_end_with_the_command(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = await terminal_of(app, pilot)
        started = time.monotonic()
        lines = await run(pilot, terminal, "sleep 120 & echo started", timeout=10)
        assert "started" in lines and time.monotonic() - started < 10
        await submit(pilot, terminal, "yes | cat | cat")
        await wait_for(pilot, lambda: "y" in terminal.transcript[-2:], 20, "pipeline output")
        assert await key_effect(app, "ctrl+c", lambda: terminal.run is None, 30) < 1.0
        assert "[stopped]" in terminal.transcript[-3:]


def _learner_profile(monkeypatch, tmp_path) -> None:
    aws = tmp_path / "dot-aws"
    aws.mkdir()
    (aws / "config").write_text("[profile work]\nregion = eu-west-1\n")
    (aws / "credentials").write_text("[work]\naws_access_key_id = AKIAREAL\naws_secret_access_key = real\n")
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws / "credentials"))
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-session")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.amazonaws.com")


async def test_the_learners_aws_profile_never_reaches_a_command(app_for, aws, monkeypatch, tmp_path):
    aws("s3").create_bucket(Bucket="only-local")
    _learner_profile(monkeypatch, tmp_path)
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await terminal_of(app, pilot)
        lines = await run(pilot, terminal, "env | grep ^AWS_ | sort; aws s3 ls")
        text = "\n".join(lines)
        assert f"AWS_ENDPOINT_URL={app.endpoint}" in text and "AWS_ACCESS_KEY_ID=test" in text
        for leaked in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AKIAREAL", "dot-aws"):
            assert leaked not in text
        assert "only-local" in text and terminal.last_exit == 0


async def test_with_the_cloud_down_commands_keep_the_local_endpoint(tmp_path, monkeypatch):
    from gailab.simulator.core.process import CloudProcess

    _learner_profile(monkeypatch, tmp_path)
    cloud = CloudProcess(tmp_path / "cloud-home", port=0).start()
    app = GailabApp(home=tmp_path / "home", lang="en", endpoint=cloud.endpoint)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            terminal = await terminal_of(app, pilot)
            cloud.stop()
            await wait_for(pilot, lambda: app.cloud_state == "down", 30, "down")
            lines = await run(pilot, terminal, "env | grep ^AWS_ | sort")
            text = "\n".join(lines)
            assert f"AWS_ENDPOINT_URL={cloud.endpoint}" in text and "AWS_PROFILE" not in text
            assert "AWS_SESSION_TOKEN" not in text and "AWS_ENDPOINT_URL_S3" not in text
            assert any("cloud is down" in line for line in lines)
    finally:
        cloud.stop()


async def test_with_no_cloud_at_all_commands_are_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    _learner_profile(monkeypatch, tmp_path)
    app = GailabApp(home=tmp_path / "home", lang="en", spawn_cloud=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.labs and app.cloud_state == "down", what="labs, no cloud")
        await settle(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab")
        await pilot.press("f6")
        terminal = app.screen.query_one("#terminal")
        marker = tmp_path / "ran"
        await submit(pilot, terminal, f"touch {marker}; aws s3 ls")
        await wait_for(pilot, lambda: any("Not run" in line for line in terminal.transcript), what="refusal")
        assert terminal.run is None and not marker.exists()


async def test_a_command_typed_while_the_cloud_starts_waits_for_it(tmp_path, monkeypatch):
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    app = GailabApp(home=tmp_path / "home", lang="en")  # starts its own cloud
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.labs, what="labs")
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab")
        await pilot.press("f6")
        terminal = app.screen.query_one("#terminal")
        if app.cloud_state == "starting":
            await submit(pilot, terminal, "echo endpoint=$AWS_ENDPOINT_URL")
            # Queued with a note (the cloud may have become ready since, and run it: that is the point), unless the
            # cloud won the race during the key press itself; either way it never runs without the local endpoint.
            waited = any("Waiting for the local cloud" in line for line in terminal.transcript)
            assert waited or app.cloud_state != "starting"
        else:  # a fast machine: the cloud won the race; the command simply runs
            await submit(pilot, terminal, "echo endpoint=$AWS_ENDPOINT_URL")
        await wait_for(pilot, lambda: any(line.startswith("endpoint=http://127.0.0.1:") for line in
                                          terminal.transcript), 60, "ran once the cloud was ready")
        assert f"endpoint={app.endpoint}" in terminal.transcript


async def test_the_session_keeps_cd_and_export_and_gailab_env_agrees(app_for):
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await terminal_of(app, pilot)
        await run(pilot, terminal, "mkdir -p sub && cd sub && export GREETING=ola")
        lines = await run(pilot, terminal, "pwd; echo $GREETING")
        assert lines[-2].endswith("/sub") and lines[-1] == "ola"
        assert str(terminal.query_one("#term-prompt").render()).strip().endswith("sub $")
        before = await run(pilot, terminal, "echo $AWS_ENDPOINT_URL")
        after = await run(pilot, terminal, 'eval "$(gailab env)" && echo $AWS_ENDPOINT_URL')
        assert before[-1] == after[-1] == app.endpoint
        lines = await run(pilot, terminal, "export AWS_PROFILE=work AWS_ENDPOINT_URL=https://x.amazonaws.com")
        lines = await run(pilot, terminal, "echo ${AWS_PROFILE:-none} $AWS_ENDPOINT_URL")
        assert lines[-1] == f"none {app.endpoint}"
        assert any("fixed to the local cloud" in line for line in terminal.transcript)
        # leaving the lab and coming back keeps the session
        await pilot.press("escape")
        await wait_for(pilot, lambda: not getattr(app.screen, "is_lab_screen", False), what="catalog")
        terminal = await terminal_of(app, pilot)
        lines = await run(pilot, terminal, "pwd")
        assert lines[-1].endswith("/sub")
        await pilot.press("up")
        assert terminal.query_one("#term-input", Input).value == "pwd"


async def test_interactive_programs_work_or_say_why(app_for):
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await terminal_of(app, pilot)
        await submit(pilot, terminal, "python")
        await wait_for(pilot, lambda: terminal.running, what="python started")
        assert any("Interactive Python" in line for line in terminal.transcript)
        await submit(pilot, terminal, "print(6 * 7)")
        await wait_for(pilot, lambda: "42" in terminal.transcript, 20, "python answered")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: terminal.run is None, 20, "python ended with ctrl+d")
        assert terminal.last_exit == 0
        await submit(pilot, terminal, "read -r name; echo hello $name")
        await wait_for(pilot, lambda: terminal.running, what="read waits")
        await submit(pilot, terminal, "Ana")
        await wait_for(pilot, lambda: "hello Ana" in terminal.transcript, 20, "input reached the command")
        for command, expect in (("vim setup_storage.py", "Editor tab"), ("aws configure", "Not needed here"),
                                ("top", "full-screen")):
            await submit(pilot, terminal, command)
            await wait_for(pilot, lambda: any(expect in line for line in terminal.transcript[-3:]), 5, command)
            assert terminal.run is None
