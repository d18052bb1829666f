"""Reference solution of bedrock-vs-sagemaker (boto3). Idempotent: run it twice and nothing breaks.

Self-contained: the lab key alias/genai-lab and the bucket genai-outputs (encrypted with it by default) are used
when s3-genai-storage made them, created otherwise. SageMaker: an execution role, the JumpStart Mistral 7B Instruct model, an endpoint configuration on one ml.g5.2xlarge
and the endpoint jumpstart-summarizer, called once. Bedrock: the lab's JSONL in the encrypted bucket, a fine-tuning
job on Titan Text Express, Provisioned Throughput for the custom model and the test tickets through it. Then what
bills by the hour is deleted, the cost view read, and s3://genai-outputs/reports/compare.json written.
"""

import json
import os
import time
import urllib.request
from pathlib import Path

import boto3

from gailab.labs.quiz import answer_from_env

REGION = "us-east-1"
BUCKET = "genai-outputs"
ENDPOINT = "jumpstart-summarizer"
JUMPSTART_ID = "huggingface-llm-mistral-7b-instruct"
TGI = ("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
       "2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04")
ARTIFACTS = (f"s3://jumpstart-cache-prod-us-east-1/huggingface-llm/{JUMPSTART_ID}/artifacts/inference-prepack/"
             "v3.0.0/")
INSTANCE = "ml.g5.2xlarge"
BASE_MODEL = "amazon.titan-text-express-v1"
CUSTOM_MODEL = "genai-ticket-classifier"
PROVISIONED = "genai-ticket-classifier-pt"

workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
starter = Path(os.environ.get("GAILAB_LAB_DIR", Path(__file__).parent.parent)) / "starter"


def lab_file(name):
    return workspace / name if (workspace / name).exists() else starter / name


iam = boto3.client("iam", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
sm = boto3.client("sagemaker", region_name=REGION)
sm_runtime = boto3.client("sagemaker-runtime", region_name=REGION)
bedrock = boto3.client("bedrock", region_name=REGION)
runtime = boto3.client("bedrock-runtime", region_name=REGION)


def role(name, service, statements):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                      "Action": "sts:AssumeRole"}]}
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="access",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return arn


def wait(fetch, done, seconds=120):
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


# 0. The lab key and the bucket encrypted with it by default: s3-genai-storage's, or made here when it was skipped.
if "alias/genai-lab" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]:
    kms.create_alias(AliasName="alias/genai-lab", TargetKeyId=kms.create_key(
        Description="gailab: prompts and outputs of the GenAI app")["KeyMetadata"]["KeyId"])
if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/genai-lab"},
        "BucketKeyEnabled": True}]})

