"""Reference solution of genai-concepts (boto3).

Classifies the lab's test tickets zero-shot and few-shot, sends one prompt five times at temperature 0 and five
times at temperature 1, generates an image with Nova Canvas, shows it to a multimodal model and to a text-only one,
and writes reports/concepts.json in the workspace.
"""

import base64
import json
import os
import re
import urllib.request
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from gailab.labs.quiz import answer_from_env

REGION = "us-east-1"
TEXT_MODEL = "amazon.nova-micro-v1:0"       # text only
MULTIMODAL_MODEL = "amazon.nova-lite-v1:0"  # text, images and video in
IMAGE_MODEL = "amazon.nova-canvas-v1:0"     # images out, priced per image
SAME_PROMPT = "Escreva um slogan curto para uma cafeteria no centro de São Paulo."

runtime = boto3.client("bedrock-runtime", region_name=REGION)
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
tickets_file = workspace / "tickets.json"
if not tickets_file.is_file():
    tickets_file = Path(os.environ["GAILAB_LAB_DIR"]) / "starter" / "tickets.json"
data = json.loads(tickets_file.read_text(encoding="utf-8"))
labels = data["labels"]


def ask(prompt, temperature=0.0, max_tokens=20, model_id=TEXT_MODEL):
    """One Converse call: (answer text, request id)."""
    answer = runtime.converse(
        modelId=model_id,
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"temperature": temperature, "maxTokens": max_tokens},
    )
    return answer["output"]["message"]["content"][0]["text"].strip(), answer["ResponseMetadata"]["RequestId"]


def predicted(answer):
    """The one label the answer names (None when it names none or several)."""
    found = [label for label in labels if re.search(re.escape(label), answer, re.I)]
    return found[0] if len(found) == 1 else None


instruction = (f"Classifique o chamado de suporte em uma destas categorias: {', '.join(labels)}. "
               "Responda só com a categoria.")
examples = "\n".join(f"Chamado: {e['text']}\nCategoria: {e['label']}" for e in data["examples"])

# 1. Zero-shot (the instruction only) and few-shot (the same instruction plus labelled examples).
runs = {"zeroShot": [], "fewShot": []}
for ticket in data["test"]:
    zero = f"{instruction}\nChamado: {ticket['text']}\nCategoria:"
    few = f"{instruction}\n\n{examples}\n\nChamado: {ticket['text']}\nCategoria:"
    for mode, prompt in (("zeroShot", zero), ("fewShot", few)):
        answer, request_id = ask(prompt)
        runs[mode].append((request_id, predicted(answer) == ticket["label"]))
report = {mode: {"accuracy": round(sum(ok for _, ok in calls) / len(calls), 4),
                 "requestIds": [request_id for request_id, _ in calls]}
          for mode, calls in runs.items()}
print("accuracy:", {mode: part["accuracy"] for mode, part in report.items()})

# 2. The same call five times at temperature 0 and five times at temperature 1.
report["temperature"] = {}
for temperature in (0, 1):
    answers = [ask(SAME_PROMPT, temperature=temperature, max_tokens=60) for _ in range(5)]
    report["temperature"][str(temperature)] = {"requestIds": [request_id for _, request_id in answers],
                                               "distinctAnswers": len({text for text, _ in answers})}
print("distinct answers:", {t: part["distinctAnswers"] for t, part in report["temperature"].items()})

# 3. One image generated (priced per image), shown to a multimodal model and to a text-only one.
made = runtime.invoke_model(modelId=IMAGE_MODEL, body=json.dumps({
    "taskType": "TEXT_IMAGE",
    "textToImageParams": {"text": "Uma xícara de café sobre uma mesa de madeira, ilustração"},
    "imageGenerationConfig": {"numberOfImages": 1, "height": 512, "width": 512, "seed": 7},
}))
png = base64.b64decode(json.loads(made["body"].read())["images"][0])
(workspace / "cafe.png").write_bytes(png)
endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
with urllib.request.urlopen(endpoint + "/_gailab/bedrock/models") as response:
    per_image = {m["id"]: m["price"]["perImage"] for m in json.load(response)["models"]}

picture = [{"text": "Descreva esta imagem em uma frase."}, {"image": {"format": "png", "source": {"bytes": png}}}]
seen = runtime.converse(modelId=MULTIMODAL_MODEL, messages=[{"role": "user", "content": picture}])
try:
    runtime.converse(modelId=TEXT_MODEL, messages=[{"role": "user", "content": picture}])
    refusal = None
except ClientError as exc:
    refusal = exc.response["Error"]["Code"]
    print("text-only model:", exc.response["Error"]["Message"])
report["images"] = {
    "generatedRequestId": made["ResponseMetadata"]["RequestId"],
    "imageCostUsd": per_image[IMAGE_MODEL] * 1,
    "multimodalRequestId": seen["ResponseMetadata"]["RequestId"],
    "textOnlyModelId": TEXT_MODEL,
    "textOnlyError": refusal,
}

(workspace / "reports").mkdir(parents=True, exist_ok=True)
(workspace / "reports" / "concepts.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
print("report: reports/concepts.json")

# 4. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
