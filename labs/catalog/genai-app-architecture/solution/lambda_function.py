"""genai-summarize, the reference app's function. Each request — a POST through API Gateway or a direct invoke —
is summarized by the model MODEL_ID names, stored as responses/<request id>.json in genai-outputs, and logged as
one JSON line: request id, input size, tokens and cost."""

import json
import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def summarize(text: str, request_id: str) -> dict:
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    prompt = template.format(texto=text, text=text)
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
    )
    usage = reply["usage"]
    cost = (usage["inputTokens"] / 1000 * float(os.environ["PRICE_INPUT_PER_1K"])
            + usage["outputTokens"] / 1000 * float(os.environ["PRICE_OUTPUT_PER_1K"]))
    answer = {"requestId": request_id, "summary": reply["output"]["message"]["content"][0]["text"]}
    # The answer is kept (SSE-KMS with the lab key, the bucket's default) and the request leaves one log line.
    s3.put_object(Bucket=BUCKET, Key=f"responses/{request_id}.json", ContentType="application/json",
                  Body=json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    print(json.dumps({"requestId": request_id, "inputChars": len(text), "inputTokens": usage["inputTokens"],
                      "outputTokens": usage["outputTokens"], "costUsd": round(cost, 8)}))
    return answer


def http(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, ensure_ascii=False)}


def lambda_handler(event, context):
    if "httpMethod" in event:  # through API Gateway (AWS_PROXY)
        try:
            text = json.loads(event.get("body") or "")["text"]
        except (ValueError, KeyError, TypeError):
            text = None
        if not isinstance(text, str) or not text.strip():
            return http(400, {"message": "Envie um JSON com o campo \"text\"."})
        return http(200, summarize(text, context.aws_request_id))
    # A direct invoke: an event without "text" raises, so Lambda counts an error (and the alarm sees it).
    return summarize(event["text"], context.aws_request_id)
