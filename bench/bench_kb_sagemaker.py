"""Bench Knowledge Bases and SageMaker endpoints: ingestion of 200 documents (seconds, from StartIngestionJob to
COMPLETE, with the simulated and the real compute time), Retrieve p50 over those documents, InvokeEndpoint p50 on a
TGI (text generation) and a TEI (embeddings) endpoint, and the restart time with all of it in the journal.
The cloud runs in a child process, as `gailab serve` does.

    .venv/bin/python bench/bench_kb_sagemaker.py [--documents 200] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time

import boto3
from botocore.config import Config

from gailab.simulator.core.process import CloudProcess

EMBED = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
ROLE = "arn:aws:iam::123456789012:role/bench-kb"
SM_ROLE = "arn:aws:iam::123456789012:role/bench-sm"
TGI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
TEI = "683313688378.dkr.ecr.us-east-1.amazonaws.com/tei:2.0.1-tei1.2.3-gpu-py310-cu122-ubuntu22.04"
TOPICS = ["vacation policy", "travel expenses", "security guidelines", "remote work", "loyalty program", "refunds",
          "hotel bookings", "onboarding", "benefits", "training budget"]
WORDS = ("booking customer flight hotel refund policy employee manager approval portal days weeks budget travel "
         "passport visa insurance luggage seat upgrade points partner airline schedule invoice receipt").split()


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def document(i: int, rng: random.Random) -> str:
    topic = TOPICS[i % len(TOPICS)]
    sentences = [f"Document {i} describes the {topic} of Acme Travel."]
    for _ in range(rng.randint(8, 20)):
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + ".")
    return " ".join(sentences)


def p50(fn, n: int) -> float:
    for _ in range(5):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def setup_kb(endpoint: str, documents: int) -> tuple[str, str, int]:
    iam, s3, agent = client("iam", endpoint), client("s3", endpoint), client("bedrock-agent", endpoint)
    iam.create_role(RoleName="bench-kb", AssumeRolePolicyDocument=trust("bedrock.amazonaws.com"))
    iam.put_role_policy(RoleName="bench-kb", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "bedrock:InvokeModel"], "Resource": "*"}]}))
    s3.create_bucket(Bucket="bench-docs")
    rng = random.Random(7)
    size = 0
    for i in range(documents):
        body = document(i, rng).encode()
        size += len(body)
        s3.put_object(Bucket="bench-docs", Key=f"docs/doc-{i:03d}.txt", Body=body)
    kb = agent.create_knowledge_base(
        name="bench", roleArn=ROLE,
        knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED}},
        storageConfiguration={"type": "S3_VECTORS", "s3VectorsConfiguration": {"indexName": "bench-index"}})["knowledgeBase"]
    ds = agent.create_data_source(knowledgeBaseId=kb["knowledgeBaseId"], name="docs", dataSourceConfiguration={
        "type": "S3", "s3Configuration": {"bucketArn": "arn:aws:s3:::bench-docs"}})["dataSource"]
    return kb["knowledgeBaseId"], ds["dataSourceId"], size


def ingest(endpoint: str, kb_id: str, ds_id: str) -> tuple[float, float, dict]:
    agent = client("bedrock-agent", endpoint)
    started = time.perf_counter()
    job = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"]
    start_call = time.perf_counter() - started
    while job["status"] not in ("COMPLETE", "FAILED"):
        time.sleep(0.02)
        job = agent.get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                      ingestionJobId=job["ingestionJobId"])["ingestionJob"]
    return time.perf_counter() - started, start_call, job


def setup_endpoints(endpoint: str) -> None:
    iam, sm = client("iam", endpoint), client("sagemaker", endpoint)
    iam.create_role(RoleName="bench-sm", AssumeRolePolicyDocument=trust("sagemaker.amazonaws.com"))
    for name, image, env in (("bench-tgi", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}),
                             ("bench-tei", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"})):
        sm.create_model(ModelName=name, ExecutionRoleArn=SM_ROLE, PrimaryContainer={"Image": image, "Environment": env})
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 1}])
        sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    for name in ("bench-tgi", "bench-tei"):
        while sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "Creating":
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        cloud = CloudProcess(home, port=0).start()
        try:
            kb_id, ds_id, size = setup_kb(cloud.endpoint, args.documents)
            seconds, start_call, job = ingest(cloud.endpoint, kb_id, ds_id)
            stats = job["statistics"]
            print(f"Ingestion of {args.documents} documents ({size / 1024:.0f} KB): {seconds:.2f} s to {job['status']} "
                  f"(StartIngestionJob call {start_call * 1000:.0f} ms; indexed {stats['numberOfNewDocumentsIndexed']})")
            runtime = client("bedrock-agent-runtime", cloud.endpoint)
            first = time.perf_counter()
            runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": "warm-up"})
            print(f"First Retrieve (chunks embedded): {(time.perf_counter() - first) * 1000:.0f} ms")
            queries = [f"What does the {t} say about approval?" for t in TOPICS]
            counter = iter(range(10**9))
            retrieve_ms = p50(lambda: runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": queries[next(counter) % len(queries)]}),
                              args.requests)
            print(f"Retrieve p50 (5 results over {args.documents} documents): {retrieve_ms:.2f} ms")
            setup_endpoints(cloud.endpoint)
            smr = client("sagemaker-runtime", cloud.endpoint)
            tgi_body = json.dumps({"inputs": "What is Amazon SageMaker JumpStart?", "parameters": {"max_new_tokens": 64}})
            tei_body = json.dumps({"inputs": "What is Amazon SageMaker JumpStart?"})
            tgi_ms = p50(lambda: smr.invoke_endpoint(EndpointName="bench-tgi", Body=tgi_body)["Body"].read(), args.requests)
            tei_ms = p50(lambda: smr.invoke_endpoint(EndpointName="bench-tei", Body=tei_body)["Body"].read(), args.requests)
            print(f"InvokeEndpoint p50, TGI text generation (64 new tokens): {tgi_ms:.2f} ms")
            print(f"InvokeEndpoint p50, TEI embeddings (384 dims): {tei_ms:.2f} ms")
        finally:
            cloud.stop()
        started = time.perf_counter()
        again = CloudProcess(home, port=0).start()
        try:
            ready = time.perf_counter() - started
            status = client("bedrock-agent", again.endpoint).get_ingestion_job(
                knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=job["ingestionJobId"])["ingestionJob"]["status"]
            print(f"Restart with the knowledge base in the journal: {ready:.2f} s to serving (job {status})")
        finally:
            again.stop()


if __name__ == "__main__":
    main()
