"""A handler cannot touch the cloud: each hostile handler fails to do its harm, and the cloud answers health within
a second after it. The cloud runs in this very process, so a handler that could signal or stop the server would end
the test run itself."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from gailab.simulator.awslambda import containment
from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.process import wait_until

PROBE = r'''
import ctypes, errno, json, os, signal, socket, subprocess, sys, time

def attempt(fn):
    try:
        return "done: " + str(fn())
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"

def read(path):
    with open(path, "rb") as f:
        return len(f.read())

def append(path):
    with open(path, "ab") as f:
        f.write(b'{"seq": 999999, "kind": "ledger", "record": {}}\n')
    return "appended"

def handler(event, context):
    what = event["what"]
    if what == "signal":
        return {str(sig): attempt(lambda sig=sig: os.kill(event["pid"], sig)) for sig in (signal.SIGSTOP, signal.SIGKILL)}
    if what == "parent":
        return attempt(lambda: os.kill(os.getppid(), signal.SIGKILL))
    if what == "kill-all":
        return attempt(lambda: os.kill(-1, signal.SIGKILL))
    if what == "files":
        return {path: attempt(lambda path=path: read(path)) for path in event["paths"]}
    if what == "append":
        return attempt(lambda: append(event["path"]))
    if what == "proc":
        pid = event["pid"]
        return {name: attempt(lambda name=name: read(f"/proc/{pid}/{name}")) for name in ("environ", "cmdline", "mem")}
    if what == "ptrace":
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.ptrace(16, event["pid"], 0, 0)  # PTRACE_ATTACH
        return {"result": result, "errno": errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())}
    if what == "listen":
        def listen():
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", event["port"]))
            s.listen(5)
            globals()["kept"] = s
            return "listening"
        return attempt(listen)
    if what == "connect":
        return attempt(lambda: socket.create_connection(("127.0.0.1", event["port"]), timeout=2).close())
    if what == "fill-tmp":
        written = 0
        chunk = b"x" * (8 << 20)
        try:
            with open("/tmp/gailab-fill", "wb") as f:
                for _ in range(75):
                    f.write(chunk)
                    f.flush()
                    written += len(chunk)
        except OSError as exc:
            return {"written": written, "error": errno.errorcode.get(exc.errno, str(exc.errno))}
        return {"written": written, "error": None}
    if what == "daemon":
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, b"gailab-daemon", 0, 0, 0)  # PR_SET_NAME
                while True:
                    time.sleep(0.05)
            os._exit(0)
        time.sleep(0.3)
        return "forked"
    if what == "spawn":
        started = []
        try:
            for _ in range(300):
                started.append(subprocess.Popen(["sleep", "30"]))
        except OSError as exc:
            return {"started": len(started), "error": type(exc).__name__}
        finally:
            for p in started:
                p.kill()
        return {"started": len(started), "error": None}
    if what == "namespaces":
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.unshare(0x10000000 | 0x00020000)  # CLONE_NEWUSER | CLONE_NEWNS
        return {"result": result, "errno": errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())}
    if what == "whoami":
        return {"uid": os.getuid(), "root": os.listdir("/"), "task": os.listdir("/var/task"), "pid": os.getpid()}
'''


def _deploy(aws, name: str = "probe", **extra) -> None:
    lam = aws("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ensure_role(aws("iam"), "probe-role"),
                        Handler="lambda_function.handler", Code={"ZipFile": zip_handler(PROBE)}, Timeout=30,
                        **extra)


def _call(aws, what: str, name: str = "probe", **event):
    response = aws("lambda").invoke(FunctionName=name, Payload=json.dumps({"what": what, **event}).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def _healthy_within_a_second(cloud):
    """Health answers within a second. A killed or stopped server never does; a machine loaded by other work may
    delay one request past the second, so three tries are allowed (each with its own one-second limit)."""
    import urllib.request

    timings = []
    for _ in range(3):
        started = time.monotonic()
        try:
            with urllib.request.urlopen(cloud.endpoint + "/_gailab/health", timeout=1) as reply:
                ready = json.load(reply)["status"] == "ready"
        except OSError as exc:
            timings.append(repr(exc))
            continue
        elapsed = time.monotonic() - started
        if ready and elapsed < 1.0:
            return
        timings.append(elapsed)
    raise AssertionError(f"health did not answer within a second: {timings}")


@pytest.fixture
def probe(cloud, aws):
    assert containment.choose("auto") == "namespaces", containment.probe()
    _deploy(aws)
    return cloud


def test_the_handler_runs_in_its_own_root_as_nobody_special(probe, aws):
    seen = _call(aws, "whoami")
    assert seen["task"] == ["lambda_function.py"] and seen["pid"] == 2
    assert seen["uid"] != 0 and "home" not in seen["root"]


def test_cannot_signal_or_stop_the_server(probe, aws):
    answers = _call(aws, "signal", pid=os.getpid())
    assert all(answer.startswith("ProcessLookupError") for answer in answers.values()), answers
    assert _call(aws, "parent").startswith(("done", "PermissionError"))  # its parent is its own init
    assert _call(aws, "kill-all").startswith(("done", "PermissionError", "ProcessLookupError"))
    _healthy_within_a_second(probe)
    assert _call(aws, "whoami")["pid"] == 2


def test_cannot_trace_or_read_the_memory_of_the_server_or_another_function(probe, aws):
    _deploy(aws, "other")
    _call(aws, "whoami", name="other")
    runtime = probe.extension("lambda-runtime").runtime
    other = next(e for envs in runtime._idle.values() for e in envs if e.spec.name == "other")
    for pid in (os.getpid(), other.worker.pid):
        traced = _call(aws, "ptrace", pid=pid)
        assert traced["result"] == -1 and traced["errno"] in ("ESRCH", "EPERM"), traced
        answers = _call(aws, "proc", pid=pid)
        assert all(a.startswith(("FileNotFoundError", "PermissionError")) for a in answers.values()), answers
        assert _call(aws, "signal", pid=pid)["19"].startswith("ProcessLookupError")
    _healthy_within_a_second(probe)


def test_cannot_read_or_write_the_home_or_other_functions_code(probe, aws):
    _deploy(aws, "other")
    _call(aws, "whoami", name="other")
    home = probe.home
    code = next(p for p in (home / "lambda" / "code").iterdir())
    secrets = [home / "cloud" / "journal.jsonl", home / "cloud" / "admin-token", home / "gailab.db",
               home / "cloud" / "serve.lock", code / "lambda_function.py"]
    answers = _call(aws, "files", paths=[str(p) for p in secrets])
    assert all(a.startswith(("FileNotFoundError", "PermissionError")) for a in answers.values()), answers
    assert _call(aws, "append", path=str(probe.journal.path)).startswith(("FileNotFoundError", "PermissionError"))
    assert b"999999" not in probe.journal.path.read_bytes()
    _healthy_within_a_second(probe)


def test_cannot_listen_for_the_network_nor_reach_anything_but_the_cloud(probe, aws):
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        free = probe_port.getsockname()[1]
    assert not _call(aws, "listen", port=free).startswith("done: listening") or _refused(free)
    assert _refused(free)  # nothing on the host answers there
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(5)
        other.settimeout(0.5)
        answer = _call(aws, "connect", port=other.getsockname()[1])
        assert answer.startswith(("ConnectionRefusedError", "PermissionError", "OSError", "TimeoutError")), answer
        with pytest.raises(socket.timeout):
            other.accept()
    _healthy_within_a_second(probe)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_tmp_is_its_own_and_capped_at_the_ephemeral_storage(probe, aws):
    filled = _call(aws, "fill-tmp")
    assert filled["error"] == "ENOSPC" and 500 << 20 <= filled["written"] <= 512 << 20, filled
    assert not os.path.exists("/tmp/gailab-fill")
    aws("lambda").update_function_configuration(FunctionName="probe", EphemeralStorage={"Size": 1024})
    wait_until(lambda: aws("lambda").get_function_configuration(FunctionName="probe")["LastUpdateStatus"]
               == "Successful", timeout=10)
    more = _call(aws, "fill-tmp")
    assert more["error"] is None and more["written"] == 600 << 20, more  # 600 MB fit in 1,024 MB
    _healthy_within_a_second(probe)


def test_no_process_outlives_its_invocation(probe, aws):
    assert _call(aws, "daemon") == "forked"
    wait_until(lambda: not _named("gailab-daemon"), timeout=10)
    assert _call(aws, "whoami")["task"] == ["lambda_function.py"]  # a new environment serves
    _healthy_within_a_second(probe)


def test_the_process_limit_binds_subprocess_too_even_as_root(probe, aws):
    spawned = _call(aws, "spawn")
    assert spawned["error"] in ("BlockingIOError", "PermissionError", "OSError") and spawned["started"] < 100, spawned
    _healthy_within_a_second(probe)


def test_cannot_make_namespaces_of_its_own(probe, aws):
    made = _call(aws, "namespaces")
    assert made["result"] == -1 and made["errno"] == "EPERM", made


def test_a_non_root_server_contains_its_handlers_the_same_way(tmp_path):
    """The same cloud run as an ordinary user (uid 1000 in a user namespace of this test): the sandbox then makes
    its own user namespace, and the handler is that user, without a capability."""
    import shutil

    import boto3
    from botocore.config import Config

    from gailab.simulator import CloudProcess

    assert shutil.which("unshare"), "needs util-linux's unshare"

    class AsUser(CloudProcess):
        def command(self) -> list[str]:
            return ["unshare", "--user", "--map-user=1000", "--map-group=1000"] + super().command()

    with AsUser(tmp_path / "home") as served:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name="us-east-1")
        client = lambda name: session.client(name, endpoint_url=served.endpoint,  # noqa: E731
                                             config=Config(retries={"max_attempts": 1}, read_timeout=60))
        _deploy(client)
        seen = _call(client, "whoami")
        assert seen["uid"] == 1000 and seen["pid"] == 2 and seen["task"] == ["lambda_function.py"]
        server = _serving(served.proc.pid)
        answers = _call(client, "signal", pid=server)
        assert all(a.startswith("ProcessLookupError") for a in answers.values()), answers
        journal = tmp_path / "home" / "cloud" / "journal.jsonl"
        assert _call(client, "files", paths=[str(journal)])[str(journal)].startswith("FileNotFoundError")
        assert _call(client, "namespaces")["errno"] == "EPERM"


def _serving(supervisor: int) -> int:
    """The pid of the cloud (not its supervisor): the supervisor's one child."""
    with open(f"/proc/{supervisor}/task/{supervisor}/children") as f:
        children = [int(pid) for pid in f.read().split()]
    assert len(children) == 1, children
    return children[0]


