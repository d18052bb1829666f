"""The simulated Bedrock runtime with real boto3: determinism, grounding, embeddings, tokens, tools, errors."""

from __future__ import annotations

import base64
import json
import math
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError
from gailab.simulator.testing import admin_request

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def claude_body(text, **extra):
    return json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": extra.pop("max_tokens", 300),
                       "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}], **extra})


def ledger(cloud, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations?{qs}") as r:
        return json.loads(r.read())["invocations"]


def converse_text(rt, model, text, **kw):
    r = rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}], **kw)
    return r, r["output"]["message"]["content"][0]["text"]


def test_warm_requests_vary_cold_ones_repeat_and_seeds_pin_the_wording(cloud, aws):
    rt = aws("bedrock-runtime")

    def claude(temperature, **extra):
        body = claude_body("Explain what a foundation model is.", temperature=temperature, **extra)
        return json.loads(rt.invoke_model(modelId=CLAUDE, body=body)["body"].read())["content"][0]["text"]

    assert len({claude(1.0) for _ in range(5)}) >= 3
    assert len({claude(0.0) for _ in range(5)}) == 1
    assert len({claude(1.0, top_p=0.01) for _ in range(5)}) == 1  # a tiny top-p leaves one wording
    records = ledger(cloud)
    assert len({r["seed"] for r in records}) == 15 and all(r["parameters"]["seed"] == r["seed"] for r in records)
    # Cohere has a seed field: two seeds, two wordings; the same seed, the same wording.
    def cohere(seed):
        native = {"message": "Explain in detail what generative AI and foundation models are.", "temperature": 0.9, "seed": seed}
        return json.loads(rt.invoke_model(modelId="cohere.command-r-v1:0", body=json.dumps(native))["body"].read())["text"]
    assert cohere(1) != cohere(2)
    assert cohere(1) == cohere(1)
    # Temperature 0 always uses the first wording, whatever the seed.
    cold = {"message": "What is Amazon Bedrock?", "temperature": 0}
    texts = {json.loads(rt.invoke_model(modelId="cohere.command-r-v1:0", body=json.dumps(dict(cold, seed=s)))["body"].read())["text"] for s in (1, 2, 3)}
    assert len(texts) == 1


def test_grounded_answer_from_context_and_hallucination_without_it(cloud, aws):
    rt = aws("bedrock-runtime")
    context = ("Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt. "
               "Shipping is free for orders above 200 reais.")
    question = "What is the refund policy of Zentrix Corp?"
    _, grounded = converse_text(rt, CLAUDE, f"Context: {context}\nQuestion: {question}")
    assert '"Zentrix Corp refunds purchases within 30 days if the customer keeps the receipt."' in grounded
    _, invented = converse_text(rt, CLAUDE, question, inferenceConfig={"temperature": 0})
    assert "Zentrix" in invented and "receipt" not in invented  # invented, not taken from the policy
    records = ledger(cloud)
    assert [r["grounded"] for r in records] == [True, False]

    # A guardrail with a contextual grounding check lets the first through and stops the second.
    br = aws("bedrock")
    g = br.create_guardrail(name="grounding", blockedInputMessaging="blocked", blockedOutputsMessaging="Sorry, I can't answer that reliably.",
                            contextualGroundingPolicyConfig={"filtersConfig": [{"type": "GROUNDING", "threshold": 0.6}, {"type": "RELEVANCE", "threshold": 0.5}]})
    def check(answer):
        return rt.apply_guardrail(guardrailIdentifier=g["guardrailId"], guardrailVersion="DRAFT", source="OUTPUT", content=[
            {"text": {"text": context, "qualifiers": ["grounding_source"]}},
            {"text": {"text": question, "qualifiers": ["query"]}},
            {"text": {"text": answer}}])
    assert check(grounded)["action"] == "NONE"
    caught = check(invented)
    assert caught["action"] == "GUARDRAIL_INTERVENED"
    assert caught["outputs"] == [{"text": "Sorry, I can't answer that reliably."}]
    filters = caught["assessments"][0]["contextualGroundingPolicy"]["filters"]
    assert any(f["type"] == "GROUNDING" and f["detected"] and f["score"] < 0.6 for f in filters)
    assert ledger(cloud)[-1]["operation"] == "ApplyGuardrail" and ledger(cloud)[-1]["grounded"] is False

    # The same check inside Converse: the grounding source and query go in guardContent blocks; the model answers
    # from them (grounded, let through); a question with no source in its prompt gets an invented answer (stopped).
    config = {"guardrailIdentifier": g["guardrailId"], "guardrailVersion": "DRAFT", "trace": "enabled"}
    r = rt.converse(modelId=CLAUDE, guardrailConfig=config, messages=[{"role": "user", "content": [
        {"guardContent": {"text": {"text": context, "qualifiers": ["grounding_source"]}}},
        {"guardContent": {"text": {"text": question, "qualifiers": ["query"]}}}]}])
    assert r["stopReason"] == "end_turn" and "refunds purchases within 30 days" in r["output"]["message"]["content"][0]["text"]
    assert ledger(cloud)[-1]["grounded"] is True and ledger(cloud)[-1]["guardrailAction"] == "NONE"
    r = rt.converse(modelId=CLAUDE, guardrailConfig=config, system=[{"guardContent": {"text": {"text": context, "qualifiers": ["grounding_source"]}}}],
                    messages=[{"role": "user", "content": [{"text": "Who founded Zentrix Corp?"}]}])
    assert r["stopReason"] == "guardrail_intervened" and r["output"]["message"]["content"][0]["text"] == "Sorry, I can't answer that reliably."
    assert r["trace"]["guardrail"]["outputAssessments"][g["guardrailId"]][0]["contextualGroundingPolicy"]["filters"][0]["detected"] is True
    assert ledger(cloud)[-1]["guardrailAction"] == "INTERVENED"


