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


#: The kinds whose point is the timeout itself: they keep Lambda's Timeout=1 and its message. Every other kind fails
#: on its own long before its (generous) timeout, so a loaded machine cannot turn its error into Sandbox.Timedout.
TIMED = {"infinite-loop", "init-loop"}
#: The wall-clock bound of a timed kind: it must be cut at its 1 s, not run on until the client gives up (60 s); the
#: margin is for a worker's start-up on a machine loaded to 15+ (the platform's time, not the function's).
CUT_WITHIN = 20.0
GENEROUS = 60


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_handler_gets_its_aws_error_and_a_healthy_function_answers_after(cloud, aws, kind):
    source, error_type, message = HOSTILE[kind]
    lam = aws("lambda")
    role = _role(aws)
    lam.create_function(FunctionName="healthy", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(HEALTHY)}, Timeout=GENEROUS)
    timeout = 1 if kind in TIMED else GENEROUS
    lam.create_function(FunctionName=kind, Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=timeout, MemorySize=128)
    started = time.monotonic()
    response = lam.invoke(FunctionName=kind, Payload=b"{}")
    elapsed = time.monotonic() - started
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == error_type, body
    assert message in body["errorMessage"], body
    if kind in TIMED:
        assert 1.0 <= elapsed < CUT_WITHIN, f"{kind} took {elapsed:.1f} s"
        report = _last_report(aws, kind)
        assert "Duration: 1000.00 ms" in report and "Status: timeout" in report, report
    healthy = lam.invoke(FunctionName="healthy", Payload=b"{}")
    assert json.loads(healthy["Payload"].read()) == {"ok": True}
    # The same function still answers the same way (its broken worker was replaced, nothing is stuck).
    again = json.loads(lam.invoke(FunctionName=kind, Payload=b"{}")["Payload"].read())
    assert again["errorType"] == error_type
    assert cloud.extension("lambda-runtime").runtime.stats()["busy"] == 0


def _last_report(aws, function: str) -> str:
    """The REPORT line of the function's latest invocation, from its log group."""
    logs = aws("logs")
    group = f"/aws/lambda/{function}"
    events = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
    reports = [line for line in events if line.startswith("REPORT RequestId")]
    assert reports, events
    return reports[-1]


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
                        Code={"ZipFile": zip_handler(source)}, Timeout=GENEROUS)
    response = lam.invoke(FunctionName="bomb")
    body = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "BlockingIOError", body
    wait_until(lambda: _named("gailab-bomb") == 0, timeout=30)


def test_ten_megabytes_of_output_are_capped_not_fatal(cloud, aws):
    lam = aws("lambda")
    source = ("import sys\ndef handler(event, context):\n    chunk = 'x' * 1023 + '\\n'\n"
              "    for _ in range(10 * 1024):\n        sys.stdout.write(chunk)\n    print('the end')\n"
              "    return 'done'\n")
    lam.create_function(FunctionName="chatty", Runtime="python3.12", Role=_role(aws), Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=GENEROUS)
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
    """Three invocations run at the same time, each in its own environment: every handler waits (with a deadline)
    until all three have said they started, through the cloud. Run one after another, the first would wait in vain."""
    from concurrent.futures import ThreadPoolExecutor

    lam = aws("lambda")
    aws("s3").create_bucket(Bucket="rendezvous")
    role = _role(aws)
    aws("iam").put_role_policy(RoleName="contained-role", PolicyName="rendezvous", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::rendezvous", "arn:aws:s3:::rendezvous/*"]}]}))
    source = ("import time, boto3\ndef handler(event, context):\n    s3 = boto3.client('s3')\n"
              "    s3.put_object(Bucket='rendezvous', Key=context.aws_request_id, Body=b'here')\n"
              "    deadline = time.monotonic() + 40\n"
              "    while time.monotonic() < deadline:\n"
              "        if s3.list_objects_v2(Bucket='rendezvous').get('KeyCount', 0) >= 3:\n"
              "            return [context.log_stream_name, True]\n"
              "        time.sleep(0.05)\n"
              "    return [context.log_stream_name, False]\n")
    lam.create_function(FunctionName="meet", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=GENEROUS)
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda _: json.loads(lam.invoke(FunctionName="meet")["Payload"].read()), range(3)))
    assert len({stream for stream, _ in runs}) == 3, runs  # three execution environments
    assert all(met for _, met in runs), runs  # ... each saw the other two running
