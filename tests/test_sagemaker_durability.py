"""SageMaker models, endpoint configurations and endpoints come back after kill -9 with the same ARNs and states,
and instance-hours keep accruing across the restart."""

from __future__ import annotations

import json
import urllib.request

from gailab.simulator import CloudProcess
from test_kb_durability import _clients
from test_sagemaker_endpoints import ROLE, TEI, TGI, TRUST, deploy, wait


def _costs(endpoint: str) -> list[dict]:
    with urllib.request.urlopen(endpoint + "/_gailab/sagemaker/costs") as response:
        return json.load(response)["items"]


def test_kill_9_then_restart_keeps_endpoints_and_their_billing(tmp_path):
    home = tmp_path / "home"
    first = CloudProcess(home).start()
    try:
        client = _clients(first.endpoint)
        client("iam").create_role(RoleName="sagemaker-exec", AssumeRolePolicyDocument=TRUST)
        sm = client("sagemaker")
        deploy(sm, "durable-embed", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"}, instance="ml.m5.xlarge")
        deploy(sm, "durable-cpu-llm", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}, instance="ml.m5.xlarge")
        before = {name: wait(sm, name) for name in ("durable-embed", "durable-cpu-llm")}
        models = sm.list_models()["Models"]
        cost_before = _costs(first.endpoint)
    finally:
        first.kill()
    second = CloudProcess(home).start()
    try:
        client = _clients(second.endpoint)
        sm = client("sagemaker")
        for name, described in before.items():
            again = sm.describe_endpoint(EndpointName=name)
            for key in ("EndpointArn", "EndpointStatus", "CreationTime", "LastModifiedTime", "EndpointConfigName"):
                assert again[key] == described[key], key
        assert before["durable-cpu-llm"]["EndpointStatus"] == "Failed"
        assert sm.list_models()["Models"] == models
        vectors = client("sagemaker-runtime").invoke_endpoint(EndpointName="durable-embed", Body=json.dumps({"inputs": "x"}))
        assert len(json.loads(vectors["Body"].read())[0]) == 384
        [cost_after] = _costs(second.endpoint)
        assert cost_after["start"] == cost_before[0]["start"] and cost_after["quantity"] > cost_before[0]["quantity"]
        assert ROLE == sm.describe_model(ModelName="durable-embed")["ExecutionRoleArn"]
    finally:
        second.stop()
