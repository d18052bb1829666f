"""Reference solution of hallucination-grounding (boto3). Builds on s3-genai-storage (bucket genai-outputs, key
alias/genai-lab). Safe to run twice.

1. asks the model about Lumina Tecnologia with no documents (it invents);
2. uploads the company's documents under docs/;
3. deploys genai-rag, RAG by hand (chunk, embed, top 3 by cosine, answer from the passages, sources);
4. builds the Knowledge Base genai-kb on the same documents (fixed-size chunking), ingests them and asks it with
   RetrieveAndGenerate.
"""

import json
import os
import shutil
import time
from pathlib import Path

import boto3

from gailab.labs.deploy import deploy_from_env
from gailab.labs.quiz import answer_from_env

REGION, ACCOUNT = "us-east-1", "123456789012"
BUCKET = "genai-outputs"
MODEL_ID = "amazon.nova-micro-v1:0"
EMBED_MODEL_ID = "amazon.titan-embed-text-v2:0"
FUNCTION, FUNCTION_ROLE = "genai-rag", "genai-rag-role"
KB_NAME, KB_ROLE = "genai-kb", "genai-kb-role"
MODEL_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL_ID}"
EMBED_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/{EMBED_MODEL_ID}"

iam = boto3.client("iam", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)
lam = boto3.client("lambda", region_name=REGION)
runtime = boto3.client("bedrock-runtime", region_name=REGION)
agent = boto3.client("bedrock-agent", region_name=REGION)
agent_runtime = boto3.client("bedrock-agent-runtime", region_name=REGION)
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
lab_dir = Path(os.environ["GAILAB_LAB_DIR"])

# 1. No documents: the model has never seen Lumina's policies, and answers anyway.
invented = runtime.converse(
    modelId=MODEL_ID, inferenceConfig={"temperature": 0, "maxTokens": 200},
    messages=[{"role": "user", "content": [{"text": "Quantos dias por semana a Lumina Tecnologia permite "
                                                     "trabalhar de casa?"}]}])
print("without documents:", invented["output"]["message"]["content"][0]["text"][:120])

# 2. The documents, under docs/ (the bucket's default encryption, SSE-KMS with the lab key, applies).
docs = workspace / "docs" if (workspace / "docs").is_dir() else lab_dir / "starter" / "docs"
for path in sorted(docs.iterdir()):
    s3.put_object(Bucket=BUCKET, Key=f"docs/{path.name}", Body=path.read_bytes(),
                  ContentType="text/markdown; charset=utf-8" if path.suffix == ".md" else "text/plain; charset=utf-8")

# 3. RAG by hand: the function's role, then the function, deployed from the workspace as Ctrl+D does.
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]


def role(name, service, statements):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


read_docs = [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/docs/*"},
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
]
role(FUNCTION_ROLE, "lambda.amazonaws.com", read_docs + [
    {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": [MODEL_ARN, EMBED_ARN]},
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{FUNCTION}:*"},
])
shutil.copy(Path(__file__).with_name("lambda_function.py"), workspace / "lambda_function.py")
deploy_from_env()
lam.update_function_configuration(FunctionName=FUNCTION, Timeout=60, MemorySize=512, Environment={
    "Variables": {"MODEL_ID": MODEL_ID, "EMBED_MODEL_ID": EMBED_MODEL_ID}})
lam.get_waiter("function_updated_v2").wait(FunctionName=FUNCTION)
answer = json.loads(lam.invoke(FunctionName=FUNCTION, Payload=json.dumps(
    {"question": "Quantos dias por semana posso trabalhar de casa?"}))["Payload"].read())
print("genai-rag:", answer.get("sources"), answer.get("answer", "")[:100])

# 4. The same documents in a Knowledge Base: a service role Bedrock assumes, the knowledge base, an S3 data source
#    with an explicit chunking configuration, an ingestion job, then RetrieveAndGenerate with citations.
kb_role_arn = role(KB_ROLE, "bedrock.amazonaws.com", read_docs + [
    {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": EMBED_ARN},
])
kb = next((k for k in agent.list_knowledge_bases()["knowledgeBaseSummaries"] if k["name"] == KB_NAME), None)
if kb is None:
    kb = agent.create_knowledge_base(
        name=KB_NAME, roleArn=kb_role_arn,
        knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": EMBED_ARN}},
        storageConfiguration={"type": "OPENSEARCH_SERVERLESS", "opensearchServerlessConfiguration": {
            "collectionArn": f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/genaikb0001",
            "vectorIndexName": "genai-kb-index",
            "fieldMapping": {"vectorField": "vector", "textField": "text", "metadataField": "metadata"}}},
    )["knowledgeBase"]
kb_id = kb["knowledgeBaseId"]
while agent.get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"]["status"] != "ACTIVE":
    time.sleep(0.2)
sources = agent.list_data_sources(knowledgeBaseId=kb_id)["dataSourceSummaries"]
if sources:
    ds_id = sources[0]["dataSourceId"]
else:
    ds_id = agent.create_data_source(
        knowledgeBaseId=kb_id, name="genai-docs",
        dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{BUCKET}",
                                                                   "inclusionPrefixes": ["docs/"]}},
        vectorIngestionConfiguration={"chunkingConfiguration": {
            "chunkingStrategy": "FIXED_SIZE",
            "fixedSizeChunkingConfiguration": {"maxTokens": 200, "overlapPercentage": 20}}},
    )["dataSource"]["dataSourceId"]
job = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"]
deadline = time.monotonic() + 60
while job["status"] not in ("COMPLETE", "FAILED", "STOPPED") and time.monotonic() < deadline:
    time.sleep(0.2)
    job = agent.get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                  ingestionJobId=job["ingestionJobId"])["ingestionJob"]
print("ingestion:", job["status"], job.get("statistics"))
reply = agent_runtime.retrieve_and_generate(
    input={"text": "Em quanto tempo o reembolso de uma despesa de viagem é pago?"},
    retrieveAndGenerateConfiguration={"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
        "knowledgeBaseId": kb_id, "modelArn": MODEL_ARN}})
cited = [ref["location"]["s3Location"]["uri"] for c in reply["citations"] for ref in c["retrievedReferences"]]
print("genai-kb:", reply["output"]["text"][:100], cited[:2])

# 5. The quiz, answered from the manifest's hashes (no answer is written in the lab's files).
answer_from_env()
