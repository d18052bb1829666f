"""CloudWatch alarms change state on the local cloud: AWS/Lambda and AWS/Bedrock metrics from real calls,
AWS's evaluation, history, SNS actions, validation errors, the aws CLI, and a restart after kill -9."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gailab.simulator import CloudProcess
from gailab.simulator.awslambda.package import ensure_role, zip_handler

FAILING = "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('boom')\n    return {'ok': True}\n"
NOVA = "amazon.nova-micro-v1:0"


def _function(aws, name="genai-summarize"):
    role = ensure_role(aws("iam"), "cw-test-role")
    aws("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                  Handler="lambda_function.handler", Code={"ZipFile": zip_handler(FAILING)})


def _errors_alarm(cw, name="genai-summarize-errors", function="genai-summarize", **extra):
    cw.put_metric_alarm(AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors",
                        Dimensions=[{"Name": "FunctionName", "Value": function}], Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", **extra)


def _state(cw, name):
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def _wait_state(cw, name, state, seconds=30.0):
    deadline = time.monotonic() + seconds
    while True:
        alarm = _state(cw, name)
        if alarm["StateValue"] == state or time.monotonic() > deadline:
            return alarm
        time.sleep(0.2)


def _sum(cw, namespace, metric, dims):
    now = datetime.now(timezone.utc)
    points = cw.get_metric_statistics(Namespace=namespace, MetricName=metric, Dimensions=dims, Statistics=["Sum"],
                                      StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(minutes=2),
                                      Period=60)["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_a_lambda_error_puts_the_errors_alarm_in_alarm_with_aws_reason_and_history(cloud, aws):
    _function(aws)
    cw = aws("cloudwatch")
    _errors_alarm(cw)
    alarm = _state(cw, "genai-summarize-errors")
    assert (alarm["StateValue"], alarm["StateReason"]) == ("INSUFFICIENT_DATA", "Unchecked: Initial alarm creation")
    lam = aws("lambda")
    lam.invoke(FunctionName="genai-summarize", Payload=b"{}")
    assert _state(cw, "genai-summarize-errors")["StateValue"] == "OK"  # Errors = 0 is data too
    failed = lam.invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
    assert failed["FunctionError"] == "Unhandled"
    alarm = _state(cw, "genai-summarize-errors")
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [1.0 (")
    assert alarm["StateReason"].endswith("was greater than or equal to the threshold (1.0) "
                                         "(minimum 1 datapoint for OK -> ALARM transition).")
    data = json.loads(alarm["StateReasonData"])
    assert data["statistic"] == "Sum" and data["period"] == 60 and data["recentDatapoints"] == [1.0]
    history = cw.describe_alarm_history(AlarmName="genai-summarize-errors")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == [
        "Alarm updated from OK to ALARM", "Alarm updated from INSUFFICIENT_DATA to OK", 'Alarm "genai-summarize-errors" created']
    assert json.loads(history[0]["HistoryData"])["newState"]["stateValue"] == "ALARM"
    only = cw.describe_alarm_history(AlarmName="genai-summarize-errors", HistoryItemType="ConfigurationUpdate",
                                     ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [h["HistoryItemType"] for h in only] == ["ConfigurationUpdate"]
    # The metrics a learner graphs: per function, and across all functions (no dimension).
    assert _sum(cw, "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": "genai-summarize"}]) == 1
    assert _sum(cw, "AWS/Lambda", "Invocations", [{"Name": "FunctionName", "Value": "genai-summarize"}]) == 2
    assert _sum(cw, "AWS/Lambda", "Invocations", []) == 2
    listed = cw.list_metrics(Namespace="AWS/Lambda", MetricName="Errors")["Metrics"]
    assert sorted(len(m["Dimensions"]) for m in listed) == [0, 1]


def test_an_alarm_on_another_function_stays_quiet(cloud, aws):
    _function(aws)
    cw = aws("cloudwatch")
    _errors_alarm(cw, name="wrong-function", function="other-function")
    aws("lambda").invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
    assert _state(cw, "wrong-function")["StateValue"] == "INSUFFICIENT_DATA"


def test_bedrock_token_counts_reach_cloudwatch_and_an_alarm_on_them_fires(cloud, aws):
    cw = aws("cloudwatch")
    cw.put_metric_alarm(AlarmName="bedrock-tokens", Namespace="AWS/Bedrock", MetricName="InputTokenCount",
                        Dimensions=[{"Name": "ModelId", "Value": NOVA}], Statistic="Sum", Period=300,
                        EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold")
    runtime = aws("bedrock-runtime")
    used = 0
    for i in range(6):
        reply = runtime.converse(modelId=NOVA, messages=[{"role": "user", "content": [
            {"text": f"Summarise in one sentence why request {i} of this burst matters for cost per token."}]}])
        used += reply["usage"]["inputTokens"]
    dims = [{"Name": "ModelId", "Value": NOVA}]
    assert _sum(cw, "AWS/Bedrock", "InputTokenCount", dims) == used > 50
    assert _sum(cw, "AWS/Bedrock", "Invocations", dims) == 6
    alarm = _state(cw, "bedrock-tokens")
    # It flipped on the call that crossed 50 tokens, and says with how many.
    assert alarm["StateValue"] == "ALARM"
    crossed = json.loads(alarm["StateReasonData"])["recentDatapoints"][0]
    assert 50 < crossed <= used and f"[{crossed} (" in alarm["StateReason"]


def test_alarm_actions_publish_aws_notification_to_sns(cloud, aws):
    _function(aws)
    sns, sqs, cw = aws("sns"), aws("sqs"), aws("cloudwatch")
    topic = sns.create_topic(Name="genai-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="genai-alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    _errors_alarm(cw, AlarmActions=[topic])
    aws("lambda").invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5).get("Messages", [])
    assert len(messages) == 1
    note = json.loads(messages[0]["Body"])
    assert (note["AlarmName"], note["NewStateValue"], note["OldStateValue"]) == ("genai-summarize-errors", "ALARM", "INSUFFICIENT_DATA")
    assert note["Region"] == "US East (N. Virginia)" and note["Trigger"]["MetricName"] == "Errors"
    actions = cw.describe_alarm_history(AlarmName="genai-summarize-errors", HistoryItemType="Action")["AlarmHistoryItems"]
    assert [a["HistorySummary"] for a in actions] == [f"Successfully executed action {topic}"]


def test_set_alarm_state_lasts_until_the_next_evaluation(cloud, aws):
    """A high-resolution alarm (period 10 s) is evaluated again by the clock 10 s after SetAlarmState."""
    cw = aws("cloudwatch")
    cw.put_metric_alarm(AlarmName="queue-depth", Namespace="Genai/App", MetricName="Backlog", Statistic="Maximum",
                        Period=10, EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold")
    cw.put_metric_data(Namespace="Genai/App", MetricData=[{"MetricName": "Backlog", "Value": 5}])
    assert _state(cw, "queue-depth")["StateValue"] == "OK"
    cw.set_alarm_state(AlarmName="queue-depth", StateValue="ALARM", StateReason="testing the notification")
    assert _state(cw, "queue-depth")["StateReason"] == "testing the notification"
    cw.put_metric_data(Namespace="Genai/App", MetricData=[{"MetricName": "Backlog", "Value": 7}])
    assert _wait_state(cw, "queue-depth", "OK")["StateValue"] == "OK"
    summaries = [h["HistorySummary"] for h in cw.describe_alarm_history(AlarmName="queue-depth")["AlarmHistoryItems"]]
    assert summaries[:2] == ["Alarm updated from ALARM to OK", "Alarm updated from OK to ALARM"]


def test_updating_an_alarm_keeps_its_state_and_bad_settings_get_aws_errors(cloud, aws):
    _function(aws)
    cw = aws("cloudwatch")
    _errors_alarm(cw)
    aws("lambda").invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
    _errors_alarm(cw, AlarmDescription="errors of the summarizer")
    alarm = _state(cw, "genai-summarize-errors")
    assert alarm["StateValue"] == "ALARM" and alarm["AlarmDescription"] == "errors of the summarizer"
    with pytest.raises(ClientError) as bad:
        cw.put_metric_alarm(AlarmName="x", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
                            EvaluationPeriods=1, DatapointsToAlarm=2, Threshold=1,
                            ComparisonOperator="GreaterThanThreshold")
    assert bad.value.response["Error"]["Code"] == "ValidationError"
    assert bad.value.response["Error"]["Message"] == "DatapointsToAlarm must be less than or equal to EvaluationPeriods"
    with pytest.raises(ClientError) as period:
        cw.put_metric_alarm(AlarmName="x", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=45,
                            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    assert period.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as missing:
        cw.put_metric_alarm(AlarmName="x", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                            TreatMissingData="sometimes")
    assert "TreatMissingData" in missing.value.response["Error"]["Message"]
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["genai-summarize-errors"]
    cw.delete_alarms(AlarmNames=["genai-summarize-errors"])
    kinds = [h["HistorySummary"] for h in cw.describe_alarm_history(HistoryItemType="ConfigurationUpdate")["AlarmHistoryItems"]]
    assert kinds == ['Alarm "genai-summarize-errors" deleted', 'Alarm "genai-summarize-errors" updated',
                     'Alarm "genai-summarize-errors" created']


def _cli(env, *args):
    done = subprocess.run([sys.executable, "-m", "awscli", "cloudwatch", *args, "--output", "json"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_aws_cli_alarm_on_custom_metric_goes_to_alarm(cloud, aws_env):
    _cli(aws_env, "put-metric-alarm", "--alarm-name", "latency-high", "--namespace", "Genai/App", "--metric-name",
         "LatencyMs", "--dimensions", "Name=Route,Value=/summarize", "--statistic", "Average", "--period", "60",
         "--evaluation-periods", "1", "--threshold", "1500", "--comparison-operator", "GreaterThanThreshold")
    _cli(aws_env, "put-metric-data", "--namespace", "Genai/App", "--metric-name", "LatencyMs", "--dimensions",
         "Route=/summarize", "--value", "2400", "--unit", "Milliseconds")
    alarms = _cli(aws_env, "describe-alarms", "--alarm-names", "latency-high")["MetricAlarms"]
    assert alarms[0]["StateValue"] == "ALARM"
    history = _cli(aws_env, "describe-alarm-history", "--alarm-name", "latency-high")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"


def test_metrics_alarm_states_and_history_survive_kill_9(tmp_path):
    home = tmp_path / "home"
    first = CloudProcess(home).start()
    config = Config(retries={"max_attempts": 1, "mode": "standard"})

    def client(endpoint, service):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=config)

    try:
        aws = lambda service: client(first.endpoint, service)  # noqa: E731
        _function(aws)
        cw = aws("cloudwatch")
        _errors_alarm(cw)
        aws("lambda").invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
        aws("bedrock-runtime").converse(modelId=NOVA, messages=[{"role": "user", "content": [{"text": "Olá!"}]}])
        before = _state(cw, "genai-summarize-errors")
        history = cw.describe_alarm_history(AlarmName="genai-summarize-errors")["AlarmHistoryItems"]
        errors = _sum(cw, "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": "genai-summarize"}])
        tokens = _sum(cw, "AWS/Bedrock", "InputTokenCount", [{"Name": "ModelId", "Value": NOVA}])
    finally:
        first.kill()
    assert before["StateValue"] == "ALARM" and errors == 1 and tokens > 0
    second = CloudProcess(home).start()
    try:
        cw = client(second.endpoint, "cloudwatch")
        after = _state(cw, "genai-summarize-errors")
        for key in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp", "AlarmArn",
                    "AlarmConfigurationUpdatedTimestamp"):
            assert after[key] == before[key], key
        assert cw.describe_alarm_history(AlarmName="genai-summarize-errors")["AlarmHistoryItems"] == history
        assert _sum(cw, "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": "genai-summarize"}]) == 1
        assert _sum(cw, "AWS/Bedrock", "InputTokenCount", [{"Name": "ModelId", "Value": NOVA}]) == tokens
    finally:
        second.stop()


def test_a_check_waits_for_the_alarm_state(cloud, aws):
    from gailab.labs.checks import Context, cloudwatch

    _function(aws)
    _errors_alarm(aws("cloudwatch"))
    ctx = Context(cloud.endpoint)
    quiet = cloudwatch.wait_for_state(ctx, "genai-summarize-errors", seconds=0.5)
    assert quiet["StateValue"] == "INSUFFICIENT_DATA"
    aws("lambda").invoke(FunctionName="genai-summarize", Payload=b'{"fail": true}')
    assert cloudwatch.wait_for_state(ctx, "genai-summarize-errors")["StateValue"] == "ALARM"
    assert cloudwatch.wait_for_state(ctx, "no-such-alarm", seconds=0.1) is None


def test_bedrock_throttles_and_client_errors_are_metrics_not_invocations(cloud, aws):
    from gailab.simulator import client

    client.admin(cloud.endpoint, "/_gailab/bedrock/settings", {"quotas": {"models": {NOVA: {"requestsPerMinute": 1}}}})
    runtime, cw = aws("bedrock-runtime"), aws("cloudwatch")
    cw.put_metric_alarm(AlarmName="bedrock-throttled", Namespace="AWS/Bedrock", MetricName="InvocationThrottles",
                        Dimensions=[{"Name": "ModelId", "Value": NOVA}], Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
                        TreatMissingData="notBreaching")
    assert _state(cw, "bedrock-throttled")["StateValue"] == "OK"  # no throttles yet: missing data is fine
    message = [{"role": "user", "content": [{"text": "Olá"}]}]
    runtime.converse(modelId=NOVA, messages=message)
    with pytest.raises(ClientError) as throttled:
        runtime.converse(modelId=NOVA, messages=message)
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    with pytest.raises(ClientError):
        runtime.invoke_model(modelId="amazon.titan-text-express-v1", body=b'{"inputText": 42}')
    dims = [{"Name": "ModelId", "Value": NOVA}]
    # Each attempt the SDK made is one throttle (AWS: "depends on your retry settings in the SDK").
    attempts = throttled.value.response["ResponseMetadata"]["RetryAttempts"] + 1
    assert _sum(cw, "AWS/Bedrock", "InvocationThrottles", dims) == attempts
    assert _sum(cw, "AWS/Bedrock", "Invocations", dims) == 1
    assert _sum(cw, "AWS/Bedrock", "InvocationClientErrors",
                [{"Name": "ModelId", "Value": "amazon.titan-text-express-v1"}]) == 1
    assert _state(cw, "bedrock-throttled")["StateValue"] == "ALARM"
