"""Reference solution of cost-latency (boto3). Idempotent: run it twice and nothing breaks.

Turns on realistic latency, submits the nightly batch job first (it runs while we measure), runs the lab's
5-prompt workload on the three models, then writes s3://genai-outputs/reports/cost-latency.json: per model the
request ids, p50 latency, tokens and cost; the chatbot's model (the cheapest under the latency budget); the nightly
job's pricing mode with its figures; and Provisioned Throughput's break-even for the chatbot's model.
"""

import json
import os
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from gailab.labs.quiz import answer_from_env
from gailab.simulator.client import admin

REGION = "us-east-1"
BUCKET = "genai-outputs"
MODELS = ["global.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.titan-text-premier-v1:0",
          "meta.llama3-1-70b-instruct-v1:0"]
BUDGET_MS = 1700
NIGHTLY_MODEL = "amazon.nova-micro-v1:0"
NIGHTLY_DOCUMENTS = 10_000
ROLE = "genai-batch-role"

workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
starter = Path(os.environ.get("GAILAB_LAB_DIR", Path(__file__).parent.parent)) / "starter"


def data(name):
    path = workspace / name if (workspace / name).exists() else starter / name
    return json.loads(path.read_text(encoding="utf-8"))


endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
runtime = boto3.client("bedrock-runtime", region_name=REGION)
bedrock = boto3.client("bedrock", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)
iam = boto3.client("iam", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)

# 1. Realistic latency: each call now takes the model's time to first token plus its output at its tokens/s.
admin(endpoint, "/_gailab/bedrock/settings", {"latency": "realistic"})

# 2. The nightly job runs as batch inference: a service role Bedrock assumes, 100 records in S3, one job.
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                  "Action": "sts:AssumeRole"}]}
try:
    role_arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    role_arn = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]
iam.put_role_policy(RoleName=ROLE, PolicyName="batch-s3", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/batch/input/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/batch/output/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key_arn},
    ],
}))
records = [{"recordId": doc["id"].replace("-", ""),
            "modelInput": {"messages": [{"role": "user", "content": [{"text": f"Resuma em uma frase: {doc['text']}"}]}],
                           "inferenceConfig": {"maxTokens": 100, "temperature": 0}}}
           for doc in data("nightly_docs.json")]
s3.put_object(Bucket=BUCKET, Key="batch/input/tickets.jsonl",
              Body="\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8"))
job_arn = bedrock.create_model_invocation_job(
    jobName=f"nightly-{int(time.time())}", roleArn=role_arn, modelId=NIGHTLY_MODEL, modelInvocationType="Converse",
    inputDataConfig={"s3InputDataConfig": {"s3Uri": f"s3://{BUCKET}/batch/input/"}},
    outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"s3://{BUCKET}/batch/output/"}},
)["jobArn"]

# 3. The same workload on each model: the lab's 5 prompts, temperature 0, the same token cap.
prompts = data("workload.json")["prompts"]


def call(model, prompt):
    response = runtime.converse(modelId=model, messages=[{"role": "user", "content": [{"text": prompt}]}],
                                inferenceConfig={"temperature": 0, "maxTokens": 500})
    return {"requestId": response["ResponseMetadata"]["RequestId"], "latencyMs": response["metrics"]["latencyMs"],
            **response["usage"]}


with ThreadPoolExecutor(len(MODELS) * len(prompts)) as pool:  # side by side: each call's latency is its own
    futures = {model: [pool.submit(call, model, prompt) for prompt in prompts] for model in MODELS}
    measured = {model: [f.result() for f in calls] for model, calls in futures.items()}

# 4. Cost from the catalog's on-demand prices per 1,000 tokens: input and output both count.
with urllib.request.urlopen(endpoint + "/_gailab/bedrock/models") as response:
    catalog = {m["id"]: m for m in json.load(response)["models"]}


def base(model_id):
    return model_id.split(".", 1)[1] if model_id.split(".", 1)[0] in ("us", "eu", "apac", "global") else model_id


def cost(model_id, input_tokens, output_tokens):
    price = catalog[base(model_id)]["price"]
    return input_tokens / 1000 * price["inputPer1K"] + output_tokens / 1000 * price["outputPer1K"]


models = []
for model, calls in measured.items():
    tokens_in = sum(c["inputTokens"] for c in calls)
    tokens_out = sum(c["outputTokens"] for c in calls)
    models.append({"modelId": model, "requestIds": [c["requestId"] for c in calls],
                   "p50LatencyMs": statistics.median(c["latencyMs"] for c in calls),
                   "inputTokens": tokens_in, "outputTokens": tokens_out,
                   "costUsd": round(cost(model, tokens_in, tokens_out), 8)})

# 5. The chatbot: among the models whose p50 is under the budget, the cheapest (not the fastest).
within = [m for m in models if m["p50LatencyMs"] < BUDGET_MS]
chatbot = min(within, key=lambda m: m["costUsd"])

# 6. The nightly job: wait for it, then price it from its output (batch = half the on-demand price).
while True:
    job = bedrock.get_model_invocation_job(jobIdentifier=job_arn)
    if job["status"] in ("Completed", "PartiallyCompleted", "Failed", "Stopped"):
        break
    time.sleep(0.2)
assert job["status"] == "Completed", job.get("message")
prefix = f"batch/output/{job_arn.rsplit('/', 1)[-1]}/"
manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=prefix + "manifest.json.out")["Body"].read())
on_demand = cost(NIGHTLY_MODEL, manifest["inputTokenCount"], manifest["outputTokenCount"])
batch_cost = on_demand * 0.5
nightly = {"mode": "batch", "jobArn": job_arn, "modelId": NIGHTLY_MODEL, "records": manifest["successRecordCount"],
           "costUsd": round(batch_cost, 8), "onDemandCostUsd": round(on_demand, 8),
           "estimatedCostUsd": round(batch_cost / manifest["successRecordCount"] * NIGHTLY_DOCUMENTS, 6)}

# 7. Provisioned Throughput pays off above hourly price / cost of one on-demand request.
#    (For the chatbot's model; of the three models, only that one has a Provisioned Throughput price — an estimate:
#    AWS publishes none for Titan Text Premier, see provisioned.note.)
priced = chatbot if catalog[base(chatbot["modelId"])]["provisioned"] else next(
    m for m in models if catalog[base(m["modelId"])]["provisioned"])
hourly = catalog[base(priced["modelId"])]["provisioned"]["perModelUnitHourUsd"]["OneMonth"]
per_request = priced["costUsd"] / len(prompts)
break_even = {"modelId": priced["modelId"], "commitment": "OneMonth", "hourlyUsd": hourly,
              "requestsPerHour": round(hourly / per_request)}

report = {"models": models, "chatbot": chatbot["modelId"], "nightly": nightly, "provisionedBreakEven": break_even}
s3.put_object(Bucket=BUCKET, Key="reports/cost-latency.json", Body=json.dumps(report, indent=2).encode(),
              ContentType="application/json")
print(json.dumps(report, indent=2))

# 8. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
