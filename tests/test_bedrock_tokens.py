"""Tokens and limits per model family: each family counts the same text differently (pt-BR costs more than en),
reasoning and answer share max tokens, stop sequences stop; bad input gets AWS's error shapes."""

from __future__ import annotations

import json

import pytest
from bedrock_calls import ledger
from botocore.exceptions import ClientError

EN = "Amazon Bedrock is a fully managed service that offers foundation models from several providers through an API."
PT = "O Amazon Bedrock é um serviço totalmente gerenciado que oferece modelos de base de vários provedores por meio de uma API."
FAMILIES = {"anthropic": "anthropic.claude-3-haiku-20240307-v1:0", "llama": "meta.llama3-1-8b-instruct-v1:0",
            "titan-text": "amazon.titan-text-express-v1", "mistral": "mistral.mistral-7b-instruct-v0:2", "nova": "amazon.nova-micro-v1:0"}



def test_each_family_counts_tokens_its_own_way_and_portuguese_costs_more(cloud, aws):
    rt = aws("bedrock-runtime")

    def count(model, text):
        return rt.count_tokens(modelId=model, input={"converse": {"messages": [{"role": "user", "content": [{"text": text}]}]}})["inputTokens"]

    english = {family: count(model, EN) for family, model in FAMILIES.items()}
    portuguese = {family: count(model, PT) for family, model in FAMILIES.items()}
    assert len(set(english.values())) == len(FAMILIES), english
    assert all(portuguese[f] > english[f] for f in FAMILIES), (english, portuguese)
    # Mistral's smaller vocabulary needs the most tokens, Llama 3's large one the fewest.
    assert max(english, key=english.get) == "mistral" and min(english, key=english.get) == "llama"
    # The call's usage and the ledger use the same count.
    r = rt.converse(modelId=FAMILIES["llama"], messages=[{"role": "user", "content": [{"text": EN}]}])
    assert r["usage"]["inputTokens"] == english["llama"] == ledger(cloud)[-1]["inputTokens"]


def test_reasoning_and_answer_fit_within_max_tokens(cloud, aws):
    rt = aws("bedrock-runtime")
    prompt = "<｜begin▁of▁sentence｜><｜User｜>What is retrieval-augmented generation?<｜Assistant｜><think>\n"
    for limit in (400, 60, 10):
        out = json.loads(rt.invoke_model(modelId="us.deepseek.r1-v1:0", body=json.dumps({"prompt": prompt, "max_tokens": limit}))["body"].read())
        record = ledger(cloud)[-1]
        assert record["outputTokens"] <= limit and record["reasoningTokens"] <= record["outputTokens"]
        text = out["choices"][0]["text"]
        if limit == 400:
            assert out["choices"][0]["stop_reason"] == "stop" and "</think>" in text and record["reasoningTokens"] > 0
        else:
            assert out["choices"][0]["stop_reason"] == "length"
        if limit == 10:  # the limit ran out while reasoning: no answer after it
            assert "</think>" not in text and record["reasoningTokens"] == 10
    r = rt.converse(modelId="us.deepseek.r1-v1:0", messages=[{"role": "user", "content": [{"text": "What is a token?"}]}], inferenceConfig={"maxTokens": 80})
    assert r["usage"]["outputTokens"] <= 80 and r["stopReason"] in ("end_turn", "max_tokens")


@pytest.mark.parametrize(("model", "body", "text_of"), [
    ("anthropic.claude-3-haiku-20240307-v1:0", {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 300, "stop_sequences": ["serverless"],
                                                "messages": [{"role": "user", "content": "What is Amazon Bedrock?"}]},
     lambda o: (o["content"][0]["text"], o["stop_reason"] == "stop_sequence" and o["stop_sequence"] == "serverless")),
    ("amazon.titan-text-express-v1", {"inputText": "What is Amazon Bedrock?", "textGenerationConfig": {"stopSequences": ["serverless"]}},
     lambda o: (o["results"][0]["outputText"], o["results"][0]["completionReason"] == "STOP_CRITERIA_MET")),
    ("meta.llama3-1-8b-instruct-v1:0", {"prompt": "What is Amazon Bedrock?", "stop": ["serverless"]},
     lambda o: (o["generation"], o["stop_reason"] == "stop")),
    ("mistral.mistral-7b-instruct-v0:2", {"prompt": "<s>[INST] What is Amazon Bedrock? [/INST]", "stop": ["serverless"]},
     lambda o: (o["outputs"][0]["text"], o["outputs"][0]["stop_reason"] == "stop")),
    ("amazon.nova-micro-v1:0", {"messages": [{"role": "user", "content": [{"text": "What is Amazon Bedrock?"}]}],
                                "inferenceConfig": {"stopSequences": ["serverless"]}},
     lambda o: (o["output"]["message"]["content"][0]["text"], o["stopReason"] == "stop_sequence")),
])
def test_stop_sequences_stop_every_family(cloud, aws, model, body, text_of):
    out = json.loads(aws("bedrock-runtime").invoke_model(modelId=model, body=json.dumps(body))["body"].read())
    text, stopped = text_of(out)
    assert stopped and "serverless" not in text and "Amazon Bedrock" in text
    assert ledger(cloud)[-1]["stopReason"] == "stop_sequence"


