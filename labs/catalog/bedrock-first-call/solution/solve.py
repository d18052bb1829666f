"""Reference solution of bedrock-first-call (boto3).

Lists the text models, calls Claude with InvokeModel (native Messages body, low temperature, capped output),
calls Nova Micro with Converse, writes the report to S3 and the quiz answers to the workspace.
"""

import json

import boto3

from gailab.labs.quiz import answer_from_env

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
print("Claude:", claude["content"][0]["text"][:120])

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

# 5. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
print("report:", json.dumps(report))
