"""What the cost-latency lab reads from the local cloud: Provisioned Throughput prices beside each model's on-demand
prices (/_gailab/bedrock/models), and ledger records that say whether the caller waited the realistic latency."""

import json
import urllib.request

from gailab.simulator.testing import admin_request

pytest_plugins = ["gailab.simulator.testing"]


def _get(endpoint, path):
    with urllib.request.urlopen(endpoint + path) as resp:
        return json.loads(resp.read())


def _converse(rt, model, text="Resuma: o pedido atrasou dois dias."):
    return rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}],
                       inferenceConfig={"maxTokens": 50, "temperature": 0})


def test_models_route_lists_provisioned_prices(cloud):
    models = {m["id"]: m for m in _get(cloud.endpoint, "/_gailab/bedrock/models")["models"]}
    express = models["amazon.titan-text-express-v1"]["provisioned"]
    assert express == {"perModelUnitHourUsd": {"NoCommitment": 20.5, "OneMonth": 18.4, "SixMonths": 14.8},
                       "noCommitmentForBaseModel": False, "estimate": False}
    micro = models["amazon.nova-micro-v1:0"]["provisioned"]
    assert micro["noCommitmentForBaseModel"] is True and micro["estimate"] is True
    premier = models["amazon.titan-text-premier-v1:0"]["provisioned"]  # AWS publishes no PT price for it
    assert premier["estimate"] is True and "No published AWS Provisioned Throughput price" in premier["note"]
    assert "note" not in express
    assert models["mistral.mistral-7b-instruct-v0:2"]["provisioned"] is None  # no Provisioned Throughput


def test_ledger_marks_calls_made_with_realistic_latency(cloud, aws):
    rt = aws("bedrock-runtime")
    quick = _converse(rt, "amazon.nova-micro-v1:0")["ResponseMetadata"]["RequestId"]
    with urllib.request.urlopen(admin_request(cloud.endpoint, "/_gailab/bedrock/settings", {"latency": "realistic"})):
        pass
    paced = _converse(rt, "amazon.nova-micro-v1:0")["ResponseMetadata"]["RequestId"]
    records = {r["requestId"]: r for r in _get(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]}
    assert "realisticLatency" not in records[quick]
    assert records[paced]["realisticLatency"] is True
    assert records[paced]["latencyMs"] == records[quick]["latencyMs"]  # the figure is the model's, paced or not
