"""RetrieveAndGenerate beyond the basic call, with real boto3: a guardrail around it, the streaming variant, external
sources (an S3 document, bytes in the request), the query embedding billed in the ledger and the cost view, and
every ledger record it writes re-run by a class regrade as genuine (a forged one is not)."""

from __future__ import annotations

import copy
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from classwork import make_class, rebuilt
from gailab.labs import submission
from gailab.labs.classroom.classstore import ClassStore
from gailab.simulator.bedrock import verify
from gailab.tui.cli import main
from kbdocs import create_ds, create_kb, ingest, make_role, upload

BUCKET = "acme-rag-docs"
MODEL_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
QUESTION = "How long does reimbursement of travel expenses take?"


@pytest.fixture
def kb(aws):
    make_role(aws("iam"), BUCKET)
    upload(aws("s3"), BUCKET)
    agent = aws("bedrock-agent")
    kb_id = create_kb(agent)
    ingest(agent, kb_id, create_ds(agent, kb_id, BUCKET))
    return kb_id


def _config(kb_id: str, **generation) -> dict:
    kb = {"knowledgeBaseId": kb_id, "modelArn": MODEL_ARN}
    if generation:
        kb["generationConfiguration"] = generation
    return {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": kb}


def _ledger(aws) -> list[dict]:
    with urllib.request.urlopen(aws("s3").meta.endpoint_url + "/_gailab/bedrock/invocations") as response:
        return json.load(response)["invocations"]


def test_a_guardrail_blocks_a_denied_topic_and_lets_the_rest_through(kb, aws):
    guardrail = aws("bedrock").create_guardrail(
        name="no-salaries", blockedInputMessaging="I cannot talk about salaries.", blockedOutputsMessaging="Blocked.",
        topicPolicyConfig={"topicsConfig": [{"name": "Salaries", "type": "DENY",
                                             "definition": "Questions about employee salaries, pay raises and bonuses.",
                                             "examples": ["How much does a manager earn?"]}]})
    runtime = aws("bedrock-agent-runtime")
    guard = {"guardrailConfiguration": {"guardrailId": guardrail["guardrailId"], "guardrailVersion": "DRAFT"}}
    blocked = runtime.retrieve_and_generate(input={"text": "How much does a manager earn in salaries and bonuses?"},
                                            retrieveAndGenerateConfiguration=_config(kb, **guard))
    assert blocked["guardrailAction"] == "INTERVENED"
    assert blocked["output"]["text"] == "I cannot talk about salaries."
    allowed = runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb, **guard))
    assert allowed["guardrailAction"] == "NONE" and "ten business days" in allowed["output"]["text"]
    records = [r for r in _ledger(aws) if r["operation"] == "RetrieveAndGenerate"]
    assert [r["guardrailAction"] for r in records] == ["INTERVENED", "NONE"]
    assert records[0]["guardrailId"] == guardrail["guardrailId"] and records[0]["outputTokens"] == 0
    # The blocked question was not embedded or searched: only the allowed one's query embedding is billed.
    assert len([r for r in _ledger(aws) if r["operation"] == "Retrieve"]) == 1
    missing = _config(kb, guardrailConfiguration={"guardrailId": "nosuchguard1", "guardrailVersion": "DRAFT"})
    with pytest.raises(ClientError) as caught:
        runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=missing)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)


