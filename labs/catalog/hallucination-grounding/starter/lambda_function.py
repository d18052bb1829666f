"""genai-rag — your handler for the lab hallucination-grounding (RAG by hand).
   genai-rag — o seu handler para o lab hallucination-grounding (RAG feito à mão).

Invoked with {"question": "..."}, it answers {"answer": "...", "sources": ["docs/...", ...]}. Press Ctrl+D in the
app to deploy it (or run: gailab lab deploy hallucination-grounding).
Invocado com {"question": "..."}, responde {"answer": "...", "sources": ["docs/...", ...]}. Aperte Ctrl+D no app
para implantá-lo.
"""

import json
import math
import os

import boto3

BUCKET, PREFIX = "genai-outputs", "docs/"
TOP_K = 3

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")
_index = []  # [(key, chunk text, vector)]: built once per execution environment / montado uma vez por ambiente


def embed(text):
    """The text's vector from os.environ["EMBED_MODEL_ID"] (Titan Text Embeddings V2).
       O vetor do texto, gerado pelo modelo de os.environ["EMBED_MODEL_ID"]."""
    answer = bedrock.invoke_model(modelId=os.environ["EMBED_MODEL_ID"],
                                  body=json.dumps({"inputText": text, "dimensions": 512, "normalize": True}))
    return json.loads(answer["body"].read())["embedding"]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


def index():
    # TODO 1: if _index is empty, read every object under PREFIX (s3.list_objects_v2, s3.get_object), cut each text
    #         into chunks (e.g. 60 words with an overlap of 10) and append (key, chunk, embed(chunk)) to _index.
    #         se _index estiver vazio, leia cada objeto em PREFIX, corte cada texto em fragmentos (por exemplo, 60
    #         palavras com sobreposição de 10) e acrescente (chave, fragmento, embed(fragmento)) a _index.
    return _index


def lambda_handler(event, context):
    question = event["question"]
    # TODO 2: embed the question and keep the TOP_K chunks of index() most similar to it (cosine), best first.
    #         gere o embedding da pergunta e fique com os TOP_K fragmentos de index() mais parecidos (cosseno),
    #         o melhor primeiro.

    # TODO 3: call os.environ["MODEL_ID"] with bedrock.converse: the passages, the question, and the rule "answer
    #         only from the passages; if they do not hold the answer, answer exactly: não sei".
    #         chame os.environ["MODEL_ID"] com bedrock.converse: os trechos, a pergunta e a regra "responda só com
    #         os trechos; se eles não tiverem a resposta, responda exatamente: não sei".

    # TODO 4: return the model's text and the keys of the chunks used, best first, without repeats.
    #         devolva o texto do modelo e as chaves dos fragmentos usados, o melhor primeiro, sem repetição.
    return {"answer": "TODO", "sources": []}
