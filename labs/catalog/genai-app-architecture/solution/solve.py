"""Reference solution of genai-app-architecture (boto3): the role may store answers, the function stores and logs
each request, knows its model's prices, and an alarm watches its errors. Safe to run twice."""

import json
import os
import shutil
import urllib.request
from pathlib import Path

import boto3

from gailab.labs.deploy import deploy_from_env
from gailab.labs.quiz import answer_from_env

REGION = "us-east-1"
ROLE, FUNCTION, ALARM = "genai-lambda-role", "genai-summarize", "genai-summarize-errors"

iam = boto3.client("iam", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
lam = boto3.client("lambda", region_name=REGION)
cloudwatch = boto3.client("cloudwatch", region_name=REGION)

# 1. The role may write answers under responses/ (and only there), encrypting them with the lab key.
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]
iam.put_role_policy(RoleName=ROLE, PolicyName="store-responses", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "WriteTheAnswers", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::genai-outputs/responses/*"},
        {"Sid": "EncryptThemWithTheLabKey", "Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key_arn},
    ]}))

# 2. The handler that stores and logs each request, deployed as the app's Ctrl+D does.
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
shutil.copy(Path(__file__).with_name("lambda_function.py"), workspace / "lambda_function.py")
deploy_from_env()

# 3. The model's on-demand prices per 1,000 tokens, from the catalog, next to its id.
config = lam.get_function_configuration(FunctionName=FUNCTION)
variables = (config.get("Environment") or {}).get("Variables") or {}
with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/_gailab/bedrock/models") as response:
    price = {m["id"]: m["price"] for m in json.load(response)["models"]}[variables["MODEL_ID"]]
variables.update(PRICE_INPUT_PER_1K=str(price["inputPer1K"]), PRICE_OUTPUT_PER_1K=str(price["outputPer1K"]))
lam.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": variables})
lam.get_waiter("function_updated_v2").wait(FunctionName=FUNCTION)

# 4. An alarm on the function's errors: one error in a minute is enough.
cloudwatch.put_metric_alarm(
    AlarmName=ALARM, Namespace="AWS/Lambda", MetricName="Errors",
    Dimensions=[{"Name": "FunctionName", "Value": FUNCTION}], Statistic="Sum", Period=60, EvaluationPeriods=1,
    Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
    AlarmDescription="genai-summarize failed at least once in a minute",
)
answer_from_env()  # the quiz, answered from the manifest's hashes
print(f"genai-app-architecture solved: {FUNCTION} stores and logs each request; {ALARM} watches its errors")