def test_the_stream_says_what_the_plain_call_says_with_citations_and_a_session(kb, aws):
    runtime = aws("bedrock-agent-runtime")
    plain = runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb))
    out = runtime.retrieve_and_generate_stream(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb))
    events = list(out["stream"])
    text = "".join(e["output"]["text"] for e in events if "output" in e)
    assert text == plain["output"]["text"] and len([e for e in events if "output" in e]) > 1
    citations = [e["citation"] for e in events if "citation" in e]
    assert citations and citations[0]["retrievedReferences"][0]["location"]["s3Location"]["uri"].endswith("expenses.html")
    follow = runtime.retrieve_and_generate_stream(input={"text": "And what is the hotel limit per night?"},
                                                  retrieveAndGenerateConfiguration=_config(kb), sessionId=out["sessionId"])
    assert follow["sessionId"] == out["sessionId"]
    assert "180 dollars" in "".join(e["output"]["text"] for e in follow["stream"] if "output" in e)
    assert [r["operation"] for r in _ledger(aws) if r["operation"].startswith("RetrieveAndGenerate")] == [
        "RetrieveAndGenerate", "RetrieveAndGenerateStream", "RetrieveAndGenerateStream"]


def test_external_sources_answer_from_an_s3_document_or_bytes_in_the_request(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="contracts")
    s3.put_object(Bucket="contracts", Key="sla.txt",
                  Body="Service level agreement. Support tickets of severity one are answered within four hours. "
                       "The monthly availability target is 99.9 percent.".encode())
    runtime = aws("bedrock-agent-runtime")
    config = {"type": "EXTERNAL_SOURCES", "externalSourcesConfiguration": {"modelArn": MODEL_ARN, "sources": [
        {"sourceType": "S3", "s3Location": {"uri": "s3://contracts/sla.txt"}}]}}
    out = runtime.retrieve_and_generate(input={"text": "How fast are severity one tickets answered?"},
                                        retrieveAndGenerateConfiguration=config)
    assert "four hours" in out["output"]["text"]
    assert out["citations"][0]["retrievedReferences"][0]["location"]["s3Location"]["uri"] == "s3://contracts/sla.txt"
    inline = {"type": "EXTERNAL_SOURCES", "externalSourcesConfiguration": {"modelArn": MODEL_ARN, "sources": [
        {"sourceType": "BYTE_CONTENT", "byteContent": {"identifier": "faq.txt", "contentType": "text/plain",
                                                       "data": "Política de reembolso: o reembolso é feito em até 7 dias úteis.".encode()}}]}}
    out = runtime.retrieve_and_generate(input={"text": "Em quantos dias o reembolso é feito?"}, retrieveAndGenerateConfiguration=inline)
    assert "7 dias úteis" in out["output"]["text"]
    assert out["citations"][0]["retrievedReferences"][0]["location"] == {"type": "CUSTOM", "customDocumentLocation": {"id": "faq.txt"}}
    config["externalSourcesConfiguration"]["sources"][0]["s3Location"]["uri"] = "s3://contracts/missing.txt"
    with pytest.raises(ClientError) as caught:
        runtime.retrieve_and_generate(input={"text": "SLA?"}, retrieveAndGenerateConfiguration=config)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "s3://contracts/missing.txt" in caught.value.response["Error"]["Message"]


def test_the_query_embedding_is_billed_in_the_ledger_and_the_cost_view(kb, aws):
    runtime = aws("bedrock-agent-runtime")
    runtime.retrieve(knowledgeBaseId=kb, retrievalQuery={"text": "hotel limit per night"})
    runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb))
    embeddings = [r for r in _ledger(aws) if r["operation"] == "Retrieve"]
    assert [r["prompt"] for r in embeddings] == ["hotel limit per night", QUESTION]
    assert all(r["modelId"] == "amazon.titan-embed-text-v2:0" and r["inputTokens"] > 0 and r["costUsd"] > 0
               and r["knowledgeBaseId"] == kb for r in embeddings)
    with urllib.request.urlopen(aws("s3").meta.endpoint_url + "/_gailab/costs") as response:
        lines = json.load(response)["lines"]
    titan = [i for i in lines if i["item"].startswith("amazon.titan-embed-text-v2:0 (on-demand)")]
    assert titan and abs(sum(i["costUsd"] for i in titan) - sum(r["costUsd"] for r in embeddings)) < 1e-9


