"""genai-summarize behind API Gateway: a POST /summarize with {"text": "..."} answers {"summary": "..."} in the
proxy integration's response shape, and a direct invoke with {"text": "..."} still answers {"summary": "..."}."""

import json
import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def summarize(text: str) -> str:
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    prompt = template.format(texto=text, text=text)
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
    )
    return reply["output"]["message"]["content"][0]["text"]


def http(status: int, body: dict) -> dict:
    """What an AWS_PROXY integration must return: status code, headers, and the body as a string."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, ensure_ascii=False)}


def lambda_handler(event, context):
    if "httpMethod" in event:  # API Gateway's proxy event: the request's JSON is a string in event["body"]
        try:
            text = json.loads(event.get("body") or "")["text"]
        except (ValueError, KeyError, TypeError):
            text = None
        if not isinstance(text, str) or not text.strip():
            return http(400, {"message": "Envie um JSON com o campo \"text\"."})
        return http(200, {"summary": summarize(text)})
    return {"summary": summarize(event["text"])}  # a direct invoke: a bad event is the caller's error
