"""Workers live and die with the cloud: reset and stop kill them; journal replay never runs code."""

from __future__ import annotations

import json
import urllib.request

import boto3
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_files, zip_handler
from gailab.simulator.core.process import CloudProcess, wait_until

PID = "def handler(event, context):\n    return context.log_stream_name\n"  # one per execution environment


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_reset_kills_warm_workers(cloud, aws):
    role = ensure_role(aws("iam"), "pid-role")
    lam = aws("lambda")
    lam.create_function(FunctionName="pid", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler(PID)})
    stream = json.loads(lam.invoke(FunctionName="pid")["Payload"].read())
    assert json.loads(lam.invoke(FunctionName="pid")["Payload"].read()) == stream  # warm: the same environment
    [pid] = [e["pid"] for e in cloud.extension("lambda-runtime").runtime.environments() if e["function"] == "pid"]
    assert _alive(pid)
    cloud.reset()
    wait_until(lambda: not _alive(pid), timeout=30)


def test_layers_are_importable_like_opt_python(cloud, aws):
    role = ensure_role(aws("iam"), "layer-role")
    lam = aws("lambda")
    layer = lam.publish_layer_version(LayerName="helpers", CompatibleRuntimes=["python3.12"], Content={
        "ZipFile": zip_files({"python/textutils.py": "def shout(s):\n    return s.upper() + '!'\n"})})
    lam.create_function(FunctionName="layered", Runtime="python3.12", Role=role, Handler="app.main",
                        Layers=[layer["LayerVersionArn"]],
                        Code={"ZipFile": zip_files({"app.py": "import textutils\ndef main(e, c):\n"
                                                              "    return textutils.shout(e['word'])\n"})})
    response = lam.invoke(FunctionName="layered", Payload=json.dumps({"word": "hello"}))
    assert json.loads(response["Payload"].read()) == "HELLO!"


def test_replay_never_runs_code_and_stop_kills_workers(tmp_path):
    handler = ("import boto3, os, uuid\ndef handler(event, context):\n"
               "    boto3.client('s3').put_object(Bucket='trigger', Key='runs/' + uuid.uuid4().hex, Body=b'1')\n"
               "    return context.log_stream_name\n")
    with CloudProcess(tmp_path / "home") as first:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name="us-east-1")
        client = lambda name, ep: session.client(name, endpoint_url=ep, config=Config(retries={"max_attempts": 1}))
        s3, lam = client("s3", first.endpoint), client("lambda", first.endpoint)
        role = ensure_role(client("iam", first.endpoint), "replay-role", {"s3": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trigger/runs/*"}]}})
        s3.create_bucket(Bucket="trigger")
        arn = lam.create_function(FunctionName="counter", Runtime="python3.12", Role=role,
                                  Handler="lambda_function.handler",
                                  Code={"ZipFile": zip_handler(handler)})["FunctionArn"]
        lam.add_permission(FunctionName="counter", StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::trigger")
        s3.put_bucket_notification_configuration(Bucket="trigger", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
                                              "Filter": {"Key": {"FilterRules": [{"Name": "prefix",
                                                                                  "Value": "in/"}]}}}]})
        s3.put_object(Bucket="trigger", Key="in/one.txt", Body=b"x")
        wait_until(lambda: s3.list_objects_v2(Bucket="trigger", Prefix="runs/").get("KeyCount") == 1, timeout=60)
        stream = json.loads(lam.invoke(FunctionName="counter")["Payload"].read())
        with urllib.request.urlopen(first.endpoint + "/_gailab/lambda") as reply:
            pids = [e["pid"] for e in json.load(reply)["environments"] if e["function"] == "counter"]
        assert pids and all(_alive(pid) for pid in pids)  # the S3 event's environment and Invoke's (maybe one)
        runs_before = s3.list_objects_v2(Bucket="trigger", Prefix="runs/")["KeyCount"]
        assert runs_before == 2
    wait_until(lambda: not any(_alive(pid) for pid in pids), timeout=30)
    with CloudProcess(tmp_path / "home") as second:
        s3 = client("s3", second.endpoint)
        # The handler's own writes come back from the journal; the notification did not run the code again.
        assert s3.list_objects_v2(Bucket="trigger", Prefix="runs/")["KeyCount"] == runs_before
        lam = client("lambda", second.endpoint)
        assert json.loads(lam.invoke(FunctionName="counter")["Payload"].read()) != stream
        assert s3.list_objects_v2(Bucket="trigger", Prefix="runs/")["KeyCount"] == runs_before + 1


def _runtime(endpoint: str) -> dict:
    with urllib.request.urlopen(endpoint + "/_gailab/lambda") as reply:
        return json.load(reply)["runtime"]


def test_the_spare_worker_waits_for_the_first_function_and_comes_back_with_it_after_a_restart(tmp_path):
    """A cloud without functions (most labs) keeps no spare worker (~45 MiB); the first CreateFunction starts one,
    ahead of the first Invoke; a restart whose journal holds a function starts one again."""
    with CloudProcess(tmp_path / "home") as cloud:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name="us-east-1")
        client = lambda name: session.client(name, endpoint_url=cloud.endpoint, config=Config(retries={"max_attempts": 1}))
        client("s3").create_bucket(Bucket="no-function-yet")
        assert _runtime(cloud.endpoint)["spare"] is False
        role = ensure_role(client("iam"), "spare-role")
        client("lambda").create_function(FunctionName="first", Runtime="python3.12", Role=role,
                                         Handler="lambda_function.handler", Code={"ZipFile": zip_handler(PID)})
        wait_until(lambda: _runtime(cloud.endpoint)["spare"], timeout=30)
    with CloudProcess(tmp_path / "home") as again:
        wait_until(lambda: _runtime(again.endpoint)["spare"], timeout=30)


def test_killing_a_worker_twice_never_closes_someone_elses_file(tmp_path):
    """A worker's pipes are closed once: a second kill (a reset and the pool both ending it) used to close the same
    numbers again - by then another thread's files (the journal's) - which then failed with EBADF."""
    import os

    from gailab.simulator.awslambda.process import WorkerProcess

    worker = WorkerProcess(dict(os.environ), str(tmp_path))
    worker.kill()
    files = [open(tmp_path / f"reused-{n}", "wb") for n in range(4)]  # take the numbers the pipes had
    try:
        worker.kill()
        for f in files:
            os.fstat(f.fileno())  # EBADF if the second kill closed it
            f.write(b"still mine")
    finally:
        for f in files:
            f.close()
