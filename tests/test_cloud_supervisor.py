"""Where a cloud can still be killed (or stopped), its supervisor brings it back on the same endpoint with all its
state, and says so: the app's CloudProcess counts the restart, health reports it."""

from __future__ import annotations

import os
import signal

import boto3
from botocore.config import Config

from gailab.simulator import CloudProcess
from gailab.simulator.core.process import health, wait_until


def _s3(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def _cloud_pid(supervisor: int) -> int:
    """The cloud the supervisor runs (its one child)."""
    with open(f"/proc/{supervisor}/task/{supervisor}/children") as f:
        children = [int(c) for c in f.read().split()]
    assert len(children) == 1, children
    return children[0]


def _answers(endpoint: str) -> bool:
    try:
        return health(endpoint, timeout=1)["status"] == "ready"
    except Exception:
        return False


def test_a_killed_cloud_is_back_on_the_same_endpoint_with_its_state(tmp_path):
    restarted = []
    with CloudProcess(tmp_path / "home", fresh=True) as cloud:
        cloud.on_restart = restarted.append
        _s3(cloud.endpoint).create_bucket(Bucket="before-the-kill")
        first = _cloud_pid(cloud.proc.pid)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: cloud.restarts == 1 and _answers(cloud.endpoint), timeout=30)
        second = _cloud_pid(cloud.proc.pid)
        assert second != first
        # Forked from the supervisor, which has the cloud's modules loaded (a restart skips Python's start-up).
        with open(f"/proc/{second}/comm") as f:
            assert f.read().strip() == "gailab-cloud"
        assert restarted == ["killed by SIGKILL"]
        report = health(cloud.endpoint)
        assert report["restarts"] == 1 and report["lastRestart"] == "killed by SIGKILL"
        # --fresh applied to the first start only: the restart replayed the journal.
        assert [b["Name"] for b in _s3(cloud.endpoint).list_buckets()["Buckets"]] == ["before-the-kill"]
        _s3(cloud.endpoint).create_bucket(Bucket="after-the-restart")
    assert not cloud.alive()


def test_a_stopped_cloud_is_continued(tmp_path):
    with CloudProcess(tmp_path / "home") as cloud:
        child = _cloud_pid(cloud.proc.pid)
        os.kill(child, signal.SIGSTOP)
        wait_until(lambda: _answers(cloud.endpoint), timeout=30)
        assert _cloud_pid(cloud.proc.pid) == child and cloud.restarts == 0


def test_stopping_the_supervisor_stops_the_cloud_and_frees_the_home(tmp_path):
    cloud = CloudProcess(tmp_path / "home").start()
    child = _cloud_pid(cloud.proc.pid)
    cloud.kill()  # SIGKILL to the supervisor: the cloud goes with it
    wait_until(lambda: not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split(")")[1].split()[0] == "Z", timeout=10)
    again = CloudProcess(tmp_path / "home").start()
    try:
        assert _answers(again.endpoint)
    finally:
        again.stop()


async def test_the_app_says_when_its_cloud_was_killed_and_brought_back(tmp_path, monkeypatch):
    from gailab.tui.app import GailabApp
    from gailab.tui.testing import wait_for

    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    app = GailabApp(home=tmp_path / "home", lang="pt-BR")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.cloud_state == "ready", timeout=60, what="cloud")
        os.kill(_cloud_pid(app.cloud_process.proc.pid), signal.SIGKILL)
        await wait_for(pilot, lambda: any("foi reiniciada" in n.message for n in app._notifications), timeout=60,
                       what="restart note")
        [note] = [n.message for n in app._notifications if "foi reiniciada" in n.message]
        assert note == "A nuvem local parou inesperadamente (SIGKILL) e foi reiniciada; todo o seu trabalho continua lá."
        await wait_for(pilot, lambda: _answers(app.endpoint), timeout=60, what="cloud back")
        assert app.cloud_state == "ready"


def test_the_restart_line_is_in_the_learners_language_and_still_understood(tmp_path):
    """`gailab serve` in pt-BR says the restart in Portuguese; the app's CloudProcess still counts it."""
    env = {**os.environ, "GAILAB_LANG": "pt-BR"}
    with CloudProcess(tmp_path / "home", fresh=True, env=env) as cloud:
        os.kill(_cloud_pid(cloud.proc.pid), signal.SIGKILL)
        wait_until(lambda: cloud.restarts == 1 and _answers(cloud.endpoint), timeout=30)
        assert cloud.last_restart == "encerrada pelo sinal SIGKILL"
        assert "nuvem local do gailab reiniciando: encerrada pelo sinal SIGKILL" in cloud.output
        assert not any("restarting" in line for line in cloud.output)


def test_the_cloud_runs_with_two_malloc_arenas_unless_told_otherwise(tmp_path):
    """The cloud's request threads share the GIL: two glibc arenas keep memory lower at no cost in speed."""
    def environ(pid: int) -> dict:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return dict(item.decode().partition("=")[::2] for item in f.read().split(b"\0") if item)

    with CloudProcess(tmp_path / "a") as cloud:
        assert environ(_cloud_pid(cloud.proc.pid))["MALLOC_ARENA_MAX"] == "2"
    with CloudProcess(tmp_path / "b", env={**os.environ, "MALLOC_ARENA_MAX": "4"}) as cloud:
        assert environ(cloud.proc.pid)["MALLOC_ARENA_MAX"] == "4"