def test_every_knowledge_base_ledger_record_reruns_and_a_forged_one_does_not(kb, aws):
    runtime = aws("bedrock-agent-runtime")
    runtime.retrieve(knowledgeBaseId=kb, retrievalQuery={"text": "férias"})
    runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb))
    runtime.retrieve_and_generate(input={"text": "Who won the 1998 football world cup final?"},
                                  retrieveAndGenerateConfiguration=_config(
                                      kb, inferenceConfig={"textInferenceConfig": {"maxTokens": 5}}))
    records = _ledger(aws)
    assert {r["operation"] for r in records} == {"Retrieve", "RetrieveAndGenerate"} and len(records) == 5
    assert all(verify.differences(r) == [] for r in records)
    forged = copy.deepcopy(next(r for r in records if r["operation"] == "RetrieveAndGenerate"))
    forged["outputTokens"] += 40
    assert verify.differences(forged) == [f"outputTokens: recorded {forged['outputTokens']}, re-run {forged['outputTokens'] - 40}"]
    forged = copy.deepcopy(forged)
    forged["outputTokens"] -= 40
    forged["request"]["body"]["passages"][0]["text"] = "Reimbursement takes one day."
    assert any(d.startswith("outputHash") for d in verify.differences(forged))


def test_a_class_regrade_verifies_retrieve_and_generate_calls(kb, aws, cloud, tmp_path):
    from gailab.simulator.core.journal import encode_records, parse_lines

    runtime = aws("bedrock-agent-runtime")
    out = runtime.retrieve_and_generate(input={"text": QUESTION}, retrieveAndGenerateConfiguration=_config(kb))
    runtime.retrieve_and_generate(input={"text": "And the hotel limit?"}, retrieveAndGenerateConfiguration=_config(kb),
                                  sessionId=out["sessionId"])
    guardrail = aws("bedrock").create_guardrail(
        name="no-email", blockedInputMessaging="blocked", blockedOutputsMessaging="blocked",
        sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "BLOCK"}]})
    guarded = _config(kb, guardrailConfiguration={"guardrailId": guardrail["guardrailId"], "guardrailVersion": "DRAFT"})
    blocked = runtime.retrieve_and_generate(input={"text": "Send the policy to ana@example.com"},
                                            retrieveAndGenerateConfiguration=guarded)
    assert blocked["guardrailAction"] == "INTERVENED"
    path = tmp_path / "s.gailab.zip"
    assert main(["submit", "s3-genai-storage", "--home", str(cloud.home), "--learner", "ana", "-o", str(path),
                 "--db", f"sqlite:///{tmp_path / 'l.db'}"]) == 0
    records = parse_lines(submission.read_file(path).journal).records
    calls = [r for r in records if r["kind"] == "ledger"]
    assert [c["record"]["operation"] for c in calls] == ["Retrieve", "RetrieveAndGenerate"] * 2 + ["RetrieveAndGenerate"]
    forged = copy.deepcopy(calls[1])
    forged["seq"] = max(r["seq"] for r in records) + 1
    forged["record"]["output"] = forged["record"]["output"] + " Hotels are free."
    forged["record"]["outputHash"] = "0" * 64
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.gailab.zip").write_bytes(rebuilt(path, journal=encode_records(records + [forged])))
    (tmp_path / "in" / "b.gailab.zip").write_bytes(rebuilt(path, learner="bia"))
    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", ""), ("bia", "Bia", "")], tmp_path, labs=("s3-genai-storage",))
    main(["class", "collect", str(tmp_path / "in"), "--db", db])
    assert main(["class", "regrade", "--db", db]) == 0
    verdicts = {json.loads(r.report_json)["learner"]: json.loads(r.report_json)["regrade"]["ledger"]
                for r in ClassStore(db).results()}
    assert [v["verdict"] for v in verdicts["bia"]] == ["verified"] * 5  # the guarded call against the rebuilt guardrail
    assert [v["verdict"] for v in verdicts["ana"]] == ["verified"] * 5 + ["forged"]
    assert "outputHash" in verdicts["ana"][-1]["why"]


