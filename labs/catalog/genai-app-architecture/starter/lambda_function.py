"""genai-summarize — your handler for the lab genai-app-architecture (it starts from api-gateway-rest's).
   genai-summarize — o seu handler para o lab genai-app-architecture (parte do handler do api-gateway-rest).

Each request must be stored as responses/<request id>.json in genai-outputs and logged as one JSON line.
Cada requisição deve ser guardada como responses/<request id>.json em genai-outputs e registrada numa linha JSON.
Ctrl+D deploys it / Ctrl+D implanta.
"""

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
    answer = {"requestId": request_id, "summary": reply["output"]["message"]["content"][0]["text"]}
    # TODO 1: store the answer as JSON in s3://genai-outputs/responses/<request_id>.json (s3.put_object).
    #         guarde a resposta como JSON em s3://genai-outputs/responses/<request_id>.json.
    # TODO 2: print one JSON line: {"requestId", "inputChars": len(text), "inputTokens", "outputTokens", "costUsd"}
    #         with the tokens of reply["usage"] and the prices in PRICE_INPUT_PER_1K / PRICE_OUTPUT_PER_1K.
    #         imprima uma linha JSON com esses campos, os tokens de reply["usage"] e os preços das variáveis.
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