def test_smaller_models_hallucinate_and_every_answer_is_classified(cloud, aws):
    rt = aws("bedrock-runtime")
    for model in ("amazon.nova-micro-v1:0", "amazon.nova-pro-v1:0"):
        _, text = converse_text(rt, model, "Who founded the Lumora Institute of Applied Poetry?")
        assert len(text.split()) > 10
    assert {r["grounded"] for r in ledger(cloud)} == {False}
    _, text = converse_text(rt, "amazon.nova-micro-v1:0", "O que é alucinação em IA generativa?")
    assert "alucinação" in text.lower() and ledger(cloud)[-1]["grounded"] is True
    # A loosely worded course question: the large model recognises it; the small one says it is not sure (models
    # do not invent answers about the exam's own terms — they hallucinate about names, documents and events they never saw).
    loose = "Which AWS service lets me call Claude through an API without managing GPU clusters?"
    _, large = converse_text(rt, "amazon.nova-pro-v1:0", loose)
    _, small = converse_text(rt, "amazon.nova-micro-v1:0", loose)
    assert "Bedrock" in large and "Bedrock" not in small and "not sure" in small
    assert [(r["grounded"], r["task"]) for r in ledger(cloud)[-2:]] == [(True, "knowledge"), (True, "unknown")]


def test_text_tasks_learners_try(cloud, aws):
    rt = aws("bedrock-runtime")
    _, en = converse_text(rt, CLAUDE, "Traduza para o inglês: O produto chegou quebrado e a entrega foi muito lenta.")
    assert en.startswith("The product arrived broken and the delivery was very")
    _, pt = converse_text(rt, CLAUDE, "Translate to Portuguese: The customer received the order today.")
    assert pt.startswith("O cliente recebi o pedido hoje") or "pedido" in pt and "hoje" in pt
    _, label = converse_text(rt, CLAUDE, "Classify the sentiment of this review: 'The product arrived broken and support never answered.'")
    assert label.startswith("Negative")
    few = ("Classifique o sentimento.\nFrase: Adorei o atendimento\nSentimento: positivo\nFrase: O app trava toda hora\n"
           "Sentimento: negativo\nFrase: A entrega foi rápida e o produto é excelente\nSentimento:")
    _, label = converse_text(rt, CLAUDE, few)
    assert label == "positivo"
    assert ledger(cloud)[-1]["fewShotExamples"] == 2 and ledger(cloud)[-2]["fewShotExamples"] == 0
    # Few-shot as earlier turns of the conversation.
    turns = [("Classify: 'I love this phone'", "positive"), ("Classify: 'Battery died after a day'", "negative")]
    messages = []
    for text, label in turns:
        messages += [{"role": "user", "content": [{"text": text}]}, {"role": "assistant", "content": [{"text": label}]}]
    messages.append({"role": "user", "content": [{"text": "Classify: 'Fantastic camera and fast delivery'"}]})
    r = rt.converse(modelId=CLAUDE, messages=messages)
    assert r["output"]["message"]["content"][0]["text"] == "positive" and ledger(cloud)[-1]["fewShotExamples"] == 2
    _, summary = converse_text(rt, CLAUDE, "Resuma em uma frase: O Amazon Bedrock dá acesso a foundation models por API. Ele é serverless. "
                                           "A cobrança é por token de entrada e saída. Guardrails filtram conteúdo.")
    assert "resumo" in summary.lower() and "Bedrock" in summary and summary.count(".") <= 2
    _, fields = converse_text(rt, CLAUDE, "Extract the name, email and phone from: Maria Souza (maria@example.com, +55 11 98765-4321) asked for a refund.")
    assert json.loads(fields) == {"name": "Maria Souza", "email": "maria@example.com", "phone": "+55 11 98765-4321"}
    _, fields = converse_text(rt, CLAUDE, 'Return a JSON object like {"nome": "", "cpf": "", "data": ""} for: Carlos Souza, CPF 123.456.789-09, nascido em 01/02/1990')
    assert json.loads(fields) == {"nome": "Carlos Souza", "cpf": "123.456.789-09", "data": "01/02/1990"}
    _, code = converse_text(rt, CLAUDE, "Write a Python Lambda handler that summarizes text with Bedrock using the MODEL_ID environment variable")
    source = re.search(r"```python\n(.*?)```", code, re.S).group(1)
    compile(source, "handler.py", "exec")
    assert "def lambda_handler(event, context)" in source and 'os.environ["MODEL_ID"]' in source
    _, answer = converse_text(rt, CLAUDE, 'Answer in JSON with the keys "sentiment" and "confidence": I love this course!')
    assert json.loads(answer)["sentiment"] == "Positive"
    # System prompts are honoured: language, brevity, JSON.
    r = rt.converse(modelId=CLAUDE, system=[{"text": "Responda sempre em português. Seja breve."}],
                    messages=[{"role": "user", "content": [{"text": "What is Amazon SageMaker?"}]}], inferenceConfig={"temperature": 0})
    assert r["output"]["message"]["content"][0]["text"] == "O Amazon SageMaker é o serviço da AWS para construir, treinar, ajustar e implantar seus próprios modelos de machine learning."
    r = rt.converse(modelId=CLAUDE, system=[{"text": "Answer only with JSON."}], messages=[{"role": "user", "content": [{"text": "What is a token?"}]}])
    assert "token" in json.loads(r["output"]["message"]["content"][0]["text"])["answer"]
    _, mail = converse_text(rt, CLAUDE, "Escreva um e-mail curto convidando a equipe para o treinamento de IA generativa")
    assert mail.startswith("Assunto:") and "o treinamento de IA generativa" in mail
    _, answer = converse_text(rt, CLAUDE, "Qual serviço usar para acessar modelos generativos de terceiros sem treinar?")
    assert "Bedrock" in answer and "escolha o Bedrock" in answer


