"""Bench the simulated Bedrock: InvokeModel p50 (Claude messages, ~200 output tokens, latency off) against
S3 GetObject p50 on the same server (goal: at most 1.5x), and InvokeModel throughput with 8 client threads
(goal: at least 300 requests/s); then the embedding engine's quality on the labelled evaluation set in
tests/bedrock_eval.py (mean cosine of paraphrases, unrelated pairs, translations and negations; question ->
document retrieval top-1; few-shot vs zero-shot accuracy on custom-label tickets) and embeddings per second
(through InvokeModel, and in process). The cloud runs in a child process, as `gailab serve` does.

    .venv/bin/python bench/bench_bedrock.py [--requests 300] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

from gailab.simulator.core.process import CloudProcess

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
BODY = json.dumps({
    "anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "temperature": 0.2,
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Explain in detail what Amazon Bedrock is, how it is priced and when to use SageMaker instead."}]}],
})


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=16))


def p50(fn, n: int) -> float:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        cloud = CloudProcess(home, port=0).start()
        try:
            s3, rt = client("s3", cloud.endpoint), client("bedrock-runtime", cloud.endpoint)
            s3.create_bucket(Bucket="bench")
            s3.put_object(Bucket="bench", Key="prompt.txt", Body=b"x" * 1024)
            out = json.loads(rt.invoke_model(modelId=MODEL, body=BODY)["body"].read())
            print(f"InvokeModel output tokens: {out['usage']['output_tokens']} (stop_reason {out['stop_reason']})")
            get_ms = p50(lambda: s3.get_object(Bucket="bench", Key="prompt.txt")["Body"].read(), args.requests)
            invoke_ms = p50(lambda: rt.invoke_model(modelId=MODEL, body=BODY)["body"].read(), args.requests)
            print(f"S3 GetObject p50:  {get_ms:.2f} ms")
            print(f"InvokeModel p50:   {invoke_ms:.2f} ms  ({invoke_ms / get_ms:.2f}x GetObject; goal <= 1.5x)")

            def throughput(call) -> float:
                done = [0] * 8
                stop = threading.Event()

                def worker(i: int) -> None:
                    fn = call()
                    fn()
                    while not stop.is_set():
                        fn()
                        done[i] += 1

                threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
                for t in threads:
                    t.start()
                time.sleep(0.5)
                start_count, started = sum(done), time.perf_counter()
                time.sleep(args.seconds)
                count, elapsed = sum(done) - start_count, time.perf_counter() - started
                stop.set()
                for t in threads:
                    t.join()
                return count / elapsed

            def invoke_call():
                c = client("bedrock-runtime", cloud.endpoint)
                return lambda: c.invoke_model(modelId=MODEL, body=BODY)["body"].read()

            def get_call():
                c = client("s3", cloud.endpoint)
                return lambda: c.get_object(Bucket="bench", Key="prompt.txt")["Body"].read()

            print(f"InvokeModel throughput, 8 threads: {throughput(invoke_call):.0f} requests/s (goal >= 300)")
            print(f"S3 GetObject throughput, 8 threads (reference): {throughput(get_call):.0f} requests/s")
            meaning(rt)
            done_when(cloud.endpoint, rt, client("bedrock", cloud.endpoint))
        finally:
            cloud.stop()


def meaning(rt) -> None:
    """Embedding quality and speed, few-shot vs zero-shot, on the tests' labelled evaluation set."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import bedrock_eval as E

    from gailab.simulator.bedrock import embeddings

    def embed(text: str) -> list[float]:
        body = json.dumps({"inputText": text, "dimensions": 512})
        return json.loads(rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)["body"].read())["embedding"]

    def cos(a, b):
        return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    print("Embedding quality (Titan Text Embeddings V2, 512 dimensions; tests/bedrock_eval.py):")
    for name, pairs in (("paraphrases (no shared content word)", E.PARAPHRASES), ("unrelated pairs", E.UNRELATED),
                        ("pt-BR / en translations", E.TRANSLATIONS), ("sentence / its negation", E.NEGATIONS)):
        values = [cos(embed(a), embed(b)) for a, b in pairs]
        print(f"  mean cosine, {name:38s} {statistics.mean(values):.3f}  (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})")
    documents = {key: embed(text) for key, text in E.DOCUMENTS.items()}
    hits = sum(max(documents, key=lambda k: cos(embed(q), documents[k])) == want for q, want in E.RETRIEVAL)
    print(f"  question -> document retrieval, top-1: {hits}/{len(E.RETRIEVAL)} ({100 * hits / len(E.RETRIEVAL):.0f}%)")

    def ask(text: str) -> str:
        r = rt.converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": text}]}], inferenceConfig={"temperature": 0})
        return r["output"]["message"]["content"][0]["text"].strip()

    shots = "\n".join(f'Ticket: "{t}" -> {label}' for t, label in E.TICKET_EXAMPLES)
    zero = sum(ask(f"Classifique o ticket em uma destas categorias: {', '.join(E.TICKET_LABELS)}.\nTicket: \"{t}\"") == label for t, label in E.TICKETS)
    few = sum(ask(f"Classifique os tickets de suporte.\n{shots}\nTicket: \"{t}\" ->") == label for t, label in E.TICKETS)
    print(f"Custom-label tickets (pt-BR, {len(E.TICKETS)}): zero-shot accuracy {zero}/{len(E.TICKETS)}, "
          f"few-shot ({len(E.TICKET_EXAMPLES)} examples) {few}/{len(E.TICKETS)}")
    texts = [f"Cliente {i} diz que a entrega do pedido {i * 7} atrasou e quer o reembolso do pagamento." for i in range(300)]
    started = time.perf_counter()
    for text in texts:
        embed(text)
    print(f"Embeddings per second through InvokeModel (1 thread, 512 dims): {len(texts) / (time.perf_counter() - started):.0f}")
    fresh = [t + " (in process)" for t in texts]
    started = time.perf_counter()
    for text in fresh:
        embeddings.embed(text, 1024)
    print(f"Embeddings per second in process (engine.embed, 1024 dims): {len(fresh) / (time.perf_counter() - started):.0f}")


