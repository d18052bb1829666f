"""Reference solution of bedrock-first-call (boto3).

Lists the text models, calls Claude with InvokeModel (native Messages body, low temperature, capped output),
calls Nova Micro with Converse, and writes the report — request id, model, tokens and cost of each call — to S3.
"""

import json
import os
import urllib.request

import boto3

from gailab.labs.quiz import answer_from_env

REGION = "us-east-1"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-micro-v1:0"
QUESTION = "Em uma frase: o que é um modelo de base (foundation model)?"

bedrock = boto3.client("bedrock", region_name=REGION)
runtime = boto3.client("bedrock-runtime", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)

# 1. The catalog: only models whose output is text.
text_models = [m["modelId"] for m in bedrock.list_foundation_models(byOutputModality="TEXT")["modelSummaries"]]
print(f"{len(text_models)} text models, e.g. {', '.join(text_models[:3])}")

# 2. InvokeModel speaks each family's native body; Claude's is the Messages API.
answer = runtime.invoke_model(
    modelId=CLAUDE,
    contentType="application/json",
    accept="application/json",
    body=json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "temperature": 0.2,
        "messages": [{"role": "user", "content": [{"type": "text", "text": QUESTION}]}],
    }),
)
claude = json.loads(answer["body"].read())
claude_id = answer["ResponseMetadata"]["RequestId"]
print("Claude:", claude["content"][0]["text"][:120])

# 3. Converse: one request shape for every text or chat model.
nova = runtime.converse(
    modelId=NOVA,
    messages=[{"role": "user", "content": [{"text": QUESTION}]}],
    inferenceConfig={"maxTokens": 200, "temperature": 0.2},
)
nova_id = nova["ResponseMetadata"]["RequestId"]
print("Nova:", nova["output"]["message"]["content"][0]["text"][:120])

# 4. The report: what each call cost, from the simulated catalog's on-demand prices per 1,000 tokens.
endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
with urllib.request.urlopen(endpoint + "/_gailab/bedrock/models") as response:
    prices = {m["id"]: m["price"] for m in json.load(response)["models"]}


def entry(request_id, model_id, input_tokens, output_tokens):
    price = prices[model_id]
    cost = input_tokens / 1000 * price["inputPer1K"] + output_tokens / 1000 * price["outputPer1K"]
    return {"requestId": request_id, "modelId": model_id, "inputTokens": input_tokens,
            "outputTokens": output_tokens, "costUsd": round(cost, 8)}


report = {"invocations": [
    entry(claude_id, CLAUDE, claude["usage"]["input_tokens"], claude["usage"]["output_tokens"]),
    entry(nova_id, NOVA, nova["usage"]["inputTokens"], nova["usage"]["outputTokens"]),
]}
s3.put_object(Bucket="genai-outputs", Key="outputs/first-call.json", Body=json.dumps(report, indent=2).encode(),
              ContentType="application/json")
print("report:", json.dumps(report))

# 5. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
