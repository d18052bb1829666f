"""Checks of hallucination-grounding: graded with the grader's own paraphrased questions (pt-BR and en), never the
instructions' examples — asked of the learner's function genai-rag and of the Knowledge Base genai-kb — and one
question the documents do not answer. The ledger shows whether each answer was grounded in the passages."""

import json
from pathlib import Path

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import awslambda, bedrock, s3

BUCKET = "genai-outputs"
FUNCTION, KB_NAME = "genai-rag", "genai-kb"
COMPANY = "Lumina"
DOCS_DIR = Path(__file__).resolve().parent / "starter" / "docs"
TEXT_OPS = ("InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream")
# (question, the document that answers it, a phrase of that document the answer must be grounded in)
QUESTIONS = (
    ("Quantos dias por semana posso ficar em home office?", "trabalho-remoto.md", "até três dias por semana"),
    ("How early does a new hire get their laptop?", "onboarding.md", "five business days"),
    ("Em quanto tempo o dinheiro das despesas de viagem volta para mim?", "reembolso.txt", "10 dias úteis"),
    ("How long must a password be at minimum?", "security.txt", "at least 16 characters"),
)
KB_QUESTIONS = (
    ("Com quanta antecedência preciso pedir as minhas férias?", "ferias.txt"),
    ("When must security awareness training be finished?", "onboarding.md"),
)
UNANSWERABLE = "A Lumina oferece auxílio-academia?"
GRADER_QUESTIONS = [q for q, _, _ in QUESTIONS] + [q for q, _ in KB_QUESTIONS] + [UNANSWERABLE]
DECLINES = ("não sei", "nao sei", "i don't know", "i do not know", "i don’t know")


def _doc_of(source) -> str:
    """'docs/x.txt', 's3://genai-outputs/docs/x.txt' or 'x.txt' -> 'x.txt'."""
    return str(source).rstrip("/").rsplit("/", 1)[-1]


@check("ungrounded-call")
def ungrounded_call(ctx):
    calls = [r for r in bedrock.invocations(ctx) if r.get("operation") in TEXT_OPS and not r.get("error")
             and COMPANY.lower() in (r.get("prompt") or "").lower()
             and not any(q in (r.get("prompt") or "") for q in GRADER_QUESTIONS)]  # not the grader's own probes
    invented = [r for r in calls if r.get("grounded") is False]
    if invented:
        return Pass(actual={"requestId": invented[-1]["requestId"], "grounded": False})
    return Fail(T(f"no call asked the model about {COMPANY} Tecnologia without documents",
                  f"nenhuma chamada perguntou ao modelo sobre a {COMPANY} Tecnologia sem documentos"),
                expected={"prompt": f"… {COMPANY} …", "grounded": False},
                actual=[{"requestId": r["requestId"], "grounded": r.get("grounded")} for r in calls[-3:]] or None)


@check("docs-uploaded")
def docs_uploaded(ctx):
    missing, different, unencrypted = [], [], []
    for path in sorted(DOCS_DIR.iterdir()):
        key = f"docs/{path.name}"
        body = s3.get_object(ctx, BUCKET, key)
        if body is None:
            missing.append(key)
        elif body != path.read_bytes():
            different.append(key)
        elif (s3.object_info(ctx, BUCKET, key) or {}).get("ServerSideEncryption") not in ("aws:kms", "aws:kms:dsse"):
            unencrypted.append(key)
    if missing or different:
        return Fail(T(f"not every document is in s3://{BUCKET}/docs/ as the lab gives it",
                      f"nem todos os documentos estão em s3://{BUCKET}/docs/ como o lab os entrega"),
                    expected=[f"docs/{p.name}" for p in sorted(DOCS_DIR.iterdir())],
                    actual={"missing": missing, "changed": different})
    return expect(not unencrypted, T("some documents are not encrypted with SSE-KMS",
                                     "alguns documentos não estão criptografados com SSE-KMS"),
                  expected="aws:kms", actual=unencrypted)


@check("rag-function")
def rag_function(ctx):
    config = awslambda.function(ctx, FUNCTION)
    if config is None:
        return Fail(T(f"function {FUNCTION} does not exist", f"a função {FUNCTION} não existe"),
                    expected=FUNCTION, actual=None)
    return expect(config.get("Timeout", 3) >= 30, T(f"{FUNCTION} times out in {config.get('Timeout')} s: embedding "
                                                    "the documents and answering needs 30 s or more",
                                                    f"{FUNCTION} expira em {config.get('Timeout')} s: gerar os "
                                                    "embeddings dos documentos e responder precisa de 30 s ou mais"),
                  expected="Timeout >= 30", actual=f"Timeout {config.get('Timeout')}")


