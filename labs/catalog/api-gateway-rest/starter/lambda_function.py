"""
[en] genai-summarize — your handler for the lab api-gateway-rest (it starts from lambda-prompt-function's).
[pt-BR] genai-summarize — o seu handler para o lab api-gateway-rest (ele parte do handler do lambda-prompt-function).

[en] Behind API Gateway (AWS_PROXY) the event is the HTTP request: the JSON you POST arrives as a string in
[en] event["body"], and the function must answer {"statusCode": ..., "headers": {...}, "body": "<JSON text>"}.
[en] A direct invoke with {"text": "..."} must still answer {"summary": "..."}. Ctrl+D deploys it.
[pt-BR] Atrás do API Gateway (AWS_PROXY), o evento é a requisição HTTP: o JSON enviado por POST chega como string em
[pt-BR] event["body"], e a função deve responder {"statusCode": ..., "headers": {...}, "body": "<texto JSON>"}.
[pt-BR] Uma invocação direta com {"text": "..."} ainda deve responder {"summary": "..."}. Ctrl+D implanta a função.
"""

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


def lambda_handler(event, context):
    # [en] TODO 1: when "httpMethod" is in the event (a proxy request), read the text from json.loads(event["body"]).
    # [pt-BR] TODO 1: quando "httpMethod" está no evento (uma requisição de proxy), leia o texto de
    # [pt-BR]         json.loads(event["body"]).
    # [en] TODO 2: answer {"statusCode": 200, "headers": {"Content-Type": "application/json"},
    # [pt-BR] TODO 2: responda {"statusCode": 200, "headers": {"Content-Type": "application/json"},
    #                 "body": json.dumps({"summary": ...})}
    # [en]         without a valid "text", answer statusCode 400 with a JSON body.
    # [pt-BR]         sem um "text" válido, responda statusCode 400 com um corpo JSON.
    # [en] A direct invoke:
    # [pt-BR] Uma invocação direta:
    return {"summary": summarize(event["text"])}
