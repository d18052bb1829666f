"""bedrock-agent-runtime: Retrieve and RetrieveAndGenerate over a knowledge base's current chunks.

Retrieve embeds the query with the knowledge base's embedding model and returns the nearest chunks (filters,
scores, S3 location, metadata). RetrieveAndGenerate retrieves the same way, writes the answer from the passages
with a catalog model (citations: the generated span and the references behind it), keeps the conversation under a
sessionId for follow-ups, and records the generation in the Bedrock ledger.
"""

from __future__ import annotations

import uuid

from . import answer, engines, search
from .errors import not_found, validation
from .models import now

DEFAULT_RESULTS = 5
SESSION_HOURS = 24


def _vector_config(params: dict) -> dict:
    return ((params.get("retrievalConfiguration") or {}).get("vectorSearchConfiguration") or {})


def _retrieve(svc, kb_id: str, query: str, config: dict):
    kb = svc.kb(kb_id)
    if not query.strip():
        raise validation("1 validation error detected: Value '' at 'retrievalQuery.text' failed to satisfy "
                         "constraint: Member must have length greater than or equal to 1")
    chunks = svc.store.index(kb, now())
    try:
        found = search.search(chunks, query, kb.dimensions, int(config.get("numberOfResults") or DEFAULT_RESULTS),
                              config.get("filter"), config.get("overrideSearchType") or "SEMANTIC")
    except search.FilterError as exc:
        raise validation(str(exc)) from None
    return kb, found


def reference(chunk, score: float | None = None) -> dict:
    out = {
        "content": {"text": chunk.text, "type": "TEXT"},
        "location": {"type": "S3", "s3Location": {"uri": chunk.uri}},
        "metadata": dict(chunk.metadata),
    }
    if score is not None:
        out["score"] = score
    return out


def Retrieve(svc, info, params: dict) -> dict:
    query = (params.get("retrievalQuery") or {}).get("text") or ""
    _, found = _retrieve(svc, params["knowledgeBaseId"], query, _vector_config(params))
    return {"retrievalResults": [reference(c, s) for c, s in found]}


def _text_model(identifier: str):
    model = engines.resolve_model(identifier)
    if model is None:
        raise validation(f"The provided model identifier is invalid: {identifier}")
    if not engines.is_text(model):
        raise validation(f"The model {model.id} cannot generate text; use a text model for RetrieveAndGenerate.")
    return model


def RetrieveAndGenerate(svc, info, params: dict) -> dict:
    config = params.get("retrieveAndGenerateConfiguration") or {}
    if config.get("type") != "KNOWLEDGE_BASE":
        raise validation("The local cloud supports RetrieveAndGenerate with type KNOWLEDGE_BASE.")
    kb_config = config.get("knowledgeBaseConfiguration")
    if not kb_config:
        raise validation("knowledgeBaseConfiguration is required when the type is KNOWLEDGE_BASE.")
    model = _text_model(kb_config["modelArn"])
    generation = kb_config.get("generationConfiguration") or {}
    template = ((generation.get("promptTemplate") or {}).get("textPromptTemplate")) or answer.DEFAULT_PROMPT
    if "$search_results$" not in template:
        raise validation("The prompt template must contain the $search_results$ placeholder.")
    inference = ((generation.get("inferenceConfig") or {}).get("textInferenceConfig")) or {}
    question = params["input"]["text"]
    if not question.strip():
        raise validation("1 validation error detected: Value '' at 'input.text' failed to satisfy constraint: "
                         "Member must have length greater than or equal to 1")
    session_id = params.get("sessionId")
    turns: list[dict] = []
    if session_id:
        session = svc.store.sessions.get(session_id)
        if session is None or now() - session.get("updated", session["created"]) > SESSION_HOURS * 3600:
            raise not_found(f"Session with Id {session_id} is not valid. Start a new session without a sessionId.")
        turns = session["turns"]
    query = answer.follow_up_query(question, turns)
    kb, found = _retrieve(svc, kb_config["knowledgeBaseId"], query, _vector_config(kb_config))
    composed = answer.compose(question, found, kb.dimensions)
    max_tokens = inference.get("maxTokens")
    text = composed.text
    if max_tokens:
        cut = "".join(engines.token_pieces(text)[:max_tokens])
        if cut != text:
            text = cut
            composed.parts = [p for p in composed.parts if p.end <= len(text)]
    search_results = "\n".join(f"{i + 1}. {c.text}" for i, (c, _) in enumerate(found))
    in_tokens = engines.count_tokens(template.replace("$search_results$", search_results).replace("$query$", question)) \
        + engines.count_tokens(question)
    out_tokens = engines.count_tokens(text)
    session_id = session_id or str(uuid.uuid4())
    svc.commit({"op": "SessionTurn", "sessionId": session_id, "kbId": kb.id, "question": question, "query": query,
                "answer": text, "at": now()})
    _ledger(svc, info, model, question, text, in_tokens, out_tokens)
    citations = [{
        "generatedResponsePart": {"textResponsePart": {"text": p.text, "span": {"start": p.start, "end": p.end - 1}}},
        "retrievedReferences": [reference(c) for c in p.chunks],
    } for p in composed.parts]
    if composed.declined:
        citations = [{"generatedResponsePart": {"textResponsePart": {"text": text, "span": {"start": 0, "end": max(0, len(text) - 1)}}},
                      "retrievedReferences": []}]
    return {"sessionId": session_id, "output": {"text": text}, "citations": citations}


def _ledger(svc, info, model, question: str, text: str, in_tokens: int, out_tokens: int) -> None:
    """The generation is a model invocation by the caller: it goes in the ledger (and so in the cost view)."""
    state = engines.bedrock_state(svc.cloud)
    if state is None:
        return
    from ..bedrock import engine

    answer = engine.Answer(text, model.id, in_tokens, out_tokens, "end_turn", model.cost(in_tokens, out_tokens),
                           grounded=True, grounding=None, relevance=None, seed=0, task="rag")
    engine.record(state, operation="RetrieveAndGenerate", answer=answer, caller_access_key=info.access_key,
                  region=info.region, prompt=question)
