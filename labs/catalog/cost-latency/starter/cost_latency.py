"""
[en] Your script for the lab cost-latency. Fill in each TODO, then run:
[pt-BR] Seu script para o lab cost-latency. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python cost_latency.py
    gailab grade cost-latency
"""

import json
import statistics
import urllib.request
import os

import boto3

REGION = "us-east-1"
MODELS = ["global.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.titan-text-premier-v1:0",
          "meta.llama3-1-70b-instruct-v1:0"]
# [en] The chatbot's p50 latency budget:
# [pt-BR] O orçamento de latência p50 do chatbot:
BUDGET_MS = 1700
NIGHTLY_DOCUMENTS = 10_000

runtime = boto3.client("bedrock-runtime", region_name=REGION)
bedrock = boto3.client("bedrock", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)
prompts = json.load(open("workload.json", encoding="utf-8"))["prompts"]
# [en] The catalog, with prices per 1,000 tokens:
# [pt-BR] O catálogo, com os preços por 1.000 tokens:
with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/_gailab/bedrock/models") as answer:
    catalog = {m["id"]: m for m in json.load(answer)["models"]}

# [en] TODO 1: for each model, send every prompt with runtime.converse (inferenceConfig temperature 0, maxTokens 500)
# [en]         and keep each call's request id, metrics.latencyMs and usage.
# [pt-BR] TODO 1: para cada modelo, envie cada prompt com runtime.converse (inferenceConfig temperature 0, maxTokens
# [pt-BR]         500) e guarde o ID da requisição, o metrics.latencyMs e o usage de cada chamada.

# [en] TODO 2: per model: p50 latency (statistics.median), input and output token sums, cost in USD.
# [pt-BR] TODO 2: por modelo: latência p50 (statistics.median), somas de tokens de entrada e de saída, custo em USD.

# [en] TODO 3: chatbot = the cheapest model whose p50 is under BUDGET_MS.
# [pt-BR] TODO 3: chatbot = o modelo mais barato cujo p50 está abaixo de BUDGET_MS.

# [en] TODO 4: nightly = a batch inference job over nightly_docs.json (see the instructions), then its figures.
# [pt-BR] TODO 4: nightly = um job de inferência em lote sobre o nightly_docs.json (veja as instruções) e os números
# [pt-BR]         dele.

# [en] TODO 5: provisionedBreakEven = hourly price of 1 model unit / cost of one request, for the chatbot's model.
# [pt-BR] TODO 5: provisionedBreakEven = preço por hora de 1 unidade de modelo / custo de uma requisição, no modelo do
# [pt-BR]         chatbot.

# [en] TODO 6: write {"models": [...], "chatbot": ..., "nightly": {...}, "provisionedBreakEven": {...}} to
# [pt-BR] TODO 6: grave {"models": [...], "chatbot": ..., "nightly": {...}, "provisionedBreakEven": {...}} em
#         s3://genai-outputs/reports/cost-latency.json
