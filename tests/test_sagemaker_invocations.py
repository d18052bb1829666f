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
