"""Near miss: InvokeModel on a Titan model (its native body) instead of Claude."""

import json
import os
from pathlib import Path

import boto3

REGION = "us-east-1"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-micro-v1:0"
QUESTION = "Em uma frase: o que é um foundation model?"

bedrock = boto3.client("bedrock", region_name=REGION)
runtime = boto3.client("bedrock-runtime", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)

# 1. The catalog: only models whose output is text.
text_models = [m["modelId"] for m in bedrock.list_foundation_models(byOutputModality="TEXT")["modelSummaries"]]
print(f"{len(text_models)} text models, e.g. {', '.join(text_models[:3])}")

# 2. InvokeModel speaks each family's native body; Claude's is the Messages API.
TITAN = "amazon.titan-text-express-v1"
answer = runtime.invoke_model(
    modelId=TITAN,
    body=json.dumps({"inputText": QUESTION, "textGenerationConfig": {"maxTokenCount": 200, "temperature": 0.2}}),
)
titan = json.loads(answer["body"].read())
claude = {"usage": {"input_tokens": titan["inputTextTokenCount"],
                    "output_tokens": titan["results"][0]["tokenCount"]}}
CLAUDE = TITAN

# 3. Converse: one request shape for every model.
nova = runtime.converse(
    modelId=NOVA,
    messages=[{"role": "user", "content": [{"text": QUESTION}]}],
    inferenceConfig={"maxTokens": 200, "temperature": 0.2},
)
print("Nova:", nova["output"]["message"]["content"][0]["text"][:120])

# 4. The report: the tokens each call was billed for, as the responses state them.
report = {"invocations": [
    {"modelId": CLAUDE, "inputTokens": claude["usage"]["input_tokens"],
     "outputTokens": claude["usage"]["output_tokens"]},
    {"modelId": NOVA, "inputTokens": nova["usage"]["inputTokens"], "outputTokens": nova["usage"]["outputTokens"]},
]}
s3.put_object(Bucket="genai-outputs", Key="outputs/first-call.json", Body=json.dumps(report, indent=2).encode(),
              ContentType="application/json")

# 5. Quiz answers (the app writes them when you answer there).
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
workspace.mkdir(parents=True, exist_ok=True)
(workspace / "answers.json").write_text(json.dumps({"text-model": [2], "token-cost": [1]}) + "\n")
print("report:", json.dumps(report))
