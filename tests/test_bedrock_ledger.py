"""The ledger keeps what re-executing a call needs, and verify.rerun reproduces every kind of call (forged records do
not match); the parameters that produced each answer are recorded."""

from __future__ import annotations

import json

import pytest
from bedrock_calls import ledger

from gailab.simulator.bedrock import state as bedrock_state
from gailab.simulator.bedrock import verify

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"



def test_every_kind_of_call_reruns_to_the_same_record_and_forgeries_do_not(cloud, aws):
    rt, br = aws("bedrock-runtime"), aws("bedrock")
    g = br.create_guardrail(name="pii", blockedInputMessaging="blocked", blockedOutputsMessaging="blocked",
                            sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}]})
    rt.invoke_model(modelId=HAIKU, body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 300, "temperature": 1.0,
                                                    "top_k": 50, "stop_sequences": ["###"],
                                                    "messages": [{"role": "user", "content": "Explain what a foundation model is."}]}))
    list(rt.invoke_model_with_response_stream(modelId="us.deepseek.r1-v1:0", body=json.dumps({"prompt": "What is RAG?", "max_tokens": 400}))["body"])
    rt.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "Write a slogan for a bakery"}]}],
                inferenceConfig={"temperature": 0.9, "topP": 0.95, "maxTokens": 200})
    list(rt.converse_stream(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "My email is ana@example.com, summarize: I love it."}]}],
                            guardrailConfig={"guardrailIdentifier": g["guardrailId"], "guardrailVersion": "DRAFT"})["stream"])
    rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=json.dumps({"inputText": "refund policy", "dimensions": 256}))
    rt.invoke_model(modelId="amazon.nova-canvas-v1:0", body=json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a red bicycle"},
                                                                         "imageGenerationConfig": {"width": 512, "height": 512, "seed": 7}}))
    rt.count_tokens(modelId=HAIKU, input={"converse": {"messages": [{"role": "user", "content": [{"text": "count me"}]}]}})
    rt.apply_guardrail(guardrailIdentifier=g["guardrailId"], guardrailVersion="DRAFT", source="INPUT",
                       content=[{"text": {"text": "write to bruno@example.com"}}])
    records = ledger(cloud)
    assert [r["operation"] for r in records] == ["InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream", "InvokeModel",
                                                 "InvokeModel", "CountTokens", "ApplyGuardrail"]
    state = bedrock_state.of(cloud)
    for record in records:
        assert verify.differences(record, state) == [], record["operation"]
        assert verify.rerun({"record": record}, state)["rerunnable"] is True  # the journal's ledger event works too
    # The parameters that produced the first answer are in its record, with the seed it was sampled with.
    first = records[0]
    assert first["parameters"] == {**first["parameters"], "temperature": 1.0, "topK": 50, "maxTokens": 300, "stopSequences": ["###"],
                                   "seed": first["seed"]}
    assert first["request"]["body"]["messages"][0]["content"] == "Explain what a foundation model is." and first["outputHash"]
    # Forged records: more output tokens than the call produced, a different answer, a cheaper cost.
    forged = dict(records[2], outputTokens=records[2]["outputTokens"] + 40)
    assert verify.differences(forged, state) == [f"outputTokens: recorded {forged['outputTokens']}, re-run {records[2]['outputTokens']}"]
    forged = dict(records[0], outputHash="0" * 64, costUsd=0.0)
    assert [d.split(":")[0] for d in verify.differences(forged, state)] == ["costUsd", "outputHash"]
    # Changing the recorded seed changes a warm answer (the seed is what makes it reproducible).
    reseeded = dict(records[0], request=dict(records[0]["request"], seed=records[0]["seed"] + 1))
    assert verify.rerun(reseeded, state)["outputHash"] != records[0]["outputHash"]
    # A record from before the ledger kept requests is still readable: it just cannot be re-run.
    old = {k: v for k, v in records[0].items() if k not in ("request", "seed", "outputHash", "output")}
    assert verify.rerun(old)["rerunnable"] is False and verify.differences(old)[0].startswith("not re-runnable")
    # The guardrail call re-runs against the state that holds the guardrail; without it, the re-run says so.
    assert verify.rerun(records[3])["error"]["code"] == "ResourceNotFoundException"


def test_the_ledger_survives_a_restart_and_still_reruns(tmp_path):
    """A warm call's answer is reproduced after a kill -9 and restart from its journaled ledger record alone."""
    import boto3

    from gailab.simulator import CloudProcess

    home = tmp_path / "home"
    first = CloudProcess(home).start()
    try:
        rt = boto3.client("bedrock-runtime", endpoint_url=first.endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        for _ in range(3):
            rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "What is a vector database?"}]}], inferenceConfig={"temperature": 1})
        before = ledger(first)
    finally:
        first.kill()
    second = CloudProcess(home).start()
    try:
        after = ledger(second)
    finally:
        second.stop()
    assert after == before and len({r["outputHash"] for r in after}) > 1
    assert all(verify.differences(r) == [] for r in after)


@pytest.mark.parametrize("operation", ["InvokeModel", "Converse"])
def test_a_rerun_never_touches_the_ledger_quotas_or_logs(cloud, aws, operation):
    rt = aws("bedrock-runtime")
    if operation == "InvokeModel":
        rt.invoke_model(modelId=HAIKU, body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                                                        "messages": [{"role": "user", "content": "hi"}]}))
    else:
        rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hi"}]}])
    state = bedrock_state.of(cloud)
    count, windows = len(state.ledger.records), {k: len(v) for k, v in state.quotas.windows.items()}
    verify.rerun(ledger(cloud)[-1], state)
    assert len(state.ledger.records) == count and {k: len(v) for k, v in state.quotas.windows.items()} == windows


def test_services_register_how_to_rerun_their_own_records(monkeypatch):
    from gailab.simulator.bedrock import engine
    from gailab.simulator.bedrock.state import BedrockState

    state = BedrockState()
    answer = engine.generate("What is RAG?", "amazon.nova-micro-v1:0", context=[("doc.txt", "RAG retrieves passages.")], temperature=0)
    record = engine.record(state, operation="InvokeAgent", answer=answer, request={"input": "What is RAG?"}, prompt="What is RAG?")
    assert verify.rerun(record, state) == {"rerunnable": False, "reason": "Operation 'InvokeAgent' is not re-executable."}

    def again(rec, st):
        redo = engine.generate("What is RAG?", "amazon.nova-micro-v1:0", context=[("doc.txt", "RAG retrieves passages.")], temperature=0)
        return {"operation": rec["operation"], "modelId": redo.model_id, "inputTokens": redo.input_tokens, "outputTokens": redo.output_tokens,
                "costUsd": redo.cost_usd, "outputHash": engine.output_hash({"text": redo.text, "reasoning": redo.reasoning, "toolUse": None}),
                "stopReason": redo.stop_reason, "grounded": redo.grounded}

    monkeypatch.setitem(verify.RERUNNERS, "InvokeAgent", again)
    assert verify.differences(record, state) == []
    assert verify.differences(dict(record, outputTokens=record["outputTokens"] + 1), state)
