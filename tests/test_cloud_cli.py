"""`gailab --help`, `gailab serve` and `gailab env` as a person uses them in a terminal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from gailab.simulator import CloudProcess
from gailab.simulator.core.process import wait_until

GAILAB = [sys.executable, "-m", "gailab.tui.cli"]


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*GAILAB, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_help_texts():
    top = run("--help")
    assert top.returncode == 0 and "serve" in top.stdout and "env" in top.stdout
    serve = run("serve", "--help")
    assert serve.returncode == 0
    for flag in ("--host", "--port", "--home", "--fresh", "--verbose"):
        assert flag in serve.stdout
    assert run("env", "--help").returncode == 0


def test_version_is_the_installed_one():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"gailab {version('gailab')}"


def test_env_prints_evaluable_exports(tmp_path):
    env = {**os.environ, "GAILAB_HOME": str(tmp_path)}
    env.pop("GAILAB_ENDPOINT", None)
    default = run("env", env=env)
    assert default.returncode == 0
    assert default.stdout.splitlines() == [
        "export AWS_ENDPOINT_URL=http://127.0.0.1:4566",
        "export AWS_ACCESS_KEY_ID=test",
        "export AWS_SECRET_ACCESS_KEY=test",
        "export AWS_DEFAULT_REGION=us-east-1",
    ]
    assert "no local cloud answers at http://127.0.0.1:4566" in default.stderr  # says so, exports still usable
    given = run("env", "--endpoint", "http://127.0.0.1:9999/", env=env)
    shell = subprocess.run(["sh", "-c", given.stdout + 'echo "$AWS_ENDPOINT_URL $AWS_DEFAULT_REGION"'],
                           capture_output=True, text=True)
    assert shell.stdout.strip() == "http://127.0.0.1:9999 us-east-1"
    bad = run("env", "--endpoint", "localhost:4566", env=env)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_env_finds_the_running_cloud_of_the_home(tmp_path):
    with CloudProcess(tmp_path) as cloud:
        env = {**os.environ}
        env.pop("GAILAB_ENDPOINT", None)
        found = run("--home", str(tmp_path), "env", env=env)
        assert f"export AWS_ENDPOINT_URL={cloud.endpoint}" in found.stdout
        assert found.returncode == 0 and found.stderr == ""


def test_serve_prints_endpoint_and_exports_and_stops_cleanly_on_sigterm(tmp_path):
    cloud = CloudProcess(tmp_path).start()
    wait_until(lambda: any("Ctrl-C" in line for line in cloud.output))
    text = "\n".join(cloud.output)
    assert f"export AWS_ENDPOINT_URL={cloud.endpoint}" in text
    assert "export AWS_ACCESS_KEY_ID=test" in text
    cloud.proc.send_signal(signal.SIGTERM)
    assert cloud.proc.wait(10) == 0
    wait_until(lambda: any("journal flushed" in line for line in cloud.output))
    assert not any("Traceback" in line for line in cloud.output)


def test_taken_port_and_taken_home_are_one_line_exit_2(tmp_path):
    with CloudProcess(tmp_path / "a") as cloud:
        port = cloud.endpoint.rsplit(":", 1)[1]
        taken = run("serve", "--home", str(tmp_path / "b"), "--port", port)
        assert taken.returncode == 2
        assert taken.stderr.strip().splitlines() == [taken.stderr.strip()]
        assert "already in use" in taken.stderr
        same_home = run("serve", "--home", str(tmp_path / "a"), "--port", "0")
        assert same_home.returncode == 2 and "already uses the home" in same_home.stderr


def test_non_loopback_host_must_be_asked_for_and_warns(tmp_path):
    refused = run("serve", "--home", str(tmp_path), "--host", "0.0.0.0", "--port", "0")
    assert refused.returncode == 2 and "--allow-remote" in refused.stderr
    with CloudProcess(tmp_path, host="0.0.0.0", extra_args=["--allow-remote"]) as cloud:
        wait_until(lambda: any("no authentication" in line for line in cloud.output))
        port = int(cloud.endpoint.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_bad_port_is_a_usage_error(tmp_path):
    bad = run("serve", "--home", str(tmp_path), "--port", "70000")
    assert bad.returncode == 2 and "--port" in bad.stderr
