"""Shared fixtures for knowledge-base tests: a bucket of pt-BR and en company documents and a service role."""

from __future__ import annotations

import json
import time
import zlib

ROLE = "kb-service-role"
ROLE_ARN = f"arn:aws:iam::123456789012:role/{ROLE}"
EMBED = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
STORAGE = {
    "type": "OPENSEARCH_SERVERLESS",
    "opensearchServerlessConfiguration": {
        "collectionArn": "arn:aws:aoss:us-east-1:123456789012:collection/abcdefghij",
        "vectorIndexName": "kb-index",
        "fieldMapping": {"vectorField": "vector", "textField": "text", "metadataField": "metadata"},
    },
}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                            "Action": "sts:AssumeRole"}]})

DOCS = {
    "docs/ferias.txt": (
        "Política de férias da Acme Turismo. Cada colaborador tem direito a 30 dias de férias remuneradas por ano. "
        "O pedido de férias deve ser feito no portal de RH com pelo menos 15 dias de antecedência. "
        "As férias podem ser divididas em até três períodos."
    ),
    "docs/home-office.md": (
        "# Trabalho remoto\n\nNa Acme Turismo, os colaboradores podem trabalhar de casa até dois dias por semana. "
        "O gestor da equipe aprova a escala de trabalho remoto. A empresa fornece um notebook e um monitor."
    ),
    "docs/expenses.html": (
        "<html><head><title>Expense policy</title><style>p{}</style></head><body><h1>Travel expenses</h1>"
        "<p>Acme Travel reimburses business travel expenses within ten business days after the receipt is uploaded "
        "to the finance portal.</p><p>Hotel stays are limited to 180 dollars per night.</p></body></html>"
    ),
    "docs/security.txt": (
        "Security guidelines. Passwords must have at least 14 characters and are rotated every 90 days. "
        "Multi-factor authentication is mandatory for every employee account. Laptops must use full-disk encryption."
    ),
    "docs/plans.csv": "Plano,Preço mensal,Destinos\nBásico,49 reais,Nacional\nPremium,99 reais,Internacional\n",
}
METADATA = {
    "docs/ferias.txt.metadata.json": {"metadataAttributes": {"department": "rh", "year": 2024, "language": "pt-BR"}},
    "docs/security.txt.metadata.json": {"metadataAttributes": {"department": "ti", "year": 2025, "language": "en"}},
    "docs/expenses.html.metadata.json": {"metadataAttributes": {"department": "finance", "year": 2023, "language": "en"}},
}


def pdf_bytes(text: str) -> bytes:
    """A small, valid one-page PDF with ``text`` (compressed content stream, standard font)."""
    content = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" /Filter /FlateDecode >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


PDF_TEXT = "The Acme Travel loyalty program gives one point for every dollar spent on flights."


def role_policy(bucket: str, *, get_object: bool = True, kms_key_arn: str | None = None) -> str:
    statements = [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": EMBED},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
    ]
    if get_object:
        statements.append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    if kms_key_arn:
        statements.append({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": kms_key_arn})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def make_role(iam, bucket: str, **kwargs) -> str:
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName=ROLE, PolicyName="kb-access", PolicyDocument=role_policy(bucket, **kwargs))
    return ROLE_ARN


def upload(s3, bucket: str, *, extra: dict | None = None) -> None:
    s3.create_bucket(Bucket=bucket)
    for key, text in DOCS.items():
        s3.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
    for key, meta in METADATA.items():
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(meta).encode())
    s3.put_object(Bucket=bucket, Key="docs/loyalty.pdf", Body=pdf_bytes(PDF_TEXT))
    for key, body in (extra or {}).items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def create_kb(agent, name: str = "acme-kb") -> str:
    return agent.create_knowledge_base(
        name=name, roleArn=ROLE_ARN,
        knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED}},
        storageConfiguration=STORAGE)["knowledgeBase"]["knowledgeBaseId"]


def create_ds(agent, kb_id: str, bucket: str, chunking: dict | None = None, name: str = "acme-docs") -> str:
    kwargs = {"vectorIngestionConfiguration": {"chunkingConfiguration": chunking}} if chunking else {}
    return agent.create_data_source(
        knowledgeBaseId=kb_id, name=name,
        dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{bucket}",
                                                                     "inclusionPrefixes": ["docs/"]}},
        **kwargs)["dataSource"]["dataSourceId"]


def ingest(agent, kb_id: str, ds_id: str, deadline: float = 30.0, job: dict | None = None) -> dict:
    """Start a job (or take a started one) and poll it until it ends (COMPLETE, FAILED or STOPPED)."""
    job = job or agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"]
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        job = agent.get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                      ingestionJobId=job["ingestionJobId"])["ingestionJob"]
        if job["status"] in ("COMPLETE", "FAILED", "STOPPED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"ingestion job still {job['status']} after {deadline} s")


def active(agent, kb_id: str, deadline: float = 30.0) -> dict:
    """Poll a knowledge base until it is ACTIVE (it is CREATING for a moment after CreateKnowledgeBase)."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        kb = agent.get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"]
        if kb["status"] == "ACTIVE":
            return kb
        time.sleep(0.05)
    raise AssertionError(f"knowledge base {kb_id} not ACTIVE after {deadline} s")