def done_when(endpoint: str, rt, br) -> None:
    """The rest of issue 9's measurable points: exam terms, variety, grounding/relevance, tokens per family,
    reasoning within maxTokens, and the error shapes of bad input."""
    import urllib.request

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_bedrock_knowledge import TERMS  # the exam terms and their defining words (en, pt-BR)

    def last() -> dict:
        with urllib.request.urlopen(endpoint + "/_gailab/bedrock/invocations") as response:
            return json.load(response)["invocations"][-1]

    def ask(text: str, model: str = "amazon.nova-micro-v1:0", **config) -> str:
        r = rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}], inferenceConfig=config)
        return r["output"]["message"]["content"][0]["text"]

    answered = sum(all(w.lower() in ask(q, temperature=0).lower() for w in words)
                   for en_q, en_w, pt_q, pt_w in TERMS.values() for q, words in ((en_q, en_w), (pt_q, pt_w)))
    print(f"Exam terms answered with their defining words (Nova Micro, en + pt-BR): {answered}/{2 * len(TERMS)}")
    question = "Explain what a foundation model is."
    for temperature in (0.0, 0.5, 1.0):
        distinct = len({ask(question, "amazon.nova-lite-v1:0", temperature=temperature) for _ in range(5)})
        print(f"Distinct answers in 5 identical calls at temperature {temperature}: {distinct}")
    context = ("Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt. "
               "Shipping is free for orders above 200 reais.")
    g = br.create_guardrail(name="bench-grounding", blockedInputMessaging="no", blockedOutputsMessaging="no",
                            contextualGroundingPolicyConfig={"filtersConfig": [{"type": "GROUNDING", "threshold": 0.6},
                                                                               {"type": "RELEVANCE", "threshold": 0.5}]})
    print("Contextual grounding check (question 'Is shipping free?'):")
    for label, answer in (("grounded and relevant", "Yes, shipping is free for orders above 200 reais."),
                          ("grounded, not relevant", "Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt."),
                          ("relevant, not grounded", "Yes, shipping is always free, and express delivery arrives the next morning by drone.")):
        out = rt.apply_guardrail(guardrailIdentifier=g["guardrailId"], guardrailVersion="DRAFT", source="OUTPUT", content=[
            {"text": {"text": context, "qualifiers": ["grounding_source"]}},
            {"text": {"text": "Is shipping free?", "qualifiers": ["query"]}}, {"text": {"text": answer}}])
        scores = {f["type"]: f["score"] for f in out["assessments"][0]["contextualGroundingPolicy"]["filters"]}
        print(f"  {label:24s} grounding {scores['GROUNDING']:.2f}  relevance {scores['RELEVANCE']:.2f}  "
              f"ledger grounded={last()['grounded']}")
    text_en = "Generative AI models predict the next token from the context window."
    text_pt = "Modelos de IA generativa preveem o próximo token a partir da janela de contexto."
    families = {"claude": "anthropic.claude-3-haiku-20240307-v1:0", "llama": "meta.llama3-1-8b-instruct-v1:0",
                "titan": "amazon.titan-text-express-v1", "mistral": "mistral.mistral-7b-instruct-v0:2",
                "nova": "amazon.nova-micro-v1:0"}

    def count(model: str, text: str) -> int:
        return rt.count_tokens(modelId=model, input={"converse": {"messages": [
            {"role": "user", "content": [{"text": text}]}]}})["inputTokens"]

    print("Input tokens of the same sentence per family (en / pt-BR): " + ", ".join(
        f"{family} {count(model, text_en)}/{count(model, text_pt)}" for family, model in families.items()))
    prompt = "<｜begin▁of▁sentence｜><｜User｜>What is retrieval-augmented generation?<｜Assistant｜><think>\n"
    cells = []
    for limit in (400, 60, 10):
        rt.invoke_model(modelId="us.deepseek.r1-v1:0", body=json.dumps({"prompt": prompt, "max_tokens": limit}))
        record = last()
        cells.append(f"max {limit}: {record['outputTokens']} out ({record['reasoningTokens']} reasoning)")
    print("DeepSeek-R1 reasoning + answer within max_tokens: " + "; ".join(cells))
    from botocore.exceptions import ClientError

    print("Bad input:")
    for label, call in (
            ("unknown model", lambda: rt.invoke_model(modelId="anthropic.claude-9", body=b"{}")),
            ("wrong body for the family", lambda: rt.invoke_model(modelId="amazon.titan-text-express-v1",
                                                                  body=json.dumps({"messages": []}))),
            ("too many tokens", lambda: rt.invoke_model(modelId="amazon.titan-text-express-v1", body=json.dumps(
                {"inputText": "word " * 9000, "textGenerationConfig": {"maxTokenCount": 100}})))):
        try:
            call()
            print(f"  {label}: no error")
        except ClientError as exc:
            error = exc.response["Error"]
            print(f"  {label}: {exc.response['ResponseMetadata']['HTTPStatusCode']} {error['Code']}: {error['Message'][:110]}")


if __name__ == "__main__":
    main()