def _ask(ctx, question: str) -> dict:
    """The function's answer to one of the grader's questions (invoked once per grading run)."""
    key = ("hg.ask", question)
    if key not in ctx.cache:
        ctx.cache[key] = awslambda.invoke(ctx, FUNCTION, {"question": question})
    return ctx.cache[key]


def _payload(ctx, question: str):
    """(payload dict, None) or (None, Fail) for an invoke that failed or answered out of shape."""
    answer = _ask(ctx, question)
    payload = answer.get("payload")
    if answer.get("error"):
        return None, Fail(T(f"{FUNCTION} failed on the question \"{question}\"",
                            f"{FUNCTION} falhou na pergunta \"{question}\""),
                          expected='{"answer": …, "sources": […]}', actual=awslambda.error_detail(answer))
    if not isinstance(payload, dict) or not isinstance(payload.get("answer"), str):
        return None, Fail(T(f"{FUNCTION} must answer {{\"answer\": text, \"sources\": [keys]}}",
                            f"{FUNCTION} deve responder {{\"answer\": texto, \"sources\": [chaves]}}"),
                          expected='{"answer": …, "sources": […]}', actual=payload)
    return payload, None


@check("rag-sources")
def rag_sources(ctx):
    for question, doc, _ in QUESTIONS:
        payload, failure = _payload(ctx, question)
        if failure:
            return failure
        sources = payload.get("sources")
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
            return Fail(T(f"the answer to \"{question}\" names no sources", f"a resposta a \"{question}\" não cita "
                          "as fontes"), expected={"sources": [f"docs/{doc}", "…"]}, actual=payload)
        if len(sources) > 3:
            return Fail(T(f"the answer to \"{question}\" names {len(sources)} sources: the top 3 passages come "
                          "from 3 documents at most", f"a resposta a \"{question}\" cita {len(sources)} fontes: os 3 "
                          "melhores trechos vêm de no máximo 3 documentos"), expected="1–3", actual=sources)
        if _doc_of(sources[0]) != doc:
            return Fail(T(f"for \"{question}\" the first source is {sources[0]}, not the document that answers it",
                          f"para \"{question}\" a primeira fonte é {sources[0]}, não o documento que responde"),
                        expected=f"docs/{doc}", actual=sources)
    return Pass(actual=len(QUESTIONS))


def _model_call(ctx, question: str):
    """The latest text-model call whose prompt (or body) holds the question: the one the function made."""
    records = ctx.admin("/_gailab/bedrock/invocations").get("invocations", [])
    for record in reversed(records):
        if record.get("operation") not in TEXT_OPS or record.get("error"):
            continue
        text = record.get("prompt") or ""
        if question not in text:
            text = json.dumps((record.get("request") or {}).get("body"), ensure_ascii=False)
        if question in text:
            return record, text
    return None, ""


def _embedded(ctx, question: str) -> bool:
    records = ctx.admin("/_gailab/bedrock/invocations").get("invocations", [])
    return any("embed" in r.get("modelId", "") and question in (r.get("prompt") or "") for r in records)


@check("rag-grounded")
def rag_grounded(ctx):
    for question, doc, phrase in QUESTIONS:
        payload, failure = _payload(ctx, question)
        if failure:
            return failure
        record, text = _model_call(ctx, question)
        if record is None:
            return Fail(T(f"{FUNCTION} made no model call for \"{question}\"", f"{FUNCTION} não fez nenhuma chamada "
                          f"ao modelo para \"{question}\""), expected="Converse / InvokeModel", actual=None)
        if not _embedded(ctx, question):
            return Fail(T(f"the question \"{question}\" was never embedded: retrieval by meaning starts with the "
                          "question's vector", f"a pergunta \"{question}\" nunca virou embedding: a busca por "
                          "significado começa pelo vetor da pergunta"),
                        expected="amazon.titan-embed-…", actual=None)
        if phrase not in text or not record.get("grounded"):
            return Fail(T(f"the answer to \"{question}\" is not grounded in the passage of docs/{doc}",
                          f"a resposta a \"{question}\" não está fundamentada no trecho de docs/{doc}"),
                        expected={"passage": phrase, "grounded": True},
                        actual={"requestId": record["requestId"], "grounded": record.get("grounded"),
                                "passage": phrase in text})
    return Pass(actual=len(QUESTIONS))


@check("rag-declines")
def rag_declines(ctx):
    payload, failure = _payload(ctx, UNANSWERABLE)
    if failure:
        return failure
    answer = payload["answer"]
    declined = any(d in answer.lower() for d in DECLINES)
    record, _ = _model_call(ctx, UNANSWERABLE)
    invented = record is not None and record.get("grounded") is False
    return expect(declined and not invented,
                  T(f"the documents do not answer \"{UNANSWERABLE}\", and the function did not decline",
                    f"os documentos não respondem \"{UNANSWERABLE}\", e a função não recusou"),
                  expected="não sei / I don't know", actual=answer[:200])