def test_tokens_max_tokens_stop_sequences_and_count_tokens(cloud, aws):
    rt = aws("bedrock-runtime")
    body = claude_body("Explain Amazon Bedrock in detail.", max_tokens=20)
    r = json.loads(rt.invoke_model(modelId=CLAUDE, body=body)["body"].read())
    assert r["stop_reason"] == "max_tokens" and r["usage"]["output_tokens"] == 20
    counted = rt.count_tokens(modelId=CLAUDE, input={"invokeModel": {"body": body.encode()}})["inputTokens"]
    assert counted == r["usage"]["input_tokens"]
    messages = [{"role": "user", "content": [{"text": "What is Amazon Bedrock?"}]}]
    system = [{"text": "You are a concise tutor."}]
    c = rt.converse(modelId=CLAUDE, messages=messages, system=system, inferenceConfig={"stopSequences": ["serverless"]})
    assert c["stopReason"] == "stop_sequence" and "serverless" not in c["output"]["message"]["content"][0]["text"]
    assert rt.count_tokens(modelId=CLAUDE, input={"converse": {"messages": messages, "system": system}})["inputTokens"] == c["usage"]["inputTokens"]
    record = [r for r in ledger(cloud) if r["operation"] == "Converse"][-1]
    assert record["inputTokens"] == c["usage"]["inputTokens"] and record["system"] == "You are a concise tutor."
    counted = ledger(cloud)[-1]
    assert counted["operation"] == "CountTokens" and counted["costUsd"] == 0 and counted["inputTokens"] == c["usage"]["inputTokens"]
    assert math.isclose(record["costUsd"], (record["inputTokens"] * 0.00025 + record["outputTokens"] * 0.00125) / 1000, rel_tol=1e-6)


