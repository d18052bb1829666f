"""The Lambda runtime against the real server: warm reuse, logs, invocation types, triggers, the CLI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.process import wait_until

COUNTER = """
import os, boto3
calls = 0
print("initialising")

def handler(event, context):
    global calls
    calls += 1
    print("event", event["n"])
    sts = boto3.client("sts")
    return {
        "calls": calls,
        "caller": sts.get_caller_identity()["Arn"],
        "name": context.function_name,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "request_id": context.aws_request_id,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "endpoint": os.environ["AWS_ENDPOINT_URL"],
        "mode": os.environ["MODE"],
        "fn_env": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        "region": os.environ["AWS_REGION"],
    }
"""


def _create(aws, name, source, **kwargs):
    role = ensure_role(aws("iam"), "lambda-test-role", {"all": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}})
    params = dict(FunctionName=name, Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                  Code={"ZipFile": zip_handler(source)}, Timeout=30)
    params.update(kwargs)
    return aws("lambda").create_function(**params)


def _tail(response) -> str:
    return base64.b64decode(response["LogResult"]).decode()


def test_warm_reuse_context_logs_and_init_duration_only_on_cold_start(cloud, aws):
    _create(aws, "counter", COUNTER, Environment={"Variables": {"MODE": "test"}}, MemorySize=256)
    lam = aws("lambda")
    results, tails = [], []
    for n in range(3):
        response = lam.invoke(FunctionName="counter", Payload=json.dumps({"n": n}), LogType="Tail")
        assert response["StatusCode"] == 200 and "FunctionError" not in response
        assert response["ExecutedVersion"] == "$LATEST"
        results.append(json.loads(response["Payload"].read()))
        tails.append(_tail(response))
    assert [r["calls"] for r in results] == [1, 2, 3]  # module globals survive: the same warm worker
    first = results[0]
    assert first["caller"] == "arn:aws:sts::123456789012:assumed-role/lambda-test-role/counter"
    assert (first["name"], first["version"], first["memory"], first["mode"], first["fn_env"]) == (
        "counter", "$LATEST", "256", "test", "counter")
    assert first["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:counter"
    assert first["group"] == "/aws/lambda/counter" and first["region"] == "us-east-1"
    assert first["endpoint"] == cloud.endpoint
    assert 0 < first["remaining"] <= 30000  # the function's Timeout (30 s) counted down
    assert len({r["request_id"] for r in results}) == 3
    assert "Init Duration:" in tails[0] and all("Init Duration:" not in t for t in tails[1:])
    for n, (tail, result) in enumerate(zip(tails, results)):
        rid = result["request_id"]
        assert f"START RequestId: {rid} Version: $LATEST" in tail
        assert f"event {n}" in tail and f"END RequestId: {rid}" in tail
        assert f"REPORT RequestId: {rid}\tDuration: " in tail and "Memory Size: 256 MB" in tail
        assert "Billed Duration: " in tail and "Max Memory Used: " in tail
    logs = aws("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/counter")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [first["stream"]]
    assert "/[$LATEST]" in first["stream"] and first["stream"][:4].isdigit()
    messages = [e["message"] for e in logs.get_log_events(logGroupName="/aws/lambda/counter",
                                                          logStreamName=first["stream"])["events"]]
    assert messages[0].startswith("INIT_START") and "initialising" in messages
    assert sum(m.startswith("REPORT") for m in messages) == 3
    assert sum("Init Duration" in m for m in messages) == 1


def test_errors_raised_by_the_handler_are_reported_as_lambda_does(cloud, aws):
    source = ("import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\n"
              "def handler(event, context):\n    logger.info('about to fail')\n    raise ValueError('bad input')\n")
    _create(aws, "raiser", source)
    response = aws("lambda").invoke(FunctionName="raiser", Payload=b"{}", LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input"
    assert any("raise ValueError('bad input')" in frame for frame in body["stackTrace"])
    tail = _tail(response)
    assert "[INFO]\t" in tail and "about to fail" in tail and "[ERROR] ValueError: bad input" in tail


def test_dry_run_event_invocations_and_their_retries(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="events")
    source = ("import boto3, uuid\ndef handler(event, context):\n"
              "    boto3.client('s3').put_object(Bucket='events', Key=event['tag'] + '/' + uuid.uuid4().hex, Body=b'x')\n"
              "    if event.get('fail'):\n        raise RuntimeError('try again')\n    return 'ok'\n")
    _create(aws, "async-fn", source)
    lam = aws("lambda")
    dry = lam.invoke(FunctionName="async-fn", InvocationType="DryRun", Payload=json.dumps({"tag": "dry"}))
    assert dry["StatusCode"] == 204
    previous = dict(cloud.settings)
    cloud.settings["lambda_async_retry_delays"] = [0.05, 0.05]
    try:
        ok = lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=json.dumps({"tag": "ok"}))
        assert ok["StatusCode"] == 202
        failing = lam.invoke(FunctionName="async-fn", InvocationType="Event",
                             Payload=json.dumps({"tag": "fail", "fail": True}))
        assert failing["StatusCode"] == 202

        def keys(prefix):
            return [o["Key"] for o in s3.list_objects_v2(Bucket="events", Prefix=prefix).get("Contents", [])]

        wait_until(lambda: len(keys("fail/")) == 3 and len(keys("ok/")) == 1, timeout=60)
        # AWS tries twice more after a failure, and no more.
        ext = cloud.extension("lambda-runtime")
        wait_until(lambda: sum(e["function"] == "async-fn" for e in ext.events.completed) == 4, timeout=60)
        assert len(keys("fail/")) == 3
    finally:
        cloud.settings.clear()
        cloud.settings.update(previous)
    assert keys("dry/") == []  # DryRun checks access only, it runs nothing


def test_update_function_code_retires_warm_workers(cloud, aws):
    _create(aws, "versioned", "n = 0\ndef handler(e, c):\n    global n\n    n += 1\n    return ['v1', n]\n")
    lam = aws("lambda")
    assert json.loads(lam.invoke(FunctionName="versioned")["Payload"].read()) == ["v1", 1]
    assert json.loads(lam.invoke(FunctionName="versioned")["Payload"].read()) == ["v1", 2]
    lam.update_function_code(FunctionName="versioned",
                             ZipFile=zip_handler("def handler(e, c):\n    return ['v2']\n"))
    assert json.loads(lam.invoke(FunctionName="versioned")["Payload"].read()) == ["v2"]
    lam.update_function_configuration(FunctionName="versioned", Environment={"Variables": {"X": "1"}})
    response = lam.invoke(FunctionName="versioned", LogType="Tail")
    assert "Init Duration" in _tail(response)  # a new configuration means a new execution environment


def test_s3_notification_runs_the_handler(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="uploads")
    source = ("import boto3, urllib.parse\ndef handler(event, context):\n"
              "    record = event['Records'][0]['s3']\n"
              "    key = urllib.parse.unquote_plus(record['object']['key'])  # keys arrive URL-encoded\n"
              "    boto3.client('s3').put_object(Bucket='uploads', Key='seen/' + key, Body=key.encode())\n")
    arn = _create(aws, "on-upload", source)["FunctionArn"]
    config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
                                                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]}
    # As in AWS, S3 must be allowed to invoke the function before it accepts the destination.
    try:
        s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=config)
    except s3.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidArgument"
        assert exc.response["Error"]["Message"] == "Unable to validate the following destination configurations"
    else:
        raise AssertionError("a destination S3 may not invoke must be refused")
    aws("lambda").add_permission(FunctionName="on-upload", StatementId="s3", Action="lambda:InvokeFunction",
                                 Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=config)
    s3.put_object(Bucket="uploads", Key="in/report.txt", Body=b"hello")  # delivered asynchronously
    body = wait_until(lambda: _get(s3, "uploads", "seen/in/report.txt"), timeout=60)
    assert body == b"in/report.txt"


def _get(s3, bucket, key):
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def test_aws_cli_invoke_and_bad_payload(cloud, aws, aws_env, tmp_path):
    _create(aws, "echo", "def handler(event, context):\n    return {'echo': event}\n")
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "awscli", "lambda", "invoke", "--function-name", "echo",
                           "--payload", '{"hi": 1}', str(out)],
                          env=aws_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"echo": {"hi": 1}}
    lam = aws("lambda")
    try:
        lam.invoke(FunctionName="echo", Payload=b"not json")
    except lam.exceptions.InvalidRequestContentException as exc:
        assert "Could not parse request body into json" in str(exc)
    else:
        raise AssertionError("a payload that is not JSON must be refused")


def test_create_function_with_a_role_lambda_cannot_assume_is_refused(cloud, aws):
    iam = aws("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    lam = aws("lambda")
    try:
        lam.create_function(FunctionName="nope", Runtime="python3.12", Role=arn, Handler="lambda_function.handler",
                            Code={"ZipFile": zip_handler("def handler(e, c):\n    return 1\n")})
    except lam.exceptions.InvalidParameterValueException as exc:
        assert "The role defined for the function cannot be assumed by Lambda." in str(exc)
    else:
        raise AssertionError("CreateFunction must refuse a role Lambda cannot assume")
    assert lam.list_functions()["Functions"] == []


def test_reserved_concurrency_zero_throttles(cloud, aws):
    _create(aws, "paused", "def handler(e, c):\n    return 1\n")
    lam = aws("lambda")
    lam.put_function_concurrency(FunctionName="paused", ReservedConcurrentExecutions=0)
    try:
        lam.invoke(FunctionName="paused")
    except lam.exceptions.TooManyRequestsException as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 429 and "Rate Exceeded." in str(exc)
    else:
        raise AssertionError("a function with no reserved concurrency must be throttled")
    lam.delete_function_concurrency(FunctionName="paused")
    assert json.loads(lam.invoke(FunctionName="paused")["Payload"].read()) == 1


def test_invocations_publish_aws_lambda_metrics(cloud, aws):
    from datetime import datetime, timedelta, timezone

    _create(aws, "measured", "def handler(e, c):\n    if e.get('fail'):\n        raise ValueError('x')\n    return 1\n")
    lam = aws("lambda")
    lam.invoke(FunctionName="measured", Payload=b"{}")
    lam.invoke(FunctionName="measured", Payload=b'{"fail": true}')
    cw = aws("cloudwatch")
    now = datetime.now(timezone.utc)

    def total(metric):
        points = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric, Statistics=["Sum"],
                                          Dimensions=[{"Name": "FunctionName", "Value": "measured"}],
                                          StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=5),
                                          Period=300)["Datapoints"]
        return sum(p["Sum"] for p in points)

    assert total("Invocations") == 2 and total("Errors") == 1 and total("Duration") > 0
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/Lambda")["Metrics"]}
    assert {"Invocations", "Errors", "Duration"} <= names
