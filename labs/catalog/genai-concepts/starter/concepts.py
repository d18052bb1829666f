"""
[en] Your script for the lab genai-concepts. Fill in each TODO, then run:
[pt-BR] Seu script para o lab genai-concepts. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python concepts.py
    gailab grade genai-concepts
"""

import base64
import json
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
data = json.loads(Path("tickets.json").read_text(encoding="utf-8"))
report = {}


def ask(prompt, temperature=0.0, max_tokens=20, model_id="amazon.nova-micro-v1:0"):
    """
    [en] One Converse call: (answer text, request id).
    [pt-BR] Uma chamada Converse: (texto da resposta, ID da requisição).
    """
    answer = runtime.converse(
        modelId=model_id,
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"temperature": temperature, "maxTokens": max_tokens},
    )
    return answer["output"]["message"]["content"][0]["text"].strip(), answer["ResponseMetadata"]["RequestId"]


# [en] TODO 1: classify each ticket of data["test"] zero-shot (the instruction alone), then few-shot (the same
# [en]         instruction plus at least 2 examples of data["examples"], each followed by its label). Count the answers
# [en]         that name the ticket's label; accuracy = right / 8.
# [pt-BR] TODO 1: classifique cada chamado de data["test"] em zero-shot (só a instrução) e depois em few-shot (a mesma
# [pt-BR]         instrução mais pelo menos 2 exemplos de data["examples"], cada um seguido do seu rótulo). Conte as
# [pt-BR]         respostas que citam o rótulo do chamado; acurácia = acertos / 8.
# report["zeroShot"] = {"accuracy": ..., "requestIds": [...]}
# report["fewShot"] = {"accuracy": ..., "requestIds": [...]}

# [en] TODO 2: the same prompt five times at temperature 0 and five times at temperature 1; count distinct answers.
# [pt-BR] TODO 2: o mesmo prompt cinco vezes com temperature 0 e cinco vezes com temperature 1; conte as respostas
# [pt-BR]         diferentes.
# report["temperature"] = {"0": {"requestIds": [...], "distinctAnswers": n}, "1": {...}}

# [en] TODO 3: generate one image (amazon.nova-canvas-v1:0, runtime.invoke_model), send it to a multimodal model
# [en]         (amazon.nova-lite-v1:0) and to a text-only one (amazon.nova-micro-v1:0) with runtime.converse.
# [pt-BR] TODO 3: gere uma imagem (amazon.nova-canvas-v1:0, runtime.invoke_model) e envie-a a um modelo multimodal
# [pt-BR]         (amazon.nova-lite-v1:0) e a um modelo só de texto (amazon.nova-micro-v1:0) com runtime.converse.
# report["images"] = {"generatedRequestId": ..., "imageCostUsd": ..., "multimodalRequestId": ...,
#                     "textOnlyModelId": ..., "textOnlyError": ...}

Path("reports").mkdir(exist_ok=True)
Path("reports/concepts.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
print(json.dumps(report, indent=2))
