"""Knowledge bases, data sources, jobs, chunks and sessions come back after kill -9 with the same IDs and states."""

from __future__ import annotations

import boto3
from botocore.config import Config

from gailab.simulator import CloudProcess
from kbdocs import active, create_ds, create_kb, ingest, make_role, upload

BUCKET = "durable-kb"


def _clients(endpoint: str):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    return lambda service: session.client(service, endpoint_url=endpoint, config=config)


def _state(client, kb_id: str, ds_id: str, job_id: str) -> dict:
    agent = client("bedrock-agent")
    kb = agent.get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"]
    ds = agent.get_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)["dataSource"]
    job = agent.get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=job_id)["ingestionJob"]
    found = client("bedrock-agent-runtime").retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": "hotel limit per night"})
    return {
        "kb": (kb["knowledgeBaseArn"], kb["status"], kb["createdAt"]),
        "ds": (ds["name"], ds["vectorIngestionConfiguration"], ds["createdAt"]),
        "job": (job["status"], job["statistics"], job.get("failureReasons"), job["startedAt"], job["updatedAt"]),
        "results": [(r["metadata"]["x-amz-bedrock-kb-chunk-id"], r["score"]) for r in found["retrievalResults"]],
    }


def test_kill_9_then_restart_keeps_knowledge_bases_jobs_chunks_and_sessions(tmp_path):
    home = tmp_path / "home"
    first = CloudProcess(home).start()
    try:
        client = _clients(first.endpoint)
        make_role(client("iam"), BUCKET)
        upload(client("s3"), BUCKET, extra={"docs/bad.pdf": b"%PDF-1.4 broken"})
        agent = client("bedrock-agent")
        kb_id = create_kb(agent)
        ds_id = create_ds(agent, kb_id, BUCKET, {"chunkingStrategy": "FIXED_SIZE",
                                                 "fixedSizeChunkingConfiguration": {"maxTokens": 40, "overlapPercentage": 10}})
        job = ingest(agent, kb_id, ds_id)
        assert job["status"] == "COMPLETE"
        active(agent, kb_id)
        before = _state(client, kb_id, ds_id, job["ingestionJobId"])
        rag = client("bedrock-agent-runtime").retrieve_and_generate(
            input={"text": "How long does reimbursement of travel expenses take?"},
            retrieveAndGenerateConfiguration={"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
                "knowledgeBaseId": kb_id, "modelArn": "amazon.nova-micro-v1:0"}})
    finally:
        first.kill()
    second = CloudProcess(home).start()
    try:
        client = _clients(second.endpoint)
        assert _state(client, kb_id, ds_id, job["ingestionJobId"]) == before
        follow = client("bedrock-agent-runtime").retrieve_and_generate(
            input={"text": "And the hotel limit per night?"}, sessionId=rag["sessionId"],
            retrieveAndGenerateConfiguration={"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
                "knowledgeBaseId": kb_id, "modelArn": "amazon.nova-micro-v1:0"}})
        assert "180 dollars" in follow["output"]["text"]
        # New work after the restart keeps the same store: a second job sees nothing new.
        again = ingest(client("bedrock-agent"), kb_id, ds_id)
        assert again["statistics"]["numberOfNewDocumentsIndexed"] == 0
        assert again["statistics"]["numberOfDocumentsFailed"] == 1
    finally:
        second.stop()
