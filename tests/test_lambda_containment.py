"""Hostile handlers get Lambda's own errors within their timeout; the server and healthy functions carry on."""

from __future__ import annotations

import json
import os
import time

import pytest

from gailab.simulator.awslambda.package import ensure_role, zip_files, zip_handler
from gailab.simulator.core.process import wait_until

HEALTHY = "def handler(event, context):\n    return {'ok': True}\n"

HOSTILE = {
    "infinite-loop": (
        "def handler(event, context):\n    while True:\n        pass\n",
        "Sandbox.Timedout", "Task timed out after 1.00 seconds"),
    "init-loop": (
        "while True:\n    pass\n\ndef handler(event, context):\n    return 1\n",
        "Sandbox.Timedout", "Task timed out after 1.00 seconds"),
    "memory-bomb": (
        "def handler(event, context):\n    hog = []\n    while True:\n        hog.append(bytearray(16 * 1024 * 1024))\n",
        "Runtime.OutOfMemory", "Runtime exited with error: signal: killed"),
    "os-exit": (
        "import os\ndef handler(event, context):\n    os._exit(3)\n",
        "Runtime.ExitError", "Runtime exited with error: exit status 3"),
    "segfault": (
        "import ctypes\ndef handler(event, context):\n    return ctypes.string_at(0)\n",
        "Runtime.ExitError", "Runtime exited with error: signal: segmentation fault"),
    "fork-bomb": (
        "import os, time\ndef handler(event, context):\n    for _ in range(500):\n        if os.fork() == 0:\n"
        "            time.sleep(60)\n            os._exit(0)\n",
        "BlockingIOError", "Resource temporarily unavailable"),
    "syntax-error": (
        "def handler(event, context)\n    return 1\n",
        "Runtime.UserCodeSyntaxError", "Syntax error in module 'lambda_function'"),
    "import-error": (
        "import does_not_exist_anywhere\ndef handler(event, context):\n    return 1\n",
        "Runtime.ImportModuleError",
        "Unable to import module 'lambda_function': No module named 'does_not_exist_anywhere'"),
    "missing-handler": (
        "def other(event, context):\n    return 1\n",
        "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'lambda_function'"),
}


BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _role(aws):
    arn = ensure_role(aws("iam"), "contained-role")
    aws("iam").attach_role_policy(RoleName="contained-role", PolicyArn=BASIC)  # lets Lambda write its logs
    return arn


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_handler_gets_its_aws_error_and_a_healthy_function_answers_after(cloud, aws, kind):
    source, error_type, message = HOSTILE[kind]
    lam = aws("lambda")
    role = _role(aws)
    lam.create_function(FunctionName="healthy", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(HEALTHY)}, Timeout=3)
    timeout = 3 if kind == "fork-bomb" else 1  # 64 forks of a Python process take a while on a busy machine
    lam.create_function(FunctionName=kind, Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=timeout, MemorySize=128)
    started = time.monotonic()
    response = lam.invoke(FunctionName=kind, Payload=b"{}")
    elapsed = time.monotonic() - started
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == error_type, body
    assert message in body["errorMessage"], body
    assert elapsed < timeout + 4, f"{kind} took {elapsed:.1f} s"
    healthy = lam.invoke(FunctionName="healthy", Payload=b"{}")
    assert json.loads(healthy["Payload"].read()) == {"ok": True}
    # The same function still answers the same way (its broken worker was replaced, nothing is stuck).
    again = json.loads(lam.invoke(FunctionName=kind, Payload=b"{}")["Payload"].read())
    assert again["errorType"] == error_type
    assert cloud.extension("lambda-runtime").runtime.stats()["busy"] == 0


def _named(name: str) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    count += f.read().strip() == name
            except OSError:
                pass
    return count


def test_fork_bomb_children_are_killed_with_their_worker(cloud, aws):
    lam = aws("lambda")
    source = ("import ctypes, os, time\ndef handler(event, context):\n    for _ in range(500):\n"
              "        if os.fork() == 0:\n            ctypes.CDLL(None).prctl(15, b'gailab-bomb', 0, 0, 0)\n"
              "            time.sleep(60)\n            os._exit(0)\n")
    lam.create_function(FunctionName="bomb", Runtime="python3.12", Role=_role(aws), Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=3)
    response = lam.invoke(FunctionName="bomb")
    assert response["FunctionError"] == "Unhandled"
    wait_until(lambda: _named("gailab-bomb") == 0, timeout=10)


def test_ten_megabytes_of_output_are_capped_not_fatal(cloud, aws):
    lam = aws("lambda")
    source = ("import sys\ndef handler(event, context):\n    chunk = 'x' * 1023 + '\\n'\n"
              "    for _ in range(10 * 1024):\n        sys.stdout.write(chunk)\n    print('the end')\n"
              "    return 'done'\n")
    lam.create_function(FunctionName="chatty", Runtime="python3.12", Role=_role(aws), Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=2)
    response = lam.invoke(FunctionName="chatty", LogType="Tail")
    assert json.loads(response["Payload"].read()) == "done"
    import base64

    tail = base64.b64decode(response["LogResult"]).decode()
    assert "the end" in tail and "REPORT RequestId" in tail
    logs = aws("logs")
    stream = logs.describe_log_streams(logGroupName="/aws/lambda/chatty")["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName="/aws/lambda/chatty", logStreamName=stream)["events"]
    text = "\n".join(e["message"] for e in events)
    assert "bytes of output here" in text and len(text) < 1024 * 1024


def test_other_runtimes_fail_with_a_clear_function_error(cloud, aws):
    lam = aws("lambda")
    lam.create_function(FunctionName="node", Runtime="nodejs20.x", Role=_role(aws), Handler="index.handler",
                        Code={"ZipFile": zip_files({"index.js": "exports.handler = async () => 1;"})})
    response = lam.invoke(FunctionName="node")
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Runtime.InvalidRuntime"
    assert "nodejs20.x" in body["errorMessage"] and "Python" in body["errorMessage"]


def test_concurrent_invocations_get_their_own_workers(cloud, aws):
    from concurrent.futures import ThreadPoolExecutor

    lam = aws("lambda")
    source = ("import time\ndef handler(event, context):\n    began = time.time()\n    time.sleep(1.0)\n"
              "    return [context.log_stream_name, began, time.time()]\n")
    lam.create_function(FunctionName="slow", Runtime="python3.12", Role=_role(aws), Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=10)
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda _: json.loads(lam.invoke(FunctionName="slow")["Payload"].read()), range(3)))
    assert len({stream for stream, _, _ in runs}) == 3  # three execution environments
    # ... running at the same time: some moment lies within every run.
    assert max(began for _, began, _ in runs) < min(ended for _, _, ended in runs)
