"""Every InvokeEndpoint answered is kept (what CloudWatch's AWS/SageMaker Invocations counts on AWS), so a grader
can tell that a learner called an endpoint they have since deleted, as the bedrock-vs-sagemaker lab asks."""

from __future__ import annotations

import json
import urllib.request

from test_sagemaker_endpoints import TGI, deploy, invoke, wait, sm  # noqa: F401 (sm is a fixture)


def _invocations(endpoint: str, query: str = "") -> list[dict]:
    with urllib.request.urlopen(f"{endpoint}/_gailab/sagemaker/invocations{query}") as response:
        return json.load(response)["invocations"]


def test_invocations_are_listed_and_outlive_the_endpoint(cloud, sm, aws):  # noqa: F811
    deploy(sm, "llm-a", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"})
    deploy(sm, "llm-b", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}, instance="ml.g5.xlarge")
    assert wait(sm, "llm-a")["EndpointStatus"] == wait(sm, "llm-b")["EndpointStatus"] == "InService"
    runtime = aws("sagemaker-runtime")
    out = runtime.invoke_endpoint(EndpointName="llm-a", ContentType="application/json",
                                  Body=json.dumps({"inputs": "Resuma: o pedido atrasou.", "parameters": {"max_new_tokens": 30}}))
    invoke(aws, "llm-b", {"inputs": "Olá"})
    sm.delete_endpoint(EndpointName="llm-a")
    listed = _invocations(cloud.endpoint)
    assert [i["endpointName"] for i in listed] == ["llm-a", "llm-b"]
    first = listed[0]
    assert first["requestId"] == out["ResponseMetadata"]["RequestId"]
    assert first["instanceType"] == "ml.g5.2xlarge" and first["variantName"] == "AllTraffic"
    assert first["endpointArn"] == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/llm-a" and first["inputBytes"] > 0
    assert [i["endpointName"] for i in _invocations(cloud.endpoint, "?endpointName=llm-b")] == ["llm-b"]
    # A refused call (the endpoint is gone) is not an invocation.
    try:
        runtime.invoke_endpoint(EndpointName="llm-a", Body=b"{}")
    except runtime.exceptions.ClientError:
        pass
    assert len(_invocations(cloud.endpoint)) == 2


def test_invocations_and_latency_reach_cloudwatch_per_endpoint_and_variant(sm, aws):  # noqa: F811
    from datetime import datetime, timedelta, timezone

    deploy(sm, "llm-m", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"})
    assert wait(sm, "llm-m")["EndpointStatus"] == "InService"
    invoke(aws, "llm-m", {"inputs": "Resuma: o pedido atrasou dois dias.", "parameters": {"max_new_tokens": 40}})
    invoke(aws, "llm-m", {"inputs": "Olá", "parameters": {"max_new_tokens": 10}})
    runtime = aws("sagemaker-runtime")
    try:  # the container refuses an empty prompt (422): a 4XX error, still an invocation
        runtime.invoke_endpoint(EndpointName="llm-m", ContentType="application/json", Body=json.dumps({"inputs": ""}))
    except runtime.exceptions.ModelError:
        pass
    cw = aws("cloudwatch")
    dims = [{"Name": "EndpointName", "Value": "llm-m"}, {"Name": "VariantName", "Value": "AllTraffic"}]
    now = datetime.now(timezone.utc)

    def stats(name, stat):
        points = cw.get_metric_statistics(Namespace="AWS/SageMaker", MetricName=name, Dimensions=dims,
                                          StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(minutes=2),
                                          Period=60, Statistics=[stat])["Datapoints"]
        return points

    assert sum(p["Sum"] for p in stats("Invocations", "Sum")) == 3
    assert sum(p["Sum"] for p in stats("Invocation4XXErrors", "Sum")) == 1
    assert sum(p["SampleCount"] for p in stats("Invocation4XXErrors", "SampleCount")) == 3  # AWS sends 0 on success
    assert sum(p["Sum"] for p in stats("Invocation5XXErrors", "Sum")) == 0
    assert sum(p["Sum"] for p in stats("InvocationsPerInstance", "Sum")) == 2  # 1 instance: 1 per answered call
    latency = stats("ModelLatency", "Maximum")
    assert latency and all(p["Unit"] == "Microseconds" for p in latency)
    assert 100_000 < max(p["Maximum"] for p in latency) < 10_000_000  # tenths of a second to seconds, in µs
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/SageMaker", Dimensions=dims)["Metrics"]}
    assert {"Invocations", "ModelLatency", "OverheadLatency", "InvocationsPerInstance"} <= names