def test_tool_use_round_trip(cloud, aws):
    rt = aws("bedrock-runtime")
    tools = {"tools": [{"toolSpec": {"name": "get_weather", "description": "Get the current weather for a city",
                                     "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}}]}
    messages = [{"role": "user", "content": [{"text": "What is the weather in Lisbon today?"}]}]
    r = rt.converse(modelId=CLAUDE, messages=messages, toolConfig=tools)
    assert r["stopReason"] == "tool_use"
    use = next(b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b)
    assert use["name"] == "get_weather" and use["input"] == {"city": "Lisbon"}
    messages += [r["output"]["message"], {"role": "user", "content": [{"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": {"temperature_c": 21, "sky": "clear"}}]}}]}]
    final = rt.converse(modelId=CLAUDE, messages=messages, toolConfig=tools)
    assert final["stopReason"] == "end_turn" and "21" in final["output"]["message"]["content"][0]["text"]
    stream = rt.converse_stream(modelId=CLAUDE, messages=messages[:1], toolConfig=tools)
    events = list(stream["stream"])
    assert any("toolUse" in e.get("contentBlockStart", {}).get("start", {}) for e in events)
    assert events[-2]["messageStop"]["stopReason"] == "tool_use" and "usage" in events[-1]["metadata"]


def test_embeddings_rank_related_texts_higher(cloud, aws):
    rt = aws("bedrock-runtime")

    def embed(text, **extra):
        return json.loads(rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=json.dumps({"inputText": text, **extra}))["body"].read())

    def cos(a, b):
        return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    pairs = [
        ("Como o Amazon Bedrock cobra pelo uso dos modelos?", "O Bedrock cobra por tokens de entrada e de saída."),
        ("Qual é a política de reembolso da loja?", "A loja reembolsa compras em até 30 dias com a nota fiscal."),
        ("How do I encrypt an S3 bucket with KMS?", "S3 buckets can use SSE-KMS encryption with a customer managed key."),
        ("Which service exposes a REST API?", "Amazon API Gateway exposes the application as a REST API."),
    ]
    vectors = [(embed(q)["embedding"], embed(d)["embedding"]) for q, d in pairs]
    for i, (q, d) in enumerate(vectors):
        related = cos(q, d)
        for j, (_, other) in enumerate(vectors):
            if j != i:
                assert related > cos(q, other), (pairs[i][0], pairs[j][1])
    assert cos(embed("reembolso")["embedding"], embed("reembolsos")["embedding"]) > 0.5  # word pieces
    assert cos(embed("informação")["embedding"], embed("informacao")["embedding"]) > 0.99  # accents
    small = embed("hello", dimensions=256, normalize=True, embeddingTypes=["float", "binary"])
    assert len(small["embedding"]) == 256 and set(small["embeddingsByType"]["binary"]) <= {0, 1}
    assert math.isclose(sum(v * v for v in small["embedding"]), 1.0, rel_tol=1e-3)
    with pytest.raises(rt.exceptions.ValidationException, match="dimensions"):
        embed("hello", dimensions=300)