def test_data_sources_other_than_s3_get_a_validation_error(kb, aws):
    with pytest.raises(ClientError) as caught:
        aws("bedrock-agent").create_data_source(
            knowledgeBaseId=kb, name="site",
            dataSourceConfiguration={"type": "WEB", "webConfiguration": {
                "sourceConfiguration": {"urlConfiguration": {"seedUrls": [{"url": "https://example.com/"}]}}}})
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400 and error["Error"]["Code"] == "ValidationException"
    assert "WEB" in error["Error"]["Message"] and "S3" in error["Error"]["Message"]


def test_the_stream_needs_the_retrieve_and_generate_action(kb, aws, cloud):
    from test_kb_iam import _as_role

    kb_arn = f"arn:aws:bedrock:us-east-1:123456789012:knowledge-base/{kb}"
    app = _as_role(cloud, aws, "rag-stream", [
        {"Effect": "Allow", "Action": "bedrock:Retrieve", "Resource": kb_arn},
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": MODEL_ARN}])
    with pytest.raises(ClientError) as caught:
        app("bedrock-agent-runtime").retrieve_and_generate_stream(input={"text": QUESTION},
                                                                 retrieveAndGenerateConfiguration=_config(kb))
    assert f"is not authorized to perform: bedrock:RetrieveAndGenerate on resource: {kb_arn}" in \
        caught.value.response["Error"]["Message"]
    aws("iam").put_role_policy(RoleName="rag-stream", PolicyName="rag", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:RetrieveAndGenerate", "Resource": kb_arn}]}))
    out = app("bedrock-agent-runtime").retrieve_and_generate_stream(input={"text": QUESTION},
                                                                   retrieveAndGenerateConfiguration=_config(kb))
    assert "ten business days" in "".join(e["output"]["text"] for e in out["stream"] if "output" in e)


@pytest.mark.parametrize("path", ["/retrieveAndGenerate", "/retrieveAndGenerateStream"])
@pytest.mark.parametrize("body", [
    {},
    {"input": {"text": "x"}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "EXTERNAL_SOURCES"}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "EXTERNAL_SOURCES", "externalSourcesConfiguration": {
        "modelArn": MODEL_ARN, "sources": [{"sourceType": "BYTE_CONTENT", "byteContent": {
            "identifier": "a.txt", "contentType": "text/plain", "data": "not base64!"}}]}}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "EXTERNAL_SOURCES", "externalSourcesConfiguration": {
        "modelArn": MODEL_ARN, "sources": [{"sourceType": "S3"}]}}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "EXTERNAL_SOURCES", "externalSourcesConfiguration": {
        "modelArn": MODEL_ARN, "sources": [{"sourceType": "BYTE_CONTENT", "byteContent": {
            "identifier": "noext", "contentType": "application/x-unknown", "data": "aGVsbG8="}}]}}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
        "knowledgeBaseId": "ABCDEFGHIJ", "modelArn": MODEL_ARN}}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
        "knowledgeBaseId": "ABCDEFGHIJ", "modelArn": "amazon.titan-embed-text-v2:0"}}},
    {"input": {"text": "x"}, "retrieveAndGenerateConfiguration": {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
        "knowledgeBaseId": "ABCDEFGHIJ", "modelArn": MODEL_ARN, "generationConfiguration": {
            "guardrailConfiguration": {"guardrailId": "zzzzzzzzzzzz", "guardrailVersion": "DRAFT"}}}}},
])
def test_bad_requests_get_aws_shaped_4xx(cloud, path, body):
    from test_bedrock_dialects import signed_post

    status, headers, raw = signed_post(cloud, path, body)
    assert 400 <= status < 500, (status, raw)
    error = json.loads(raw)
    assert headers.get("x-amzn-ErrorType") or error.get("__type"), (headers, raw)
    assert error.get("message") or error.get("Message"), raw
