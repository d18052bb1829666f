"""Your script for the lab cost-latency. Fill in each TODO, then run:
   Seu script para o lab cost-latency. Complete cada TODO e rode:

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
BUDGET_MS = 1700          # the chatbot's p50 latency budget / o orçamento de latência p50 do chatbot
NIGHTLY_DOCUMENTS = 10_000

runtime = boto3.client("bedrock-runtime", region_name=REGION)
bedrock = boto3.client("bedrock", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)
prompts = json.load(open("workload.json", encoding="utf-8"))["prompts"]
with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/_gailab/bedrock/models") as answer:
    catalog = {m["id"]: m for m in json.load(answer)["models"]}   # prices per 1,000 tokens / preços por 1.000 tokens

# TODO 1: for each model, send every prompt with runtime.converse (inferenceConfig temperature 0, maxTokens 500)
#         and keep each call's request id, metrics.latencyMs and usage.
#         para cada modelo, envie cada prompt com runtime.converse (inferenceConfig temperature 0, maxTokens 500)
#         e guarde o request id, o metrics.latencyMs e o usage de cada chamada.

# TODO 2: per model: p50 latency (statistics.median), input and output token sums, cost in USD.
#         por modelo: latência p50 (statistics.median), somas de tokens de entrada e de saída, custo em USD.

# TODO 3: chatbot = the cheapest model whose p50 is under BUDGET_MS.
#         chatbot = o modelo mais barato cujo p50 está abaixo de BUDGET_MS.

# TODO 4: nightly = a batch inference job over nightly_docs.json (see the instructions), then its figures.
#         nightly = um job de inferência em lote sobre o nightly_docs.json (veja as instruções) e os números dele.

# TODO 5: provisionedBreakEven = hourly price of 1 model unit / cost of one request, for the chatbot's model.
#         provisionedBreakEven = preço por hora de 1 unidade de modelo / custo de uma requisição, no modelo do chatbot.

# TODO 6: write {"models": [...], "chatbot": ..., "nightly": {...}, "provisionedBreakEven": {...}} to
#         s3://genai-outputs/reports/cost-latency.json