def _knowledge_base(ctx):
    if "hg.kb" not in ctx.cache:
        agent = ctx.client("bedrock-agent")
        found = next((k for k in agent.list_knowledge_bases().get("knowledgeBaseSummaries", [])
                      if k["name"] == KB_NAME), None)
        ctx.cache["hg.kb"] = agent.get_knowledge_base(knowledgeBaseId=found["knowledgeBaseId"])["knowledgeBase"] \
            if found else None
    return ctx.cache["hg.kb"]


@check("kb-ingested")
def kb_ingested(ctx):
    kb = _knowledge_base(ctx)
    if kb is None or kb.get("status") != "ACTIVE":
        return Fail(T(f"no active knowledge base named {KB_NAME}", f"nenhuma base de conhecimento ativa chamada "
                      f"{KB_NAME}"), expected={"name": KB_NAME, "status": "ACTIVE"},
                    actual=kb.get("status") if kb else None)
    agent, kb_id = ctx.client("bedrock-agent"), kb["knowledgeBaseId"]
    seen = []
    for summary in agent.list_data_sources(knowledgeBaseId=kb_id).get("dataSourceSummaries", []):
        ds = agent.get_data_source(knowledgeBaseId=kb_id, dataSourceId=summary["dataSourceId"])["dataSource"]
        s3_config = ds.get("dataSourceConfiguration", {}).get("s3Configuration", {})
        chunking = ds.get("vectorIngestionConfiguration", {}).get("chunkingConfiguration")
        seen.append({"name": ds.get("name"), "bucketArn": s3_config.get("bucketArn"), "chunking": chunking})
        if s3_config.get("bucketArn") != f"arn:aws:s3:::{BUCKET}":
            continue
        chunking = chunking or {"chunkingStrategy": "FIXED_SIZE"}  # what a data source without one uses
        jobs = agent.list_ingestion_jobs(knowledgeBaseId=kb_id, dataSourceId=ds["dataSourceId"],
                                         sortBy={"attribute": "STARTED_AT", "order": "DESCENDING"}
                                         ).get("ingestionJobSummaries", [])
        done = [j for j in jobs if j.get("status") == "COMPLETE"]
        if done:
            return Pass(actual={"dataSource": ds.get("name"), "chunking": chunking.get("chunkingStrategy"),
                                "ingestion": done[0]["ingestionJobId"]})
        return Fail(T(f"the data source {ds.get('name')} has no complete ingestion job",
                      f"a fonte de dados {ds.get('name')} não tem nenhum trabalho de ingestão concluído"),
                    expected="COMPLETE", actual=[j.get("status") for j in jobs] or None)
    return Fail(T(f"{KB_NAME} has no S3 data source on {BUCKET}", f"{KB_NAME} não tem fonte de dados S3 em {BUCKET}"),
                expected={"bucketArn": f"arn:aws:s3:::{BUCKET}"},
                actual=seen or None)


@check("kb-answers")
def kb_answers(ctx):
    if not any(r.get("operation") == "RetrieveAndGenerate" for r in bedrock.invocations(ctx)):
        return Fail(T("you have not asked the knowledge base with RetrieveAndGenerate yet",
                      "você ainda não perguntou à base de conhecimento com RetrieveAndGenerate"),
                    expected="RetrieveAndGenerate", actual=None)
    kb = _knowledge_base(ctx)
    runtime = ctx.client("bedrock-agent-runtime")
    model_arn = f"arn:aws:bedrock:{ctx.region}::foundation-model/amazon.nova-micro-v1:0"
    for question, doc in KB_QUESTIONS:
        reply = runtime.retrieve_and_generate(
            input={"text": question},
            retrieveAndGenerateConfiguration={"type": "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {
                "knowledgeBaseId": kb["knowledgeBaseId"], "modelArn": model_arn}})
        cited = [ref.get("location", {}).get("s3Location", {}).get("uri", "")
                 for c in reply.get("citations", []) for ref in c.get("retrievedReferences", [])]
        if not cited or _doc_of(cited[0]) != doc:
            return Fail(T(f"asked \"{question}\", {KB_NAME} does not cite docs/{doc} first",
                          f"perguntado \"{question}\", {KB_NAME} não cita docs/{doc} primeiro"),
                        expected=f"s3://{BUCKET}/docs/{doc}", actual=cited[:3] or None)
    return Pass(actual=len(KB_QUESTIONS))
