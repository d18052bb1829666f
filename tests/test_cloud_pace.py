"""A throwaway cloud (gailab grade --fresh, lab validate) runs the simulated waits at a faster pace: a batch job of
100 records goes through the same statuses in a tenth of the time, an endpoint is InService sooner, and a call
with realistic latency reports the same latencyMs and tokens as a learner's cloud does."""

from __future__ import annotations

import json
import time
from datetime import datetime

import boto3
from botocore.config import Config

from gailab.labs.sandbox import Sandbox
from gailab.simulator.bedrock.batch import MIN_PROCESSING, SCHEDULED, SUBMITTED, VALIDATING
from gailab.simulator.client import admin
from gailab.simulator.core.pace import FRESH
from gailab.simulator.sagemaker.models import CREATING_SECONDS

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
PROMPT = [{"role": "user", "content": [{"text": "Explique em três frases o que é um modelo de base."}]}]
MODEL = "amazon.nova-micro-v1:0"


def _client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def _seconds(a, b) -> float:
    parse = (lambda v: v if isinstance(v, datetime) else datetime.fromisoformat(v.replace("Z", "+00:00")))
    return (parse(b) - parse(a)).total_seconds()


def _wait(fetch, done, seconds=60.0):
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _batch_job(endpoint) -> dict:
    s3, iam, br = (_client(endpoint, s) for s in ("s3", "iam", "bedrock"))
    s3.create_bucket(Bucket="pace-jobs")
    role = iam.create_role(RoleName="pace-batch", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="pace-batch", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                                "Resource": "arn:aws:s3:::pace-jobs/*"}]}))
    rows = [{"recordId": f"R{i:04d}", "modelInput": {"inputText": f"Resuma o pedido {i}."}} for i in range(100)]
    s3.put_object(Bucket="pace-jobs", Key="in/r.jsonl", Body="\n".join(json.dumps(r) for r in rows).encode())
    job = br.create_model_invocation_job(
        jobName="ritmo", roleArn=role, modelId="amazon.titan-text-express-v1",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://pace-jobs/in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://pace-jobs/out/"}})["jobArn"]
    seen: list[str] = []

    def fetch():
        got = br.get_model_invocation_job(jobIdentifier=job)
        if not seen or seen[-1] != got["status"]:
            seen.append(got["status"])
        return got

    done = _wait(fetch, lambda j: j["status"] in ("Completed", "Failed"))
    return {**done, "seen": seen}


def _endpoint(endpoint) -> dict:
    sm, iam = _client(endpoint, "sagemaker"), _client(endpoint, "iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="pace-sm", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    sm.create_model(ModelName="ritmo", ExecutionRoleArn=role, PrimaryContainer={
        "Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
                 "2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04", "Environment": {"HF_MODEL_ID": "/opt/ml/model"}})
    sm.create_endpoint_config(EndpointConfigName="ritmo", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "ritmo", "InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName="ritmo", EndpointConfigName="ritmo")
    return _wait(lambda: sm.describe_endpoint(EndpointName="ritmo"), lambda e: e["EndpointStatus"] != "Creating")


def _realistic_call(endpoint, home=None) -> dict:
    admin(endpoint, "/_gailab/bedrock/settings", {"latency": "realistic"}, home=home)
    try:
        reply = _client(endpoint, "bedrock-runtime").converse(modelId=MODEL, messages=PROMPT,
                                                               inferenceConfig={"temperature": 0, "maxTokens": 300})
    finally:
        admin(endpoint, "/_gailab/bedrock/settings", {"latency": "off"}, home=home)
    return {"latencyMs": reply["metrics"]["latencyMs"], "usage": reply["usage"],
            "text": reply["output"]["message"]["content"][0]["text"]}


def test_a_throwaway_cloud_waits_less_and_reports_the_same_figures(cloud):
    with Sandbox(in_process=False) as sandbox:
        job = _batch_job(sandbox.endpoint)
        assert job["status"] == "Completed" and job["successRecordCount"] == 100, job
        order = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
        assert job["seen"] == sorted(job["seen"], key=order.index) and job["seen"][-1] == "Completed", job["seen"]
        # Submitted 1 s + Validating 1 s + Scheduled 1 s + 100 records (2 s) at the throwaway pace (0.5 s at 0.1).
        full = SUBMITTED + VALIDATING + SCHEDULED + MIN_PROCESSING
        assert abs(_seconds(job["submitTime"], job["endTime"]) - full * FRESH) < 0.01, job

        described = _endpoint(sandbox.endpoint)
        assert described["EndpointStatus"] == "InService"
        assert abs(_seconds(described["CreationTime"], described["LastModifiedTime"]) - CREATING_SECONDS * FRESH) < 0.01

        fast = _realistic_call(sandbox.endpoint, home=sandbox.home)
    # The learner's cloud (pace 1) reports the same latency, tokens and answer for the same call.
    assert _realistic_call(cloud.endpoint) == fast
    assert fast["latencyMs"] > 1000
