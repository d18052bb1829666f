"""genai-summarize — your handler for the lab lambda-prompt-function.
   genai-summarize — o seu handler para o lab lambda-prompt-function.

Invoked with {"text": "..."}, it answers {"summary": "..."}. Press Ctrl+D in the app to deploy it
(or run: gailab lab deploy lambda-prompt-function).
Invocado com {"text": "..."}, responde {"summary": "..."}. Aperte Ctrl+D no app para implantá-lo.
"""

import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    text = event["text"]
    # TODO 1: read the template s3://genai-outputs/prompts/summary.txt (s3.get_object) and fill it:
    #         template.format(texto=text, text=text)
    #         leia o template de s3://genai-outputs/prompts/summary.txt e preencha-o com template.format(...)

    # TODO 2: call the model named by os.environ["MODEL_ID"] with bedrock.converse (maxTokens 300),
    #         never a model id written here.
    #         chame o modelo indicado por os.environ["MODEL_ID"] com bedrock.converse (maxTokens 300),
    #         nunca um id de modelo escrito aqui.

    # TODO 3: return {"summary": <the model's text>} / devolva {"summary": <o texto do modelo>}
    return {"summary": "TODO"}
