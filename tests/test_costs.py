"""The cost view: /_gailab/costs and `gailab costs` add up what was used, per service, with prices and sources;
the Bedrock lines add up to the ledger."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from gailab.simulator.awslambda.package import ensure_role, zip_handler

GAILAB = [sys.executable, "-m", "gailab.tui.cli"]
MODELS = ("amazon.nova-micro-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-embed-text-v2:0")


def _get(cloud, path):
    with urllib.request.urlopen(f"{cloud.endpoint}{path}", timeout=30) as reply:
        return json.loads(reply.read())


def _use_everything(aws):
    runtime = aws("bedrock-runtime")
    for model in MODELS[:2]:
        for i in range(3):
            runtime.converse(modelId=model, messages=[{"role": "user", "content": [
                {"text": f"Explique em uma frase o custo por token, pedido {i}."}]}])
    runtime.invoke_model(modelId=MODELS[2], body=json.dumps({"inputText": "custo por token"}))
    role = ensure_role(aws("iam"), "costs-role")
    aws("lambda").create_function(FunctionName="priced", Runtime="python3.12", Role=role, MemorySize=512,
                                  Handler="lambda_function.handler", Code={"ZipFile": zip_handler(
                                      "def handler(e, c):\n    return 1\n")})
    for _ in range(2):
        aws("lambda").invoke(FunctionName="priced", Payload=b"{}")
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(3):
        kms.encrypt(KeyId=key, Plaintext=b"segredo")
    return key


def _run(*args, env=None):
    return subprocess.run([*GAILAB, *args], capture_output=True, text=True, timeout=60, env=env or os.environ.copy())


def test_costs_add_up_to_the_ledger_and_name_their_prices(cloud, aws):
    key = _use_everything(aws)
    report = _get(cloud, "/_gailab/costs")
    lines = report["lines"]
    assert report["currency"] == "USD"
    assert all(set(line) == {"service", "item", "quantity", "unit", "unitPriceUsd", "costUsd", "source", "start", "end"}
               for line in lines)
    assert abs(report["totalUsd"] - sum(line["costUsd"] for line in lines)) < 1e-6
    ledger = _get(cloud, "/_gailab/bedrock/invocations")["invocations"]
    bedrock = [line for line in lines if line["service"] == "Amazon Bedrock"]
    assert abs(sum(line["costUsd"] for line in bedrock) - sum(r["costUsd"] for r in ledger)) < 1e-6
    for model in MODELS:
        mine = [r for r in ledger if r["modelId"] == model]
        tokens = next(line for line in bedrock if line["item"] == f"{model} (on-demand): input tokens")
        assert tokens["quantity"] == sum(r["inputTokens"] for r in mine) > 0
        assert tokens["source"] == "https://aws.amazon.com/bedrock/pricing/"
    haiku_out = next(line for line in bedrock if line["item"] == f"{MODELS[1]} (on-demand): output tokens")
    assert haiku_out["unitPriceUsd"] == pytest.approx(0.00125 / 1000)
    requests = next(line for line in lines if line["item"] == "priced: requests")
    assert requests["quantity"] == 2 and requests["source"] == "https://aws.amazon.com/lambda/pricing/"
    compute = next(line for line in lines if line["item"] == "priced: compute (512 MB)")
    assert compute["unit"] == "GB-seconds" and compute["quantity"] > 0
    assert any(line["item"] == f"key {key}" and line["unit"] == "key-months" for line in lines)
    kms_requests = next(line for line in lines if line["item"] == "API requests")
    assert kms_requests["quantity"] >= 4 and kms_requests["unitPriceUsd"] == 0.000003


def test_since_keeps_only_later_usage_and_bad_since_is_a_clear_error(cloud, aws):
    aws("bedrock-runtime").converse(modelId=MODELS[0], messages=[{"role": "user", "content": [{"text": "Olá"}]}])
    later = time.time() + 1
    assert [line for line in _get(cloud, f"/_gailab/costs?since={later}")["lines"]
            if line["service"] == "Amazon Bedrock"] == []
    assert _get(cloud, "/_gailab/costs?since=2020-01-01T00:00:00Z")["totalUsd"] > 0
    try:
        urllib.request.urlopen(f"{cloud.endpoint}/_gailab/costs?since=yesterday", timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 400 and "ISO 8601" in json.loads(exc.read())["message"]
    else:
        raise AssertionError("a bad since must be refused")


def test_gailab_costs_in_text_json_and_csv(cloud, aws):
    _use_everything(aws)
    env = {**os.environ, "GAILAB_ENDPOINT": cloud.endpoint}
    as_json = _run("costs", "--format", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    ledger = _get(cloud, "/_gailab/bedrock/invocations")["invocations"]
    bedrock = sum(line["costUsd"] for line in report["lines"] if line["service"] == "Amazon Bedrock")
    assert abs(bedrock - sum(r["costUsd"] for r in ledger)) < 1e-6
    as_csv = _run("costs", "--format", "csv", env=env)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(report["lines"]) and rows[0].keys() >= {"service", "item", "costUsd", "source"}
    text = _run("costs", "--lang", "en", env=env)
    assert text.returncode == 0 and "Amazon Bedrock" in text.stdout and "Total" in text.stdout
    # Key-months grow by the second; Bedrock's subtotal is fixed once the calls are made.
    assert f"Amazon Bedrock  ({bedrock:,.6f} USD)" in text.stdout
    pt = _run("costs", "--lang", "pt-BR", "--since", "2h", env=env)
    assert "Quanto o uso da nuvem local custaria na AWS (desde 2h)" in pt.stdout
    assert f"Amazon Bedrock  ({bedrock:.6f} USD)".replace(".", ",") in pt.stdout
    bad = _run("costs", "--since", "ontem", env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--since" in bad.stderr


def test_gailab_costs_without_a_cloud_exits_3(tmp_path):
    env = {**os.environ, "GAILAB_HOME": str(tmp_path), "GAILAB_ENDPOINT": "http://127.0.0.1:9"}
    done = _run("costs", env=env)
    assert done.returncode == 3 and "no cloud answers" in done.stderr
