"""The seed's path end to end: a learner-style handler calls the simulated Bedrock and writes to S3."""

from __future__ import annotations

import base64
import json
import urllib.request

from gailab.simulator.awslambda.package import ensure_role, zip_handler

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"

HANDLER = """
import json
import os

import boto3

bedrock = boto3.client("bedrock-runtime")
s3 = boto3.client("s3")


def lambda_handler(event, context):
    prompt = f"Summarize in one sentence: {event['text']}"
    print(f"prompt: {prompt}")
    response = bedrock.invoke_model(
        modelId=os.environ["MODEL_ID"],
        body=json.dumps({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 200,
            "temperature": 0.2,
            "messages": [{"role": "user", "content": prompt}],
        }),
    )
    answer = json.loads(response["body"].read())
    summary = answer["content"][0]["text"]
    key = f"responses/{context.aws_request_id}.json"
    s3.put_object(Bucket=os.environ["BUCKET"], Key=key, Body=json.dumps({"summary": summary}).encode())
    print(f"wrote s3://{os.environ['BUCKET']}/{key}")
    return {"statusCode": 200, "key": key, "summary": summary, "usage": answer["usage"]}
"""


def test_handler_calling_bedrock_and_s3_with_plain_boto3(cloud, aws):
    iam = aws("iam")
    role = ensure_role(iam, "genai-lambda-role", {"least-privilege": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel",
         "Resource": f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::genai-outputs/responses/*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"}]}})
    aws("s3").create_bucket(Bucket="genai-outputs")
    lam = aws("lambda")
    lam.create_function(FunctionName="genai-summarize", Runtime="python3.12", Role=role,
                        Handler="lambda_function.lambda_handler", Code={"ZipFile": zip_handler(HANDLER)},
                        Environment={"Variables": {"MODEL_ID": MODEL, "BUCKET": "genai-outputs"}},
                        Timeout=30, MemorySize=256)
    response = lam.invoke(FunctionName="genai-summarize", LogType="Tail",
                          Payload=json.dumps({"text": "Foundation models are large models trained on broad data."}))
    result = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, result
    assert result["statusCode"] == 200 and result["summary"] and result["usage"]["output_tokens"] > 0
    stored = json.loads(aws("s3").get_object(Bucket="genai-outputs", Key=result["key"])["Body"].read())
    assert stored == {"summary": result["summary"]}
    # The simulated Bedrock's ledger saw the call, made by the function's role session.
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations?modelId={MODEL}") as reply:
        invocations = json.loads(reply.read())["invocations"]
    assert len(invocations) == 1
    assert "assumed-role/genai-lambda-role/genai-summarize" in json.dumps(invocations[0])
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "prompt: Summarize in one sentence" in tail and f"wrote s3://genai-outputs/{result['key']}" in tail
    assert "REPORT RequestId:" in tail and "Init Duration:" in tail
    logs = aws("logs")
    messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/genai-summarize")["events"]]
    assert any(m.startswith("prompt: Summarize") for m in messages)
    assert any(m.startswith("REPORT RequestId:") and "Duration:" in m for m in messages)
    warm = lam.invoke(FunctionName="genai-summarize", LogType="Tail", Payload=json.dumps({"text": "again"}))
    assert "FunctionError" not in warm and "Init Duration" not in base64.b64decode(warm["LogResult"]).decode()
