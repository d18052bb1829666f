"""Retrieval by meaning, not keywords: paraphrased questions with no word in common with the document, and
questions in the other language, find the right document first."""

from __future__ import annotations

import pytest

from kbdocs import create_ds, create_kb, ingest, make_role, upload

BUCKET = "meaning-docs"
CASES = [
    ("How much time off do staff get each year?", "docs/ferias.txt"),
    ("Can I do my job from home?", "docs/home-office.md"),
    ("Qual é o tamanho mínimo da senha?", "docs/security.txt"),
    ("Em quanto tempo a empresa devolve o dinheiro gasto em viagens?", "docs/expenses.html"),
    ("Quantos pontos ganho por voo?", "docs/loyalty.pdf"),
]


@pytest.fixture(scope="module")
def kb_id(gailab_session_cloud):
    import boto3

    gailab_session_cloud.reset()
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    aws = lambda service: session.client(service, endpoint_url=gailab_session_cloud.endpoint)  # noqa: E731
    make_role(aws("iam"), BUCKET)
    upload(aws("s3"), BUCKET)
    agent = aws("bedrock-agent")
    kb = create_kb(agent)
    ingest(agent, kb, create_ds(agent, kb, BUCKET))
    return kb, aws


@pytest.mark.parametrize("question,expected", CASES)
def test_paraphrases_and_translations_find_the_right_document_first(kb_id, question, expected):
    kb, aws = kb_id
    results = aws("bedrock-agent-runtime").retrieve(knowledgeBaseId=kb, retrievalQuery={"text": question})["retrievalResults"]
    assert results[0]["location"]["s3Location"]["uri"] == f"s3://{BUCKET}/{expected}", [
        (r["location"]["s3Location"]["uri"], r["score"]) for r in results]
