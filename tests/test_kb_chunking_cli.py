"""Knowledge Bases: chunking strategies change the chunks; the aws CLI drives the whole flow."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from kbdocs import EMBED, ROLE_ARN, STORAGE, create_ds, create_kb, ingest, make_role

BUCKET = "chunking-docs"
LONG = " ".join(
    f"Section {i}. The Acme Travel handbook explains rule number {i} about bookings, refunds and loyalty points in detail."
    for i in range(1, 41)
)


def _chunks(cloud, kb_id: str, ds_id: str) -> list[dict]:
    url = f"{cloud.endpoint}/_gailab/knowledge-bases/chunks?knowledgeBaseId={kb_id}&dataSourceId={ds_id}"
    with urllib.request.urlopen(url) as response:
        return json.load(response)["chunks"]


def test_changing_the_chunking_changes_the_chunks(cloud, aws):
    make_role(aws("iam"), BUCKET)
    s3 = aws("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="docs/handbook.txt", Body=LONG.encode())
    agent = aws("bedrock-agent")
    kb_id = create_kb(agent)
    shapes = {
        "fixed-100": {"chunkingStrategy": "FIXED_SIZE", "fixedSizeChunkingConfiguration": {"maxTokens": 100, "overlapPercentage": 20}},
        "fixed-400": {"chunkingStrategy": "FIXED_SIZE", "fixedSizeChunkingConfiguration": {"maxTokens": 400, "overlapPercentage": 10}},
        "none": {"chunkingStrategy": "NONE"},
        "hierarchical": {"chunkingStrategy": "HIERARCHICAL", "hierarchicalChunkingConfiguration": {
            "levelConfigurations": [{"maxTokens": 300}, {"maxTokens": 60}], "overlapTokens": 10}},
        "semantic": {"chunkingStrategy": "SEMANTIC", "semanticChunkingConfiguration": {
            "maxTokens": 200, "bufferSize": 0, "breakpointPercentileThreshold": 90}},
    }
    found = {}
    for name, config in shapes.items():
        ds_id = create_ds(agent, kb_id, BUCKET, config, name=name)
        assert ingest(agent, kb_id, ds_id)["status"] == "COMPLETE"
        found[name] = _chunks(cloud, kb_id, ds_id)
    assert len(found["none"]) == 1 and found["none"][0]["text"] == LONG
    assert len(found["fixed-100"]) > len(found["fixed-400"]) > 1
    assert all(c["tokens"] <= 100 for c in found["fixed-100"])
    first, second = found["fixed-100"][0]["text"], found["fixed-100"][1]["text"]
    assert first.split(". ")[-1].rstrip(".") in second  # 20% overlap: the next chunk starts with the last sentence
    hier = found["hierarchical"]
    assert all(c["tokens"] <= 60 for c in hier) and all(len(c["returnedText"]) > len(c["text"]) for c in hier)
    assert len({c["returnedText"] for c in hier}) < len(hier)  # several children share one parent
    assert all(c["tokens"] <= 200 for c in found["semantic"]) and len(found["semantic"]) > 1
    # Retrieval returns the parent of a hierarchical child, once.
    runtime = aws("bedrock-agent-runtime")
    results = runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": "rule number 7 about refunds"},
                               retrievalConfiguration={"vectorSearchConfiguration": {
                                   "numberOfResults": 10, "filter": {"equals": {"key": "x-amz-bedrock-kb-data-source-id",
                                                                               "value": hier[0]["dataSourceId"]}}}})
    texts = [r["content"]["text"] for r in results["retrievalResults"]]
    assert len(texts) == len(set(texts)) and set(texts) <= {c["returnedText"] for c in hier}


def _cli(env, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_the_aws_cli_creates_ingests_and_queries_a_knowledge_base(aws_env, aws):
    make_role(aws("iam"), BUCKET)
    s3 = aws("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="docs/faq.md", Body="# FAQ\n\nCheck-in opens 24 hours before the flight departs.".encode())
    kb = _cli(aws_env, "bedrock-agent", "create-knowledge-base", "--name", "cli-kb", "--role-arn", ROLE_ARN,
              "--knowledge-base-configuration", json.dumps({"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED}}),
              "--storage-configuration", json.dumps(STORAGE))["knowledgeBase"]
    assert kb["status"] == "CREATING"
    ds = _cli(aws_env, "bedrock-agent", "create-data-source", "--knowledge-base-id", kb["knowledgeBaseId"], "--name", "faq",
              "--data-source-configuration", json.dumps({"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{BUCKET}"}}),
              "--vector-ingestion-configuration", json.dumps({"chunkingConfiguration": {"chunkingStrategy": "NONE"}}))["dataSource"]
    job = _cli(aws_env, "bedrock-agent", "start-ingestion-job", "--knowledge-base-id", kb["knowledgeBaseId"],
               "--data-source-id", ds["dataSourceId"])["ingestionJob"]
    assert ingest(aws("bedrock-agent"), kb["knowledgeBaseId"], ds["dataSourceId"], job=job)["status"] == "COMPLETE"
    got = _cli(aws_env, "bedrock-agent", "get-ingestion-job", "--knowledge-base-id", kb["knowledgeBaseId"],
               "--data-source-id", ds["dataSourceId"], "--ingestion-job-id", job["ingestionJobId"])["ingestionJob"]
    assert got["statistics"]["numberOfNewDocumentsIndexed"] == 1
    found = _cli(aws_env, "bedrock-agent-runtime", "retrieve", "--knowledge-base-id", kb["knowledgeBaseId"],
                 "--retrieval-query", json.dumps({"text": "When does check-in open?"}))["retrievalResults"]
    assert found[0]["location"]["s3Location"]["uri"] == f"s3://{BUCKET}/docs/faq.md"
    answer = _cli(aws_env, "bedrock-agent-runtime", "retrieve-and-generate", "--input", json.dumps({"text": "When does check-in open?"}),
                  "--retrieve-and-generate-configuration", json.dumps({"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
                      "knowledgeBaseId": kb["knowledgeBaseId"], "modelArn": "anthropic.claude-3-haiku-20240307-v1:0"}}))
    assert "24 hours" in answer["output"]["text"] and answer["citations"][0]["retrievedReferences"]
    kbs = _cli(aws_env, "bedrock-agent", "list-knowledge-bases")["knowledgeBaseSummaries"]
    assert [k["name"] for k in kbs] == ["cli-kb"] and kbs[0]["status"] == "ACTIVE"
    _cli(aws_env, "bedrock-agent", "delete-data-source", "--knowledge-base-id", kb["knowledgeBaseId"], "--data-source-id", ds["dataSourceId"])
    deleted = _cli(aws_env, "bedrock-agent", "delete-knowledge-base", "--knowledge-base-id", kb["knowledgeBaseId"])
    assert deleted["status"] == "DELETING"
    assert _cli(aws_env, "bedrock-agent", "list-knowledge-bases")["knowledgeBaseSummaries"] == []