# 1. SageMaker: you choose the container, the instance type and how many; the endpoint bills per instance-hour.
sm_role = role("genai-sagemaker-role", "sagemaker.amazonaws.com", [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::jumpstart-cache-prod-us-east-1/*"},
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:*:log-group:/aws/sagemaker/*"}])
if not sm.list_models(NameContains=ENDPOINT)["Models"]:
    sm.create_model(
        ModelName=ENDPOINT, ExecutionRoleArn=sm_role,
        PrimaryContainer={"Image": TGI, "Environment": {"HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "1",
                                                        "MAX_INPUT_LENGTH": "4095", "MAX_TOTAL_TOKENS": "4096"},
                          "ModelDataSource": {"S3DataSource": {"S3Uri": ARTIFACTS, "S3DataType": "S3Prefix",
                                                               "CompressionType": "None"}}},
        Tags=[{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": JUMPSTART_ID},
              {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "3.0.0"}])
if not sm.list_endpoint_configs(NameContains=ENDPOINT)["EndpointConfigs"]:
    sm.create_endpoint_config(EndpointConfigName=ENDPOINT, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": ENDPOINT, "InstanceType": INSTANCE, "InitialInstanceCount": 1}])
if not sm.list_endpoints(NameContains=ENDPOINT)["Endpoints"]:
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT)

# 2. Bedrock: the lab's training data, encrypted by the bucket's default key (alias/genai-lab), and a fine-tuning job.
s3.upload_file(str(lab_file("train.jsonl")), BUCKET, "finetune/train.jsonl")
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]
ft_role = role("genai-bedrock-ft-role", "bedrock.amazonaws.com", [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/finetune/*"},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/finetune/output/*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key_arn}])
models = [m for m in bedrock.list_custom_models()["modelSummaries"] if m["modelName"] == CUSTOM_MODEL]
if models:
    custom_arn = models[0]["modelArn"]
else:
    job_arn = bedrock.create_model_customization_job(
        jobName=f"{CUSTOM_MODEL}-{int(time.time())}", customModelName=CUSTOM_MODEL, roleArn=ft_role,
        baseModelIdentifier=BASE_MODEL, customizationType="FINE_TUNING",
        hyperParameters={"epochCount": "2", "batchSize": "1", "learningRate": "0.00001"},
        trainingDataConfig={"s3Uri": f"s3://{BUCKET}/finetune/train.jsonl"},
        outputDataConfig={"s3Uri": f"s3://{BUCKET}/finetune/output/"})["jobArn"]
    job = wait(lambda: bedrock.get_model_customization_job(jobIdentifier=job_arn),
               lambda j: j["status"] in ("Completed", "Failed", "Stopped"))
    assert job["status"] == "Completed", job.get("failureMessage")
    custom_arn = job["outputModelArn"]

# 3. Call the endpoint once it is InService: TGI's JSON in, [{"generated_text"}] out.
deployed = bool(sm.list_endpoints(NameContains=ENDPOINT)["Endpoints"])
status = wait(lambda: sm.describe_endpoint(EndpointName=ENDPOINT), lambda e: e["EndpointStatus"] != "Creating") \
    if deployed else {"EndpointStatus": "not created"}
if status["EndpointStatus"] == "InService":
    answer = sm_runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=json.dumps({
        "inputs": "<s>[INST] Resuma em uma frase: o cliente foi cobrado duas vezes e pede o estorno. [/INST]",
        "parameters": {"max_new_tokens": 80, "temperature": 0.1}}))
    print("SageMaker:", json.loads(answer["Body"].read())[0]["generated_text"][:100])
else:
    print("SageMaker endpoint", status["EndpointStatus"], status.get("FailureReason", ""))

# 4. A custom model answers only through Provisioned Throughput (1 model unit, no commitment: hourly, deletable).
provisioned = [p for p in bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
               if p["provisionedModelName"] == PROVISIONED]
pt_arn = provisioned[0]["provisionedModelArn"] if provisioned else bedrock.create_provisioned_model_throughput(
    provisionedModelName=PROVISIONED, modelId=custom_arn, modelUnits=1)["provisionedModelArn"]
wait(lambda: bedrock.get_provisioned_model_throughput(provisionedModelId=pt_arn), lambda p: p["status"] == "InService")
for ticket in json.loads(lab_file("test_tickets.json").read_text("utf-8"))["tickets"]:
    reply = json.loads(runtime.invoke_model(modelId=pt_arn, body=json.dumps({"inputText": ticket}))["body"].read())
    print("custom model:", ticket, "->", reply["results"][0]["outputText"].strip())

# 5. Delete what bills by the hour: the endpoint (the configuration and the model bill nothing) and the
#    Provisioned Throughput (the custom model's storage bills per month, not per hour).
for endpoint in sm.list_endpoints(NameContains=ENDPOINT)["Endpoints"]:
    sm.delete_endpoint(EndpointName=endpoint["EndpointName"])
bedrock.delete_provisioned_model_throughput(provisionedModelId=pt_arn)

# 6. What it cost here, from the cost view (final now that the clocks have stopped).
endpoint_url = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
with urllib.request.urlopen(endpoint_url + "/_gailab/costs") as response:
    lines = json.load(response)["lines"]


def cost(prefix):
    return round(sum(line["costUsd"] for line in lines if line["item"].startswith(prefix)), 8)


report = {
    "sagemaker": {"endpointName": ENDPOINT, "instanceType": INSTANCE, "instanceCount": 1, "billedPer": "instance-hour",
                  "costUsd": cost(f"endpoint {ENDPOINT} ")},
    "bedrock": {"customModelArn": custom_arn, "provisionedModelName": PROVISIONED, "modelUnits": 1,
                "billedPer": "model-unit-hour", "costUsd": cost(f"provisioned throughput {PROVISIONED} "),
                "trainingCostUsd": cost(f"model customization {CUSTOM_MODEL}")},
}
s3.put_object(Bucket=BUCKET, Key="reports/compare.json", Body=json.dumps(report, indent=2).encode(),
              ContentType="application/json")
print(json.dumps(report, indent=2))

# 7. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
