"""
[en] genai-summarize — your handler for the lab genai-app-architecture (it starts from api-gateway-rest's).
[pt-BR] genai-summarize — o seu handler para o lab genai-app-architecture (ele parte do handler do api-gateway-rest).

[en] Each request must be stored as responses/<request id>.json in genai-outputs and logged as one JSON line.
[en] Ctrl+D deploys it.
[pt-BR] Cada requisição deve ser guardada como responses/<request id>.json no genai-outputs e registrada no log como
[pt-BR] uma linha JSON. Ctrl+D implanta a função.
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
    # [en] TODO 1: store the answer as JSON in s3://genai-outputs/responses/<request_id>.json (s3.put_object).
    # [pt-BR] TODO 1: guarde a resposta como JSON em s3://genai-outputs/responses/<request_id>.json (s3.put_object).
    # [en] TODO 2: print one JSON line:
    # [pt-BR] TODO 2: imprima uma linha JSON:
    #         {"requestId", "inputChars": len(text), "inputTokens", "outputTokens", "costUsd"}
    # [en]         with the tokens of reply["usage"] and the prices in PRICE_INPUT_PER_1K / PRICE_OUTPUT_PER_1K.
    # [pt-BR]         com os tokens de reply["usage"] e os preços das variáveis PRICE_INPUT_PER_1K /
    # [pt-BR]         PRICE_OUTPUT_PER_1K.
    return answer


def http(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, ensure_ascii=False)}


def lambda_handler(event, context):
    # [en] Through API Gateway (AWS_PROXY):
    # [pt-BR] Pelo API Gateway (AWS_PROXY):
    if "httpMethod" in event:
        try:
            text = json.loads(event.get("body") or "")["text"]
        except (ValueError, KeyError, TypeError):
            text = None
        if not isinstance(text, str) or not text.strip():
            return http(400, {"message": "Envie um JSON com o campo \"text\"."})
        return http(200, summarize(text, context.aws_request_id))
    # [en] A direct invoke: an event without "text" raises, so Lambda counts an error (and the alarm sees it).
    # [pt-BR] Uma invocação direta: um evento sem "text" levanta uma exceção, então o Lambda conta um erro (e o
    # [pt-BR] alarme o vê).
    return summarize(event["text"], context.aws_request_id)