def test_bad_input_keeps_aws_error_shapes(cloud, aws):
    rt = aws("bedrock-runtime")
    claude = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})
    cases = [
        ("acme.unknown-model-v1", claude, "The provided model identifier is invalid."),
        ("eu.anthropic.claude-opus-4-1-20250805-v1:0", claude, "The provided model identifier is invalid."),  # no EU profile for it
        ("meta.llama3-1-8b-instruct-v1:0", claude, "#: required key [prompt] not found"),
        ("amazon.titan-text-express-v1", claude, "#: required key [inputText] not found"),
        ("cohere.command-r-v1:0", claude, "#: required key [message] not found"),
        ("ai21.jamba-1-5-mini-v1:0", json.dumps({"prompt": "hi"}), "#: required key [messages] not found"),
        ("amazon.titan-embed-text-v2:0", json.dumps({"texts": ["hi"], "input_type": "search_query"}), "#: required key [inputText] not found"),
        ("cohere.embed-english-v3", json.dumps({"inputText": "hi"}), "#: required key [input_type] not found"),
        ("meta.llama3-8b-instruct-v1:0", json.dumps({"prompt": "token " * 9000}), "Input is too long for requested model."),
        ("anthropic.claude-3-haiku-20240307-v1:0", json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5000,
                                                              "messages": [{"role": "user", "content": "hi"}]}),
         "max_tokens: 5000 > 4096, which is the maximum allowed number of output tokens for anthropic.claude-3-haiku-20240307-v1:0"),
    ]
    for model, body, message in cases:
        with pytest.raises(ClientError) as caught:
            rt.invoke_model(modelId=model, body=body)
        error = caught.value.response
        assert error["Error"]["Code"] == "ValidationException" and error["ResponseMetadata"]["HTTPStatusCode"] == 400, model
        assert message in error["Error"]["Message"], (model, error["Error"]["Message"])
        assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"].startswith("ValidationException")
    assert ledger(cloud) == []  # refused calls are not invocations


def test_claude_extended_thinking_stays_within_its_budget_and_max_tokens(cloud, aws):
    rt = aws("bedrock-runtime")
    sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1024},
            "messages": [{"role": "user", "content": "I have 12 apples and give away 5. How many are left? Think step by step."}]}
    out = json.loads(rt.invoke_model(modelId=sonnet, body=json.dumps(body))["body"].read())
    assert [b["type"] for b in out["content"]] == ["thinking", "text"] and out["content"][0]["signature"]
    assert "12 − 5 = 7" in out["content"][0]["thinking"] and out["content"][1]["text"].endswith("Answer: 7")
    record = ledger(cloud)[-1]
    assert 0 < record["reasoningTokens"] <= 1024 and record["outputTokens"] <= 2000
    r = rt.converse(modelId=sonnet, messages=[{"role": "user", "content": [{"text": "What is a token?"}]}], inferenceConfig={"maxTokens": 3000},
                    additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}})
    blocks = r["output"]["message"]["content"]
    assert blocks[0]["reasoningContent"]["reasoningText"]["signature"] and "token" in blocks[1]["text"]
    for bad, message in ((dict(body, max_tokens=1000), "`max_tokens` must be greater than `thinking.budget_tokens`."),
                         (dict(body, temperature=0.2), "`temperature` may only be set to 1 when thinking is enabled."),
                         (dict(body, thinking={"type": "enabled", "budget_tokens": 100}), "#/thinking/budget_tokens: 100 is not greater or equal to 1024")):
        with pytest.raises(rt.exceptions.ValidationException) as caught:
            rt.invoke_model(modelId=sonnet, body=json.dumps(bad))
        assert message in caught.value.response["Error"]["Message"]
    with pytest.raises(rt.exceptions.ValidationException, match="does not support extended thinking"):
        rt.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=json.dumps(body))
    chunks = [json.loads(e["chunk"]["bytes"]) for e in rt.invoke_model_with_response_stream(modelId=sonnet, body=json.dumps(body))["body"]]
    deltas = [c["delta"]["type"] for c in chunks if c["type"] == "content_block_delta"]
    assert deltas[0] == "thinking_delta" and "signature_delta" in deltas and deltas[-1] == "text_delta"
