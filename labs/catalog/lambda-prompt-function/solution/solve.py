"""Reference solution of lambda-prompt-function (boto3): the execution role with least privilege, then the
function, deployed from the workspace as the app's Ctrl+D does, and configured. Safe to run twice."""

import json
import shutil
from pathlib import Path

import boto3

from gailab.labs.deploy import deploy_from_env

REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE, FUNCTION = "genai-lambda-role", "genai-summarize"
MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"

iam = boto3.client("iam", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
lam = boto3.client("lambda", region_name=REGION)

# 1. The execution role: Lambda may assume it, and it may do exactly what the function needs.
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]
policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "InvokeTheModel", "Effect": "Allow", "Action": "bedrock:InvokeModel",
     "Resource": f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL_ID}"},
    {"Sid": "ReadThePromptTemplate", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::genai-outputs/prompts/summary.txt"},
    {"Sid": "DecryptWithTheLabKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
    {"Sid": "WriteItsOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                                             "logs:PutLogEvents"],
     "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{FUNCTION}:*"},
]}
try:
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
except iam.exceptions.EntityAlreadyExistsException:
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
iam.put_role_policy(RoleName=ROLE, PolicyName="genai-summarize", PolicyDocument=json.dumps(policy))

# 2. The handler, into the workspace, deployed exactly as Ctrl+D in the app deploys it.
workspace = Path(__import__("os").environ.get("GAILAB_WORKSPACE", "."))
shutil.copy(Path(__file__).with_name("lambda_function.py"), workspace / "lambda_function.py")
deploy_from_env()

# 3. Its configuration: room for a model's answer, memory, and which model to call.
lam.update_function_configuration(FunctionName=FUNCTION, Timeout=30, MemorySize=256,
                                  Environment={"Variables": {"MODEL_ID": MODEL_ID}})
lam.get_waiter("function_updated_v2").wait(FunctionName=FUNCTION)
print(f"lambda-prompt-function solved: {FUNCTION} calls {MODEL_ID} as {ROLE}")
