"""genai-rag: answers a question about Lumina Tecnologia from its documents in s3://genai-outputs/docs/ (RAG by
hand). Invoke it with {"question": "..."}; it answers {"answer": "...", "sources": ["docs/...", ...]}.

On a cold start it reads every document, cuts it into chunks and embeds each chunk with Titan Text Embeddings; each
question is embedded the same way, the 3 chunks nearest by cosine similarity become the context, and the model is
told to answer from them only, or to say it does not know."""

import json
import math
import os

import boto3

BUCKET, PREFIX = "genai-outputs", "docs/"
TOP_K = 3
CHUNK_WORDS, OVERLAP_WORDS = 60, 10

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")
_index = []  # [(key, chunk text, vector)], built once per execution environment


def embed(text):
    answer = bedrock.invoke_model(modelId=os.environ["EMBED_MODEL_ID"],
                                  body=json.dumps({"inputText": text, "dimensions": 512, "normalize": True}))
    return json.loads(answer["body"].read())["embedding"]


def chunks(text):
    words = text.split()
    step = CHUNK_WORDS - OVERLAP_WORDS
    for start in range(0, max(len(words) - OVERLAP_WORDS, 1), step):
        yield " ".join(words[start:start + CHUNK_WORDS])


def index():
    if not _index:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
            for item in page.get("Contents", []):
                text = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode("utf-8")
                _index.extend((item["Key"], chunk, embed(chunk)) for chunk in chunks(text))
    return _index


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


def lambda_handler(event, context):
    question = event["question"]
    query = embed(question)
    ranked = sorted(index(), key=lambda item: cosine(query, item[2]), reverse=True)[:TOP_K]
    passages = "\n".join(f"[{i}] ({key}) {text}" for i, (key, text, _) in enumerate(ranked, start=1))
    prompt = ("Responda à pergunta usando somente os trechos abaixo. Se os trechos não contiverem a resposta, "
              "responda exatamente \"não sei\".\n\n"
              f"<trechos>\n{passages}\n</trechos>\n\nPergunta: {question}")
    reply = bedrock.converse(modelId=os.environ["MODEL_ID"],
                             messages=[{"role": "user", "content": [{"text": prompt}]}],
                             inferenceConfig={"temperature": 0, "maxTokens": 300})
    sources = list(dict.fromkeys(key for key, _, _ in ranked))
    return {"answer": reply["output"]["message"]["content"][0]["text"], "sources": sources}
