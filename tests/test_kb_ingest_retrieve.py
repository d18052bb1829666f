"""Knowledge Bases end to end with real boto3: ingestion from S3 (pt-BR and en; txt, md, html, csv, pdf), Retrieve
and RetrieveAndGenerate."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kbdocs import DOCS, PDF_TEXT, create_ds, create_kb, ingest, make_role, upload

BUCKET = "acme-kb-docs"


@pytest.fixture
def kb(aws):
    make_role(aws("iam"), BUCKET)
    upload(aws("s3"), BUCKET, extra={"docs/broken.pdf": b"%PDF-1.7\nthis is not really a pdf", "docs/notes.xyz": b"x"})
    agent = aws("bedrock-agent")
    kb_id = create_kb(agent)
    ds_id = create_ds(agent, kb_id, BUCKET)
    return agent, kb_id, ds_id


def _retrieve(aws, kb_id, text, **config):
    runtime = aws("bedrock-agent-runtime")
    return runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": text},
                            retrievalConfiguration={"vectorSearchConfiguration": {"numberOfResults": 3, **config}})["retrievalResults"]


def test_ingestion_reads_every_format_and_reports_unreadable_files(kb, aws):
    agent, kb_id, ds_id = kb
    started = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"]
    assert started["status"] == "STARTING"
    job = ingest(agent, kb_id, ds_id, job=started)
    assert job["status"] == "COMPLETE", job
    stats = job["statistics"]
    assert stats["numberOfDocumentsScanned"] == len(DOCS) + 3  # + loyalty.pdf, broken.pdf, notes.xyz
    assert stats["numberOfNewDocumentsIndexed"] == len(DOCS) + 1
    assert stats["numberOfMetadataDocumentsScanned"] == 3
    assert stats["numberOfDocumentsFailed"] == 2
    reasons = " ".join(job["failureReasons"])
    assert "s3://acme-kb-docs/docs/broken.pdf" in reasons and "not a readable PDF" in reasons
    assert "s3://acme-kb-docs/docs/notes.xyz" in reasons and ".xyz is not supported" in reasons
    pdf = _retrieve(aws, kb_id, "loyalty program points for flights")
    assert pdf[0]["location"]["s3Location"]["uri"] == "s3://acme-kb-docs/docs/loyalty.pdf"
    assert PDF_TEXT in pdf[0]["content"]["text"]
    jobs = agent.list_ingestion_jobs(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJobSummaries"]
    assert [j["ingestionJobId"] for j in jobs] == [job["ingestionJobId"]]


def test_retrieve_ranks_the_right_document_first_with_scores_and_metadata(kb, aws):
    agent, kb_id, ds_id = kb
    ingest(agent, kb_id, ds_id)
    results = _retrieve(aws, kb_id, "Quantos dias de férias remuneradas cada colaborador recebe?")
    assert results[0]["location"]["s3Location"]["uri"] == "s3://acme-kb-docs/docs/ferias.txt"
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    meta = results[0]["metadata"]
    assert meta["department"] == "rh" and meta["year"] == 2024
    assert meta["x-amz-bedrock-kb-source-uri"] == "s3://acme-kb-docs/docs/ferias.txt"
    assert meta["x-amz-bedrock-kb-data-source-id"] == ds_id and meta["x-amz-bedrock-kb-chunk-id"]
    hotel = _retrieve(aws, kb_id, "What is the nightly cap for a hotel room on a business trip?")
    assert hotel[0]["location"]["s3Location"]["uri"] == "s3://acme-kb-docs/docs/expenses.html"


def test_retrieve_filters_by_metadata(kb, aws):
    agent, kb_id, ds_id = kb
    ingest(agent, kb_id, ds_id)
    only_ti = _retrieve(aws, kb_id, "vacation days per year", filter={"equals": {"key": "department", "value": "ti"}})
    assert {r["location"]["s3Location"]["uri"] for r in only_ti} == {"s3://acme-kb-docs/docs/security.txt"}
    recent = _retrieve(aws, kb_id, "policy", filter={"andAll": [
        {"greaterThanOrEquals": {"key": "year", "value": 2024}}, {"in": {"key": "language", "value": ["pt-BR", "en"]}}]})
    assert {r["location"]["s3Location"]["uri"] for r in recent} == {"s3://acme-kb-docs/docs/ferias.txt",
                                                                     "s3://acme-kb-docs/docs/security.txt"}
    none = _retrieve(aws, kb_id, "policy", filter={"startsWith": {"key": "department", "value": "zz"}})
    assert none == []


def test_retrieve_and_generate_answers_with_citations_and_declines_the_unanswerable(kb, aws):
    agent, kb_id, ds_id = kb
    ingest(agent, kb_id, ds_id)
    runtime = aws("bedrock-agent-runtime")
    config = {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
        "knowledgeBaseId": kb_id, "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}}
    out = runtime.retrieve_and_generate(input={"text": "How long does reimbursement of travel expenses take?"},
                                        retrieveAndGenerateConfiguration=config)
    text = out["output"]["text"]
    assert "ten business days" in text
    citation = out["citations"][0]
    part = citation["generatedResponsePart"]["textResponsePart"]
    assert text[part["span"]["start"]: part["span"]["end"] + 1] == part["text"]
    assert citation["retrievedReferences"][0]["location"]["s3Location"]["uri"] == "s3://acme-kb-docs/docs/expenses.html"
    assert out["sessionId"]
    follow = runtime.retrieve_and_generate(input={"text": "And what is the hotel limit per night?"},
                                           retrieveAndGenerateConfiguration=config, sessionId=out["sessionId"])
    assert follow["sessionId"] == out["sessionId"] and "180 dollars" in follow["output"]["text"]
    declined = runtime.retrieve_and_generate(input={"text": "Who won the 1998 football world cup final?"},
                                             retrieveAndGenerateConfiguration=config)
    assert declined["output"]["text"] == "Sorry, I am unable to assist you with this request."
    assert all(not c["retrievedReferences"] for c in declined["citations"])
    ledger = [r for r in aws_ledger(aws) if r["operation"] == "RetrieveAndGenerate"]
    assert len(ledger) == 3 and ledger[0]["modelId"] == "amazon.nova-lite-v1:0" and ledger[0]["inputTokens"] > 50


def aws_ledger(aws):
    import json
    import urllib.request

    endpoint = aws("s3").meta.endpoint_url
    with urllib.request.urlopen(endpoint + "/_gailab/bedrock/invocations") as response:
        return json.load(response)["invocations"]


def test_ingestion_cost_follows_document_size(kb, aws, cloud):
    agent, kb_id, ds_id = kb
    ingest(agent, kb_id, ds_id)
    extension = cloud.extension("bedrock-agent")
    [item] = extension.costs(None)
    assert item["service"] == "Amazon Bedrock Knowledge Bases" and item["unit"] == "tokens"
    assert item["costUsd"] == round(item["quantity"] * 0.00002 / 1000, 8) and item["quantity"] > 100
    aws("s3").put_object(Bucket=BUCKET, Key="docs/big.txt", Body=("Long handbook sentence about bookings. " * 400).encode())
    second = ingest(agent, kb_id, ds_id)
    assert second["statistics"]["numberOfNewDocumentsIndexed"] == 1 and second["statistics"]["numberOfModifiedDocumentsIndexed"] == 0
    later = [c for c in extension.costs(None) if second["ingestionJobId"] in c["item"]]
    assert later[0]["quantity"] > 2 * item["quantity"]  # only the new, bigger file was embedded
    assert extension.costs(second["updatedAt"].timestamp() + 1) == []


def test_sync_is_incremental_and_retain_keeps_vectors_after_the_data_source_goes(kb, aws):
    agent, kb_id, ds_id = kb
    ingest(agent, kb_id, ds_id)
    s3 = aws("s3")
    s3.put_object(Bucket=BUCKET, Key="docs/security.txt", Body=b"Security guidelines. Passwords must have 20 characters.")
    s3.delete_object(Bucket=BUCKET, Key="docs/home-office.md")
    s3.put_object(Bucket=BUCKET, Key="docs/ferias.txt.metadata.json",
                  Body=b'{"metadataAttributes": {"department": "pessoas", "year": 2024, "language": "pt-BR"}}')
    stats = ingest(agent, kb_id, ds_id)["statistics"]
    assert (stats["numberOfNewDocumentsIndexed"], stats["numberOfModifiedDocumentsIndexed"],
            stats["numberOfDocumentsDeleted"], stats["numberOfMetadataDocumentsModified"]) == (0, 1, 1, 1)
    changed = _retrieve(aws, kb_id, "How many characters must a password have?")
    assert "20 characters" in changed[0]["content"]["text"]
    with pytest.raises(ClientError) as caught:
        agent.update_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id, name="acme-docs",
                                 dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{BUCKET}"}},
                                 vectorIngestionConfiguration={"chunkingConfiguration": {"chunkingStrategy": "NONE"}})
    assert "cannot be changed after it is created" in caught.value.response["Error"]["Message"]
    hybrid = _retrieve(aws, kb_id, "loyalty points flights", overrideSearchType="HYBRID")
    assert hybrid[0]["location"]["s3Location"]["uri"].endswith("loyalty.pdf")
    agent.update_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id, name="acme-docs", dataDeletionPolicy="RETAIN",
                             dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{BUCKET}",
                                                                                         "inclusionPrefixes": ["docs/"]}})
    agent.delete_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert agent.list_data_sources(knowledgeBaseId=kb_id)["dataSourceSummaries"] == []
    kept = _retrieve(aws, kb_id, "How many characters must a password have?")
    assert "20 characters" in kept[0]["content"]["text"]  # RETAIN: the vectors stay in the store
