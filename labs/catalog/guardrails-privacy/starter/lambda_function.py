"""genai-summarize — your handler, now for the lab guardrails-privacy.
   genai-summarize — o seu handler, agora para o lab guardrails-privacy.

Invoked with {"text": "..."}, it answers {"summary": "..."}. Press Ctrl+D in the app to deploy it
(or run: gailab lab deploy guardrails-privacy).
Invocado com {"text": "..."}, responde {"summary": "..."}. Aperte Ctrl+D no app para implantá-lo.
"""

import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    text = event["text"]
    # TODO 1: pass text through the guardrail first: bedrock.apply_guardrail(guardrailIdentifier=os.environ[
    #         "GUARDRAIL_ID"], guardrailVersion=os.environ["GUARDRAIL_VERSION"], source="INPUT", content=[{"text":
    #         {"text": text}}]). Blocked (a BLOCKED action in its assessments)? Return its outputs[0].text. Masked?
    #         Go on with outputs[0].text.
    #         passe o texto pelo guardrail primeiro. Bloqueado (ação BLOCKED nas assessments)? Devolva outputs[0].text.
    #         Mascarado? Siga com outputs[0].text.
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": template.format(texto=text, text=text)}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
        # TODO 2: guardrailConfig={"guardrailIdentifier": ..., "guardrailVersion": ...} checks the answer too.
        #         guardrailConfig={...} confere também a resposta.
    )
    return {"summary": reply["output"]["message"]["content"][0]["text"]}