@pytest.fixture
def landlock_only(cloud):
    """The Landlock-only mode (what a Linux without user namespaces gets), for this test's environments."""
    runtime = cloud.extension("lambda-runtime").runtime
    assert containment.probe()["landlock"] >= 6, containment.probe()
    runtime.kill_all()
    cloud.settings["lambda_sandbox"] = "landlock"
    runtime._sandbox_mode = None
    yield cloud
    runtime.kill_all()
    cloud.settings.pop("lambda_sandbox")
    runtime._sandbox_mode = None


def test_landlock_alone_keeps_the_home_the_server_and_the_network_out_of_reach(landlock_only, aws):
    _deploy(aws)
    assert landlock_only.extension("lambda-runtime").runtime.sandbox_mode == "landlock"
    home = landlock_only.home
    answers = _call(aws, "files", paths=[str(home / "cloud" / "journal.jsonl"), str(home / "cloud" / "admin-token")])
    assert all(a.startswith("PermissionError") for a in answers.values()), answers
    answers = _call(aws, "signal", pid=os.getpid())
    assert all(a.startswith("PermissionError") for a in answers.values()), answers  # Landlock's signal scope
    assert _call(aws, "ptrace", pid=os.getpid())["errno"] == "EPERM"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(5)
        assert _call(aws, "connect", port=other.getsockname()[1]).startswith("PermissionError")
    assert _call(aws, "listen", port=0).startswith("PermissionError")
    assert _call(aws, "namespaces")["errno"] == "EPERM"
    _healthy_within_a_second(landlock_only)


