"""Meaning, not keywords: embeddings put paraphrases and translations together (on a labelled evaluation set), and
grounding is measured as Bedrock Guardrails measure it — a grounding score and a relevance score, separately."""

from __future__ import annotations

import json
import math
import statistics

from bedrock_calls import ledger
from bedrock_eval import DOCUMENTS, NEGATIONS, PARAPHRASES, RETRIEVAL, TRANSLATIONS, UNRELATED

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))



def test_embeddings_carry_meaning_on_the_evaluation_set(cloud, aws):
    rt = aws("bedrock-runtime")
    cache: dict[str, list[float]] = {}

    def embed(text):
        if text not in cache:
            body = json.dumps({"inputText": text, "dimensions": 512})
            cache[text] = json.loads(rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)["body"].read())["embedding"]
        return cache[text]

    def mean(pairs):
        return statistics.mean(cosine(embed(a), embed(b)) for a, b in pairs)

    paraphrase, unrelated, translation, negation = mean(PARAPHRASES), mean(UNRELATED), mean(TRANSLATIONS), mean(NEGATIONS)
    assert paraphrase >= 0.6 and unrelated <= 0.1 and paraphrase - unrelated >= 0.5, (paraphrase, unrelated)
    assert translation >= 0.6 and min(cosine(embed(a), embed(b)) for a, b in TRANSLATIONS) >= 0.35
    assert 0.6 <= negation < 0.95 and all(cosine(embed(a), embed(b)) < 0.99 for a, b in NEGATIONS)
    documents = {key: embed(text) for key, text in DOCUMENTS.items()}
    hits = sum(max(documents, key=lambda k: cosine(embed(q), documents[k])) == want for q, want in RETRIEVAL)
    assert hits == len(RETRIEVAL)
    # The course's own example: the vacation policy comes first, not the home-office document.
    question = embed("Quantos dias de férias eu tenho?")
    assert cosine(question, documents["ferias"]) > cosine(question, documents["home-office"]) + 0.2


def test_every_embedding_model_uses_the_same_meaning(cloud, aws):
    rt = aws("bedrock-runtime")

    def titan(model, text, **extra):
        out = json.loads(rt.invoke_model(modelId=model, body=json.dumps({"inputText": text, **extra}))["body"].read())
        return out["embedding"]

    def cohere(model, text, kind):
        body = json.dumps({"texts": [text], "input_type": kind})
        return json.loads(rt.invoke_model(modelId=model, body=body)["body"].read())["embeddings"][0]

    query, doc = "Can I get my money back?", "We refund any purchase within 30 days."
    for vectors in ((titan("amazon.titan-embed-text-v1", query), titan("amazon.titan-embed-text-v1", doc)),
                    (titan("amazon.titan-embed-image-v1", query), titan("amazon.titan-embed-image-v1", doc)),
                    (cohere("cohere.embed-multilingual-v3", query, "search_query"), cohere("cohere.embed-multilingual-v3", doc, "search_document"))):
        related = cosine(*vectors)
        assert related > 0.4, related
    unrelated = cosine(titan("amazon.titan-embed-text-v1", query), titan("amazon.titan-embed-text-v1", "The app crashes on start."))
    assert unrelated < 0.15


CONTEXT = ("Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt. "
           "Shipping is free for orders above 200 reais.")


def test_a_context_without_the_answer_gets_i_dont_know_not_a_quoted_neighbour(cloud, aws):
    rt = aws("bedrock-runtime")

    def answer(question):
        r = rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": f"Context: {CONTEXT}\nQuestion: {question}"}]}],
                        inferenceConfig={"temperature": 0})
        return r["output"]["message"]["content"][0]["text"], ledger(cloud)[-1]

    text, record = answer("Who founded Zentrix Corp?")  # shares "Zentrix Corp" with a sentence that does not answer it
    assert text == "The provided context does not contain the answer to this question, so I don't know."
    assert record["task"] == "context-decline" and record["grounded"] is True and record["relevanceScore"] < 0.3
    text, record = answer("How long do I have to ask for my money back?")  # no shared content word with the answer
    assert text == 'According to the provided context: "Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt."'
    assert record["groundingScore"] == 1.0 and record["relevanceScore"] >= 0.5 and record["grounded"] is True


def test_contextual_grounding_check_scores_grounding_and_relevance_separately(cloud, aws):
    br, rt = aws("bedrock"), aws("bedrock-runtime")
    g = br.create_guardrail(name="grounding", blockedInputMessaging="no", blockedOutputsMessaging="Sorry, I can't answer that reliably.",
                            contextualGroundingPolicyConfig={"filtersConfig": [{"type": "GROUNDING", "threshold": 0.6},
                                                                               {"type": "RELEVANCE", "threshold": 0.5}]})
    query = "Is shipping free?"

    def check(answer):
        out = rt.apply_guardrail(guardrailIdentifier=g["guardrailId"], guardrailVersion="DRAFT", source="OUTPUT", content=[
            {"text": {"text": CONTEXT, "qualifiers": ["grounding_source"]}},
            {"text": {"text": query, "qualifiers": ["query"]}}, {"text": {"text": answer}}])
        filters = {f["type"]: f for f in out["assessments"][0]["contextualGroundingPolicy"]["filters"]}
        return filters["GROUNDING"], filters["RELEVANCE"], ledger(cloud)[-1]

    grounding, relevance, record = check("Yes, shipping is free for orders above 200 reais.")
    assert not grounding["detected"] and not relevance["detected"] and record["grounded"] is True
    # True to the source but not an answer to the question: grounded, not relevant.
    grounding, relevance, record = check("Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt.")
    assert grounding["score"] >= 0.9 and relevance["score"] < 0.5 and relevance["detected"] and not grounding["detected"]
    assert record["groundingScore"] == grounding["score"] and record["relevanceScore"] == relevance["score"]
    assert record["grounded"] is False  # the ledger's verdict uses both scores
    # An answer to the question that the source does not support: relevant, not grounded.
    grounding, relevance, record = check("Yes, shipping is always free, and express delivery arrives the next morning by drone.")
    assert grounding["score"] < 0.6 and grounding["detected"] and relevance["score"] >= 0.5 and record["grounded"] is False