def test_error_paths(cloud, aws):
    rt = aws("bedrock-runtime")
    cases = [
        (dict(modelId="anthropic.claude-9", body=claude_body("hi")), "ValidationException", "The provided model identifier is invalid."),
        (dict(modelId=CLAUDE, body=json.dumps({"max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})), "ValidationException", "required key [anthropic_version] not found"),
        (dict(modelId=CLAUDE, body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "hi"}]})), "ValidationException", "required key [max_tokens] not found"),
        (dict(modelId=CLAUDE, body=claude_body("hi", temperature=1.5)), "ValidationException", "#/temperature: 1.5 is not less or equal to 1"),
        (dict(modelId=CLAUDE, body=claude_body("hi", max_tokens=100000)), "ValidationException", "maximum allowed number of output tokens"),
        (dict(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps({"prompt": "word " * 40000})), "ValidationException", "Input is too long for requested model."),
        (dict(modelId="amazon.titan-embed-text-v2:0", body=claude_body("hi")), "ValidationException", "required key [inputText] not found"),
        (dict(modelId="amazon.nova-canvas-v1:0", body=claude_body("hi")), "ValidationException", "required key [taskType] not found"),
        (dict(modelId=CLAUDE, body="{not json"), "ValidationException", "Malformed input request"),
        (dict(modelId="deepseek.r1-v1:0", body=json.dumps({"prompt": "hi"})), "ValidationException", "with on-demand throughput isn’t supported"),
    ]
    for kwargs, code, message in cases:
        with pytest.raises(ClientError) as caught:
            rt.invoke_model(**kwargs)
        assert caught.value.response["Error"]["Code"] == code, kwargs
        assert message in caught.value.response["Error"]["Message"], (kwargs, caught.value.response["Error"]["Message"])
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(rt.exceptions.ValidationException, match="doesn't support the model"):
        rt.converse(modelId="amazon.titan-embed-text-v2:0", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    with pytest.raises(rt.exceptions.ValidationException, match="unsupported for streaming"):
        rt.invoke_model_with_response_stream(modelId="amazon.titan-embed-text-v2:0", body=json.dumps({"inputText": "hi"}))
    with pytest.raises(rt.exceptions.ValidationException, match="doesn't support system messages"):
        rt.converse(modelId="amazon.titan-text-express-v1", system=[{"text": "Be brief."}], messages=[{"role": "user", "content": [{"text": "hi"}]}])
    with pytest.raises(rt.exceptions.ValidationException, match="doesn't support the image content block"):
        rt.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": "What is this?"}, {"image": {"format": "png", "source": {"bytes": b"png"}}}]}])
    with pytest.raises(rt.exceptions.ValidationException, match="must start with a user message"):
        rt.converse(modelId=CLAUDE, messages=[{"role": "assistant", "content": [{"text": "hi"}]}])
    with pytest.raises(rt.exceptions.ValidationException, match="exceeds the model limit of 4096"):
        rt.converse(modelId=CLAUDE, messages=[{"role": "user", "content": [{"text": "hi"}]}], inferenceConfig={"maxTokens": 5000})
    # The ARN of an inference profile resolves to its model.
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    assert rt.invoke_model(modelId=arn, body=claude_body("hi"))["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ledger(cloud)[-1]["modelId"] == CLAUDE

    # Throttling: a lab lowers the quota; the third call in the minute is refused (boto3 gets ThrottlingException).
    settings = json.dumps({"quotas": {"models": {"amazon.nova-micro-v1:0": {"requestsPerMinute": 2}}}}).encode()
    urllib.request.urlopen(admin_request(cloud.endpoint, "/_gailab/bedrock/settings", settings))
    for _ in range(2):
        converse_text(rt, "amazon.nova-micro-v1:0", "hi")
    with pytest.raises(rt.exceptions.ThrottlingException, match="Too many requests, please wait before trying again."):
        converse_text(rt, "amazon.nova-micro-v1:0", "hi")
    assert converse_text(rt, "amazon.nova-lite-v1:0", "hi")[0]["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_use_case_form_gate_and_latency_setting(cloud, aws):
    def post(payload):
        req = admin_request(cloud.endpoint, "/_gailab/bedrock/settings", json.dumps(payload).encode())
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())

    assert post({"useCaseRequired": True})["useCaseRequired"] is True
    rt, br = aws("bedrock-runtime"), aws("bedrock")
    with pytest.raises(rt.exceptions.AccessDeniedException, match="use case details have not been submitted"):
        rt.invoke_model(modelId=CLAUDE, body=claude_body("hi"))
    assert br.get_foundation_model_availability(modelId=CLAUDE)["authorizationStatus"] == "NOT_AUTHORIZED"
    assert converse_text(rt, "amazon.nova-micro-v1:0", "hi")[1]  # other providers are not gated
    br.put_use_case_for_model_access(formData=base64.b64encode(b'{"companyName": "gailab"}'))
    assert rt.invoke_model(modelId=CLAUDE, body=claude_body("hi"))["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert br.get_foundation_model_availability(modelId=CLAUDE)["authorizationStatus"] == "AUTHORIZED"

    assert post({"latency": "realistic"})["latency"] == "realistic"
    import time
    started = time.perf_counter()
    r, _ = converse_text(rt, "amazon.nova-micro-v1:0", "What is Amazon Bedrock?")
    assert time.perf_counter() - started >= r["metrics"]["latencyMs"] / 1000 * 0.95
    assert r["metrics"]["latencyMs"] >= 250
    with pytest.raises(urllib.error.HTTPError) as bad:
        post({"latency": "sometimes"})
    assert bad.value.code == 400
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/models") as resp:
        models = {m["id"]: m for m in json.loads(resp.read())["models"]}
    assert models[CLAUDE]["price"]["inputPer1K"] == 0.00025 and models[CLAUDE]["latency"]["timeToFirstTokenMs"] > 0


def test_malformed_raw_requests_get_aws_shaped_400s(cloud):
    """Bodies boto3 would refuse to send still reach the local cloud from curl or hand-written clients."""
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=x",
               "Content-Type": "application/json"}
    cases = [
        ("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", b"null"),
        ("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10,
                                                                               "messages": [{"role": "user", "content": "hi"}], "tools": "x"}).encode()),
        ("/model/amazon.titan-text-express-v1/invoke", json.dumps({"inputText": "x", "textGenerationConfig": "y"}).encode()),
        ("/model/amazon.nova-lite-v1%3A0/converse", json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": {"temperature": "hot"}}).encode()),
        ("/model/amazon.nova-canvas-v1%3A0/invoke", json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}, "imageGenerationConfig": {"width": "big"}}).encode()),
        ("/model/amazon.nova-lite-v1%3A0/count-tokens", json.dumps({"input": {"converse": "x"}}).encode()),
        ("/guardrails", json.dumps({"name": "g", "blockedInputMessaging": "b", "blockedOutputsMessaging": "b",
                                    "contextualGroundingPolicyConfig": {"filtersConfig": [{"type": "GROUNDING", "threshold": "x"}]}}).encode()),
    ]
    for path, body in cases:
        request = urllib.request.Request(cloud.endpoint + path, data=body, method="POST", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request)
        assert caught.value.code == 400, (path, body)
        assert caught.value.headers["x-amzn-ErrorType"] == "ValidationException"
        assert json.loads(caught.value.read())["message"]


