"""
[en] genai-summarize — your handler for the lab lambda-prompt-function.
[pt-BR] genai-summarize — o seu handler para o lab lambda-prompt-function.

[en] Invoked with {"text": "..."}, it answers {"summary": "..."}. Press Ctrl+D in the app to deploy it
[en] (or run: gailab lab deploy lambda-prompt-function).
[pt-BR] Invocado com {"text": "..."}, ele responde {"summary": "..."}. Aperte Ctrl+D no app para implantá-lo
[pt-BR] (ou rode: gailab lab deploy lambda-prompt-function).
"""

import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    text = event["text"]
    # [en] TODO 1: read the template s3://genai-outputs/prompts/summary.txt (s3.get_object) and fill it:
    # [pt-BR] TODO 1: leia o modelo de prompt s3://genai-outputs/prompts/summary.txt (s3.get_object) e preencha-o:
    #         template.format(texto=text, text=text)

    # [en] TODO 2: call the model named by os.environ["MODEL_ID"] with bedrock.converse (maxTokens 300),
    # [en]         never a model id written here.
    # [pt-BR] TODO 2: chame o modelo indicado por os.environ["MODEL_ID"] com bedrock.converse (maxTokens 300),
    # [pt-BR]         nunca um ID de modelo escrito aqui.

    # [en] TODO 3: return {"summary": <the model's text>}
    # [pt-BR] TODO 3: devolva {"summary": <o texto do modelo>}
    return {"summary": "TODO"}
