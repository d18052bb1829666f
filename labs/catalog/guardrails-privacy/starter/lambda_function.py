"""
[en] genai-summarize — your handler, now for the lab guardrails-privacy.
[pt-BR] genai-summarize — o seu handler, agora para o lab guardrails-privacy.

[en] Invoked with {"text": "..."}, it answers {"summary": "..."}. Press Ctrl+D in the app to deploy it
[en] (or run: gailab lab deploy guardrails-privacy).
[pt-BR] Invocado com {"text": "..."}, ele responde {"summary": "..."}. Aperte Ctrl+D no app para implantá-lo
[pt-BR] (ou rode: gailab lab deploy guardrails-privacy).
"""

import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    text = event["text"]
    # [en] TODO 1: pass text through the guardrail first:
    # [pt-BR] TODO 1: passe o texto pelo guardrail primeiro:
    #         bedrock.apply_guardrail(guardrailIdentifier=os.environ["GUARDRAIL_ID"],
    #         guardrailVersion=os.environ["GUARDRAIL_VERSION"], source="INPUT", content=[{"text": {"text": text}}]).
    # [en]         Blocked (a BLOCKED action in its assessments)? Return its outputs[0].text. Masked?
    # [en]         Go on with outputs[0].text.
    # [pt-BR]         Bloqueado (uma ação BLOCKED nas assessments)? Devolva outputs[0].text. Mascarado?
    # [pt-BR]         Continue com outputs[0].text.
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": template.format(texto=text, text=text)}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
        # [en] TODO 2: guardrailConfig={"guardrailIdentifier": ..., "guardrailVersion": ...} checks the answer too.
        # [pt-BR] TODO 2: guardrailConfig={"guardrailIdentifier": ..., "guardrailVersion": ...} confere também a
        # [pt-BR]         resposta.
    )
    return {"summary": reply["output"]["message"]["content"][0]["text"]}