def test_a_rag_flow_retrieves_the_right_document_and_cites_it(cloud, aws):
    rt = aws("bedrock-runtime")
    docs = {
        "docs/ferias.txt": "A Zentrix concede 30 dias de férias por ano a cada funcionário. As férias podem ser divididas em até três períodos.",
        "docs/reembolso.txt": "Despesas de viagem são reembolsadas em até 15 dias após a entrega das notas fiscais.",
        "docs/home-office.txt": "O trabalho remoto é permitido até três dias por semana, com aprovação do gestor.",
        "docs/seguranca.txt": "Senhas devem ter pelo menos 12 caracteres e ser trocadas a cada 90 dias.",
    }

    def embed(text):
        body = json.dumps({"inputText": text, "dimensions": 512})
        return json.loads(rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)["body"].read())["embedding"]

    question = "Quantos dias de férias um funcionário da Zentrix tem por ano?"
    q = embed(question)
    ranked = sorted(docs, key=lambda k: -sum(a * b for a, b in zip(q, embed(docs[k]))))
    assert ranked[0] == "docs/ferias.txt"
    context = "\n".join(f"[{key}] {docs[key]}" for key in ranked[:3])
    prompt = f"Responda usando apenas o contexto abaixo e cite as fontes.\n\nContexto:\n{context}\n\nPergunta: {question}"
    _, answer = converse_text(rt, CLAUDE, prompt, inferenceConfig={"temperature": 0})
    assert answer == 'De acordo com o contexto fornecido: "A Zentrix concede 30 dias de férias por ano a cada funcionário." (fonte: docs/ferias.txt)'
    records = ledger(cloud)
    assert [r["operation"] for r in records].count("InvokeModel") == 5 and records[-1]["grounded"] is True
