"""genai-summarize — your handler for the lab api-gateway-rest (it starts from lambda-prompt-function's).
   genai-summarize — o seu handler para o lab api-gateway-rest (parte do handler do lambda-prompt-function).

Behind API Gateway (AWS_PROXY) the event is the HTTP request: the JSON you POST arrives as a string in
event["body"], and the function must answer {"statusCode": ..., "headers": {...}, "body": "<JSON text>"}.
A direct invoke with {"text": "..."} must still answer {"summary": "..."}. Ctrl+D deploys it.
Atrás do API Gateway (AWS_PROXY) o evento é a requisição HTTP: o JSON enviado chega como string em
event["body"], e a função deve responder {"statusCode": ..., "headers": {...}, "body": "<texto JSON>"}.
Uma invocação direta com {"text": "..."} ainda deve responder {"summary": "..."}. Ctrl+D implanta.
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
    # TODO 1: when "httpMethod" is in the event (a proxy request), read the text from json.loads(event["body"])
    #         quando "httpMethod" está no evento (requisição do proxy), leia o texto de json.loads(event["body"])
    # TODO 2: answer {"statusCode": 200, "headers": {"Content-Type": "application/json"},
    #                 "body": json.dumps({"summary": ...})}
    #         responda nesse formato; sem "text" válido, statusCode 400 com um corpo JSON
    return {"summary": summarize(event["text"])}  # a direct invoke / uma invocação direta
