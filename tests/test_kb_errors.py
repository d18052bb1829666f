"""Knowledge Bases: AWS's error shapes for bad input, and ingestion that fails for the role's permissions."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kbdocs import EMBED, ROLE, ROLE_ARN, STORAGE, create_ds, create_kb, ingest, make_role, role_policy, upload

BUCKET = "acme-kb-errors"


def _error(call) -> dict:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


@pytest.fixture
def agent(aws):
    make_role(aws("iam"), BUCKET)
    upload(aws("s3"), BUCKET)
    return aws("bedrock-agent")


def test_wrong_chunking_values_get_aws_validation_errors(agent, aws):
    kb_id = create_kb(agent)
    too_big = _error(lambda: create_ds(agent, kb_id, BUCKET, {
        "chunkingStrategy": "FIXED_SIZE", "fixedSizeChunkingConfiguration": {"maxTokens": 300, "overlapPercentage": 150}}))
    assert too_big["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert too_big["Error"]["Code"] == "ValidationException"
    assert too_big["Error"]["Message"] == (
        "1 validation error detected: Value '150' at 'vectorIngestionConfiguration.chunkingConfiguration."
        "fixedSizeChunkingConfiguration.overlapPercentage' failed to satisfy constraint: Member must have value less "
        "than or equal to 99")
    strategy = _error(lambda: create_ds(agent, kb_id, BUCKET, {"chunkingStrategy": "PARAGRAPHS"}))
    assert "Member must satisfy enum value set: [FIXED_SIZE, NONE, HIERARCHICAL, SEMANTIC]" in strategy["Error"]["Message"]
    missing = _error(lambda: create_ds(agent, kb_id, BUCKET, {"chunkingStrategy": "SEMANTIC"}))
    assert missing["Error"]["Message"] == "semanticChunkingConfiguration must be specified when chunkingStrategy is SEMANTIC."
    inverted = _error(lambda: create_ds(agent, kb_id, BUCKET, {"chunkingStrategy": "HIERARCHICAL",
        "hierarchicalChunkingConfiguration": {"levelConfigurations": [{"maxTokens": 100}, {"maxTokens": 500}], "overlapTokens": 20}}))
    assert "child chunk size (500) must be less than or equal to the parent chunk size (100)" in inverted["Error"]["Message"]
    assert agent.list_data_sources(knowledgeBaseId=kb_id)["dataSourceSummaries"] == []


def test_a_data_source_on_a_missing_bucket_and_unknown_ids(agent):
    kb_id = create_kb(agent)
    missing = _error(lambda: create_ds(agent, kb_id, "no-such-bucket-here"))
    assert missing["Error"]["Code"] == "ValidationException"
    assert "no-such-bucket-here does not exist" in missing["Error"]["Message"]
    unknown = _error(lambda: agent.get_knowledge_base(knowledgeBaseId="ABCDEFGHIJ"))
    assert unknown["ResponseMetadata"]["HTTPStatusCode"] == 404 and unknown["Error"]["Code"] == "ResourceNotFoundException"
    bad_id = _error(lambda: agent.get_knowledge_base(knowledgeBaseId="short"))
    assert "Member must satisfy regular expression pattern: [0-9a-zA-Z]{10}" in bad_id["Error"]["Message"]


def test_knowledge_base_configuration_is_checked(agent, aws):
    def create(**overrides):
        kwargs = {"name": "kb", "roleArn": ROLE_ARN, "storageConfiguration": STORAGE,
                  "knowledgeBaseConfiguration": {"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED}}}
        kwargs.update(overrides)
        return agent.create_knowledge_base(**kwargs)

    text_model = _error(lambda: create(knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
        "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}}))
    assert "not a supported embedding model" in text_model["Error"]["Message"]
    dims = _error(lambda: create(knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
        "embeddingModelArn": EMBED, "embeddingModelConfiguration": {"bedrockEmbeddingModelConfiguration": {"dimensions": 768}}}}))
    assert "does not support 768 dimensions" in dims["Error"]["Message"]
    storage = _error(lambda: create(storageConfiguration={"type": "PINECONE"}))
    assert storage["Error"]["Message"] == "pineconeConfiguration is required when the storage type is PINECONE."
    aws("iam").create_role(RoleName="lambda-only", AssumeRolePolicyDocument=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    untrusted = _error(lambda: create(roleArn="arn:aws:iam::123456789012:role/lambda-only"))
    assert "bedrock.amazonaws.com" in untrusted["Error"]["Message"]
    assert agent.list_knowledge_bases()["knowledgeBaseSummaries"] == []


def test_a_role_without_get_object_fails_ingestion_with_the_access_denied_reason(agent, aws):
    aws("iam").put_role_policy(RoleName=ROLE, PolicyName="kb-access", PolicyDocument=role_policy(BUCKET, get_object=False))
    kb_id = create_kb(agent)
    ds_id = create_ds(agent, kb_id, BUCKET)
    job = ingest(agent, kb_id, ds_id)
    assert job["status"] == "FAILED"
    reason = job["failureReasons"][0]
    assert (f"User: arn:aws:sts::123456789012:assumed-role/{ROLE}/BedrockKnowledgeBaseIngestion is not authorized to "
            f"perform: s3:GetObject on resource: \"arn:aws:s3:::{BUCKET}/docs/") in reason
    assert "because no identity-based policy allows the s3:GetObject action" in reason


def test_sse_kms_objects_need_the_key_in_the_role(agent, aws):
    kms = aws("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    s3 = aws("s3")
    s3.create_bucket(Bucket="kms-docs")
    s3.put_object(Bucket="kms-docs", Key="docs/secret.txt", Body=b"The vault code is kept by the finance team.",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    iam = aws("iam")
    iam.put_role_policy(RoleName=ROLE, PolicyName="kb-access", PolicyDocument=role_policy("kms-docs"))
    kb_id = create_kb(agent)
    ds_id = create_ds(agent, kb_id, "kms-docs")
    failed = ingest(agent, kb_id, ds_id)
    assert failed["status"] == "FAILED"
    assert f"is not authorized to perform: kms:Decrypt on resource: {key_arn}" in failed["failureReasons"][0]
    iam.put_role_policy(RoleName=ROLE, PolicyName="kb-access", PolicyDocument=role_policy("kms-docs", kms_key_arn=key_arn))
    done = ingest(agent, kb_id, ds_id)
    assert done["status"] == "COMPLETE" and done["statistics"]["numberOfNewDocumentsIndexed"] == 1


def test_one_job_at_a_time_and_stop(agent):
    kb_id = create_kb(agent)
    ds_id = create_ds(agent, kb_id, BUCKET)
    first = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"]
    busy = _error(lambda: agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id))
    assert busy["Error"]["Code"] == "ConflictException" and busy["ResponseMetadata"]["HTTPStatusCode"] == 409
    stopped = agent.stop_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=first["ingestionJobId"])
    assert stopped["ingestionJob"]["status"] == "STOPPING"
    assert ingest(agent, kb_id, ds_id, job=first)["status"] == "STOPPED"
