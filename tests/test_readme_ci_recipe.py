"""The README's CI recipe, run exactly as written in a learner's repository, passes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from gailab.labs.report import validate_junit

ROOT = Path(__file__).resolve().parents[1]

# A learner's own deploy script for bedrock-first-call: the two calls and the report. The quiz answers are not
# written by it: they are committed in the repository (answers.json), as a learner answers them.
DEPLOY = '''
import json
import os
import urllib.request

import boto3

runtime = boto3.client("bedrock-runtime")
question = "Em uma frase: o que é um modelo de base?"
claude_id, nova_id = "anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-micro-v1:0"
claude = runtime.invoke_model(modelId=claude_id, body=json.dumps({
    "anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "temperature": 0.2,
    "messages": [{"role": "user", "content": [{"type": "text", "text": question}]}]}))
claude_usage = json.loads(claude["body"].read())["usage"]
nova = runtime.converse(modelId=nova_id, messages=[{"role": "user", "content": [{"text": question}]}],
                        inferenceConfig={"maxTokens": 200, "temperature": 0.2})
catalog = json.load(urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_gailab/bedrock/models"))
prices = {m["id"]: m["price"] for m in catalog["models"]}


def entry(response, model, tokens_in, tokens_out):
    cost = tokens_in / 1000 * prices[model]["inputPer1K"] + tokens_out / 1000 * prices[model]["outputPer1K"]
    return {"requestId": response["ResponseMetadata"]["RequestId"], "modelId": model, "inputTokens": tokens_in,
            "outputTokens": tokens_out, "costUsd": round(cost, 7)}


report = {"invocations": [
    entry(claude, claude_id, claude_usage["input_tokens"], claude_usage["output_tokens"]),
    entry(nova, nova_id, nova["usage"]["inputTokens"], nova["usage"]["outputTokens"])]}
boto3.client("s3").put_object(Bucket="genai-outputs", Key="outputs/first-call.json", Body=json.dumps(report))
'''


def readme_recipe() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    recipes = [line for line in lines if line.startswith("gailab grade ") and "--fresh" in line]
    assert len(recipes) == 1, recipes
    return recipes[0]


def test_the_readme_ci_recipe_passes_in_a_learners_repository(tmp_path):
    recipe = readme_recipe()
    assert "--workspace ." in recipe and "--setup" in recipe
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "deploy.py").write_text(DEPLOY, encoding="utf-8")
    (repo / "answers.json").write_text(json.dumps({"text-model": [2], "token-cost": [1], "converse-scope": [0, 2]}), encoding="utf-8")
    # A CI job: gailab installed in the job's Python environment, that environment first on PATH, a fresh HOME.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GAILAB_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(tmp_path / "home")
    env["GAILAB_HOME"] = str(tmp_path / "gailab-home")
    done = subprocess.run(recipe, shell=True, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Total: 100/100" in done.stdout
    output = re.search(r"--output (\S+)", recipe).group(1)
    xml = (repo / output).read_text(encoding="utf-8")
    assert validate_junit(xml) == []
    suite = ET.fromstring(xml).find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")
