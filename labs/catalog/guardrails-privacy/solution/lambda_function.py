"""genai-summarize, guarded: the caller's text goes through the guardrail before anything else sees it — blocked
(a denied topic, a prompt attack) or masked (e-mail, phone, CPF) — and only the masked text reaches the prompt
template, the model and therefore the invocation logs; the model's answer is checked again on the way out."""

import json
import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    guard = {"guardrailIdentifier": os.environ["GUARDRAIL_ID"], "guardrailVersion": os.environ["GUARDRAIL_VERSION"]}
    checked = bedrock.apply_guardrail(**guard, source="INPUT", content=[{"text": {"text": event["text"]}}])
    outputs = [o["text"] for o in checked.get("outputs", [])]
    if checked["action"] == "GUARDRAIL_INTERVENED" and '"BLOCKED"' in json.dumps(checked.get("assessments", [])):
        return {"summary": outputs[0] if outputs else "", "blocked": True}
    text = outputs[0] if outputs else event["text"]
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": template.format(texto=text, text=text)}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
        guardrailConfig=guard,
    )
    return {"summary": reply["output"]["message"]["content"][0]["text"], "blocked": False}
