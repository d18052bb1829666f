"""Least privilege for Knowledge Bases: actions on the knowledge base's ARN, PassRole for its service role, and
RetrieveAndGenerate needing Retrieve on the knowledge base and InvokeModel on the model."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kbdocs import EMBED, ROLE_ARN, STORAGE, create_ds, create_kb, ingest, make_role, upload

BUCKET = "kb-iam-docs"
MODEL = "amazon.nova-micro-v1:0"
MODEL_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"
TRUST_ANY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})


def _as_role(cloud, aws, name: str, statements: list[dict]):
    iam = aws("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ANY)
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    creds = aws("sts").assume_role(RoleArn=f"arn:aws:iam::123456789012:role/{name}", RoleSessionName="app")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name="us-east-1")
    return lambda service: session.client(service, endpoint_url=cloud.endpoint, config=Config(retries={"max_attempts": 1}))


def _error(call) -> dict:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def test_retrieve_and_generate_needs_the_knowledge_base_and_the_model(cloud, aws):
    make_role(aws("iam"), BUCKET)
    upload(aws("s3"), BUCKET)
    agent = aws("bedrock-agent")
    kb_id = create_kb(agent)
    ingest(agent, kb_id, create_ds(agent, kb_id, BUCKET))
    kb_arn = f"arn:aws:bedrock:us-east-1:123456789012:knowledge-base/{kb_id}"
    app = _as_role(cloud, aws, "rag-app", [
        {"Effect": "Allow", "Action": ["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"], "Resource": kb_arn}])
    runtime = app("bedrock-agent-runtime")
    assert runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": "hotel per night"})["retrievalResults"]
    config = {"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {"knowledgeBaseId": kb_id, "modelArn": MODEL_ARN}}
    denied = _error(lambda: runtime.retrieve_and_generate(input={"text": "hotel limit?"}, retrieveAndGenerateConfiguration=config))
    assert denied["Error"]["Code"] == "AccessDeniedException"
    assert f"is not authorized to perform: bedrock:InvokeModel on resource: {MODEL_ARN}" in denied["Error"]["Message"]
    other = _error(lambda: runtime.retrieve(knowledgeBaseId="ZZZZZZZZZZ", retrievalQuery={"text": "x"}))
    assert "bedrock:Retrieve on resource: arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ZZZZZZZZZZ" in other["Error"]["Message"]
    aws("iam").put_role_policy(RoleName="rag-app", PolicyName="model", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": MODEL_ARN}]}))
    answer = runtime.retrieve_and_generate(input={"text": "What is the hotel limit per night?"}, retrieveAndGenerateConfiguration=config)
    assert "180 dollars" in answer["output"]["text"]
    build = _error(lambda: app("bedrock-agent").start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId="ABCDEFGHIJ"))
    assert f"bedrock:StartIngestionJob on resource: {kb_arn}" in build["Error"]["Message"]


def test_creating_a_knowledge_base_needs_pass_role(cloud, aws):
    make_role(aws("iam"), BUCKET)
    admin = _as_role(cloud, aws, "kb-admin", [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}])
    kwargs = {"name": "kb", "roleArn": ROLE_ARN, "storageConfiguration": STORAGE,
              "knowledgeBaseConfiguration": {"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED}}}
    denied = _error(lambda: admin("bedrock-agent").create_knowledge_base(**kwargs))
    assert f"iam:PassRole on resource: {ROLE_ARN}" in denied["Error"]["Message"]
    aws("iam").put_role_policy(RoleName="kb-admin", PolicyName="pass", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ROLE_ARN}]}))
    assert admin("bedrock-agent").create_knowledge_base(**kwargs)["knowledgeBase"]["status"] == "CREATING"