def test_nothing_of_a_handler_outlives_a_killed_cloud(tmp_path):
    import boto3
    from botocore.config import Config

    from gailab.simulator import CloudProcess

    sleeper = ("import ctypes, time\ndef handler(event, context):\n"
               "    ctypes.CDLL(None).prctl(15, b'gailab-sleeper', 0, 0, 0)\n    time.sleep(60)\n")
    served = CloudProcess(tmp_path / "home", extra_args=["--no-supervisor"]).start()
    try:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name="us-east-1")
        lam = session.client("lambda", endpoint_url=served.endpoint, config=Config(retries={"max_attempts": 1}))
        iam = session.client("iam", endpoint_url=served.endpoint)
        lam.create_function(FunctionName="sleeper", Runtime="python3.12", Role=ensure_role(iam, "sleeper-role"),
                            Handler="lambda_function.handler", Code={"ZipFile": zip_handler(sleeper)}, Timeout=120)
        lam.invoke(FunctionName="sleeper", InvocationType="Event", Payload=b"{}")
        wait_until(lambda: _named("gailab-sleeper"), timeout=30)
    finally:
        served.kill()  # SIGKILL: no chance to clean up
    wait_until(lambda: not _named("gailab-sleeper"), timeout=10)


def _named(name: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                pass
    return found
