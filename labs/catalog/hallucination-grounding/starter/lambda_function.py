"""
[en] genai-rag — your handler for the lab hallucination-grounding (RAG by hand).
[pt-BR] genai-rag — o seu handler para o lab hallucination-grounding (RAG feito à mão).

[en] Invoked with {"question": "..."}, it answers {"answer": "...", "sources": ["docs/...", ...]}. Press Ctrl+D in the
[en] app to deploy it (or run: gailab lab deploy hallucination-grounding).
[pt-BR] Invocado com {"question": "..."}, ele responde {"answer": "...", "sources": ["docs/...", ...]}. Aperte Ctrl+D
[pt-BR] no app para implantá-lo (ou rode: gailab lab deploy hallucination-grounding).
"""

import json
import math
import os

import boto3

BUCKET, PREFIX = "genai-outputs", "docs/"
TOP_K = 3

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")
# [en] [(key, chunk text, vector)]: built once per execution environment.
# [pt-BR] [(chave, texto do fragmento, vetor)]: montado uma vez por ambiente de execução.
_index = []


def embed(text):
    """
    [en] The text's vector from os.environ["EMBED_MODEL_ID"] (Titan Text Embeddings V2).
    [pt-BR] O vetor do texto, gerado pelo modelo de os.environ["EMBED_MODEL_ID"] (Titan Text Embeddings V2).
    """
    answer = bedrock.invoke_model(modelId=os.environ["EMBED_MODEL_ID"],
                                  body=json.dumps({"inputText": text, "dimensions": 512, "normalize": True}))
    return json.loads(answer["body"].read())["embedding"]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


def index():
    # [en] TODO 1: if _index is empty, read every object under PREFIX (s3.list_objects_v2, s3.get_object), cut each
    # [en]         text into chunks (e.g. 60 words with an overlap of 10) and append (key, chunk, embed(chunk)) to _index.
    # [pt-BR] TODO 1: se _index estiver vazio, leia cada objeto em PREFIX (s3.list_objects_v2, s3.get_object), corte
    # [pt-BR]         cada texto em fragmentos (por exemplo, 60 palavras com sobreposição de 10) e acrescente
    # [pt-BR]         (chave, fragmento, embed(fragmento)) a _index.
    return _index


def lambda_handler(event, context):
    question = event["question"]
    # [en] TODO 2: embed the question and keep the TOP_K chunks of index() most similar to it (cosine), best first.
    # [pt-BR] TODO 2: gere o embedding da pergunta e fique com os TOP_K fragmentos de index() mais parecidos com ela
    # [pt-BR]         (cosseno), o melhor primeiro.

    # [en] TODO 3: call os.environ["MODEL_ID"] with bedrock.converse: the passages, the question, and the rule
    # [en]         "answer only from the passages; if they do not hold the answer, answer exactly: não sei".
    # [pt-BR] TODO 3: chame os.environ["MODEL_ID"] com bedrock.converse: os trechos, a pergunta e a regra "responda só
    # [pt-BR]         com os trechos; se eles não tiverem a resposta, responda exatamente: não sei".

    # [en] TODO 4: return the model's text and the keys of the chunks used, best first, without repeats.
    # [pt-BR] TODO 4: devolva o texto do modelo e as chaves dos fragmentos usados, o melhor primeiro, sem repetição.
    return {"answer": "TODO", "sources": []}
