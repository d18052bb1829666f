"""bedrock-agent-runtime: Retrieve and RetrieveAndGenerate over a knowledge base's current chunks.

Retrieve embeds the query with the knowledge base's embedding model and returns the nearest chunks (filters,
scores, S3 location, metadata). RetrieveAndGenerate retrieves the same way, writes the answer from the passages
with a catalog model (citations: the generated span and the references behind it), keeps the conversation under a
sessionId for follow-ups, and records the generation in the Bedrock ledger.
"""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from ..core import awserrors
from . import answer, chunking, documents, engines, rag, search
from .errors import KbError, not_found, validation
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


reference = rag.reference


def Retrieve(svc, info, params: dict) -> dict:
    query = (params.get("retrievalQuery") or {}).get("text") or ""
    kb, found = _retrieve(svc, params["knowledgeBaseId"], query, _vector_config(params))
    _record_query(svc, info, kb, query)
    return {"retrievalResults": [reference(c, s) for c, s in found]}


def _text_model(identifier: str):
    model = engines.resolve_model(identifier)
    if model is None:
        raise validation(f"The provided model identifier is invalid: {identifier}")
    if not engines.is_text(model):
        raise validation(f"The model {model.id} cannot generate text; use a text model for RetrieveAndGenerate.")
    return model


def _guardrail(svc, generation: dict) -> tuple[tuple[str, str] | None, dict | None]:
    """The guardrail a generation configuration names: ((id, version), its policies), or (None, None)."""
    named = generation.get("guardrailConfiguration")
    if not named:
        return None, None
    from ..bedrock import guardrails
    from ..bedrock.errors import BedrockError

    gid, version = named.get("guardrailId"), named.get("guardrailVersion")
    state = engines.bedrock_state(svc.cloud)
    try:
        guardrails.check_identifier(gid, version)
        if state is None:
            raise not_found(f"The guardrail {gid} does not exist.")
        _, config, version = state.guardrails.config(gid, version)
    except BedrockError as exc:
        raise KbError(exc.code, exc.message, exc.status) from None
    return (gid, version), config


def _external_passages(sources: list[dict], region: str) -> list[tuple[rag.Passage, float | None]]:
    """External sources' text as passages (documents chunked the default way), in the order given."""
    from moto.s3.models import s3_backends

    from ..core.home import ACCOUNT_ID

    passages: list[tuple[rag.Passage, float | None]] = []
    for source in sources:
        kind = source.get("sourceType")
        if kind == "S3":
            uri = (source.get("s3Location") or {}).get("uri") or ""
            if not uri.startswith("s3://") or "/" not in uri[5:]:
                raise validation(f"The S3 URI {uri} is not valid. Use s3://bucket/key.")
            bucket, key = uri[5:].split("/", 1)
            try:
                data = bytes(s3_backends[ACCOUNT_ID]["aws"].get_object(bucket, key).value)
            except Exception:
                raise validation(f"The document at {uri} could not be read: the object does not exist.") from None
            name, location = key, None
        elif kind == "BYTE_CONTENT":
            content = source.get("byteContent") or {}
            data = content.get("data") or b""
            if isinstance(data, str):
                import base64
                import binascii

                try:
                    data = base64.b64decode(data, validate=True)
                except (binascii.Error, ValueError):
                    raise validation("byteContent.data is not valid base64.") from None
            name = content.get("identifier") or "document"
            uri = name
            location = {"type": "CUSTOM", "customDocumentLocation": {"id": name}}
            name = name + documents.MIME_EXTENSION.get(str(content.get("contentType") or "").split(";")[0], "") \
                if not documents.supported(name) else name
        else:
            raise validation(f"The sourceType {kind} is not valid. Use S3 or BYTE_CONTENT.")
        try:
            text = documents.text_of(name, data)
        except documents.Unreadable as exc:
            raise validation(f"The document {uri} could not be read: {exc}.") from None
        passages += [(rag.Passage(c.text, uri, {}, location), None) for c in chunking.chunk(text, None)]
    return passages


def _plan(svc, params: dict):
    """(model, question, query, passages, dims, generation settings, session, kb id or None) of a request."""
    config = params.get("retrieveAndGenerateConfiguration") or {}
    kind = config.get("type")
    question = params["input"]["text"]
    if not question.strip():
        raise validation("1 validation error detected: Value '' at 'input.text' failed to satisfy constraint: "
                         "Member must have length greater than or equal to 1")
    if kind == "KNOWLEDGE_BASE":
        source = config.get("knowledgeBaseConfiguration")
        if not source:
            raise validation("knowledgeBaseConfiguration is required when the type is KNOWLEDGE_BASE.")
    elif kind == "EXTERNAL_SOURCES":
        source = config.get("externalSourcesConfiguration")
        if not source:
            raise validation("externalSourcesConfiguration is required when the type is EXTERNAL_SOURCES.")
    else:
        raise validation(f"The type {kind} is not supported here. Use KNOWLEDGE_BASE or EXTERNAL_SOURCES.")
    model = _text_model(source["modelArn"])
    generation = source.get("generationConfiguration") or {}
    template = ((generation.get("promptTemplate") or {}).get("textPromptTemplate")) or None
    if template is not None and "$search_results$" not in template:
        raise validation("The prompt template must contain the $search_results$ placeholder.")
    return kind, source, model, question, generation, template


def _answer(svc, info, params: dict):
    """Everything RetrieveAndGenerate and its stream share: retrieval, generation, session turn, ledger."""
    kind, source, model, question, generation, template = _plan(svc, params)
    guard, guard_config = _guardrail(svc, generation)
    inference = ((generation.get("inferenceConfig") or {}).get("textInferenceConfig")) or {}
    session_id = params.get("sessionId")
    turns: list[dict] = []
    if session_id:
        session = svc.store.sessions.get(session_id)
        if session is None or now() - session.get("updated", session["created"]) > SESSION_HOURS * 3600:
            raise not_found(f"Session with Id {session_id} is not valid. Start a new session without a sessionId.")
        turns = session["turns"]
    query = answer.follow_up_query(question, turns)
    blocked = rag.input_blocked(guard_config, question)  # a blocked question retrieves nothing
    if kind == "KNOWLEDGE_BASE":
        kb = svc.kb(source["knowledgeBaseId"])
        found = [] if blocked else _retrieve(svc, source["knowledgeBaseId"], query, _vector_config(source))[1]
        dims, kb_id = kb.dimensions, kb.id
        passages = [(rag.Passage.of(c), s) for c, s in found]
        where = {"knowledgeBaseId": kb.id}
    else:
        sources = source.get("sources") or []
        passages = [] if blocked else _external_passages(sources, info.region or "us-east-1")
        dims, kb_id = 1024, None
        where = {"externalSources": [(s.get("s3Location") or {}).get("uri") or (s.get("byteContent") or {}).get("identifier")
                                     for s in sources if isinstance(s, dict)]}
    result = rag.generate(question, passages, dims, model, template=template or answer.DEFAULT_PROMPT,
                          max_tokens=inference.get("maxTokens"), guard_config=guard_config)
    session_id = session_id or str(uuid.uuid4())
    svc.commit({"op": "SessionTurn", "sessionId": session_id, "kbId": kb_id, "question": question, "query": query,
                "answer": result.text, "at": now()})
    if kind == "KNOWLEDGE_BASE" and not blocked:
        _record_query(svc, info, kb, query)
    request = rag.request_record(source["modelArn"], question, query, passages, dims, template,
                                 inference.get("maxTokens"), guard, where)
    _ledger(svc, info, model, question, result, request, guard, params.get("_operation", "RetrieveAndGenerate"))
    return session_id, result


def RetrieveAndGenerate(svc, info, params: dict) -> dict:
    session_id, result = _answer(svc, info, params)
    out = {"sessionId": session_id, "output": {"text": result.text}, "citations": result.citations()}
    if result.guardrail_action is not None:
        out["guardrailAction"] = result.guardrail_action
    return out


def RetrieveAndGenerateStream(svc, info, params: dict) -> Response:
    """The same answer as an event stream: text in pieces, each cited part followed by its citation event, then
    the guardrail's action when one was named; the session id in a header."""
    from ..bedrock import eventstream

    session_id, result = _answer(svc, info, dict(params, _operation="RetrieveAndGenerateStream"))
    frames: list[bytes] = []
    citations = result.citations()
    if result.parts:
        cursor = 0
        for part, citation in zip(result.parts, citations):
            for piece in _pieces(result.text[cursor:part.end]):
                frames.append(eventstream.event("output", {"text": piece}))
            cursor = part.end
            frames.append(eventstream.event("citation", {"citation": citation, **citation}))
        for piece in _pieces(result.text[cursor:]):
            frames.append(eventstream.event("output", {"text": piece}))
    else:
        frames += [eventstream.event("output", {"text": piece}) for piece in _pieces(result.text)]
        if not result.declined and citations and citations[0]["retrievedReferences"]:
            frames.append(eventstream.event("citation", {"citation": citations[0], **citations[0]}))
    if result.guardrail_action is not None:
        frames.append(eventstream.event("guardrail", {"action": result.guardrail_action}))
    return Response(b"".join(frames), status=200, content_type=eventstream.CONTENT_TYPE,
                    headers={"x-amzn-RequestId": awserrors.request_id(),
                             "x-amzn-bedrock-knowledge-base-session-id": session_id})


def _pieces(text: str, size: int = 6) -> list[str]:
    """Text in streaming pieces of a few tokens (their concatenation is the text)."""
    tokens = engines.token_pieces(text)
    return ["".join(tokens[i:i + size]) for i in range(0, len(tokens), size)] if text else []


def _record_query(svc, info, kb, query: str) -> None:
    """Embedding the query with the knowledge base's embedding model is an invocation the caller pays for."""
    state = engines.bedrock_state(svc.cloud)
    if state is None:
        return
    from ..bedrock import engine

    model = kb.embedding_model
    tokens = rag.query_tokens(query, model)
    answer_ = engine.Answer("", model.id, tokens, 0, None, model.cost(tokens, 0), grounded=True, grounding=None,
                            relevance=None, seed=0, task="embedding")
    engine.record(state, operation="Retrieve", answer=answer_, caller_access_key=info.access_key, region=info.region,
                  prompt=query, request={"modelId": kb.embedding_model_arn, "body": {"inputText": query}},
                  requested_model_id=kb.embedding_model_arn, extra={"knowledgeBaseId": kb.id})


def _ledger(svc, info, model, question: str, result, request: dict, guard, operation: str) -> None:
    """The generation is a model invocation by the caller: it goes in the ledger (and so in the cost view), with
    what a re-run needs (``rag.rerun``)."""
    state = engines.bedrock_state(svc.cloud)
    if state is None:
        return
    from ..bedrock import engine

    answer_ = engine.Answer(result.text, model.id, result.input_tokens, result.output_tokens, result.stop_reason,
                            result.cost_usd, grounded=True, grounding=None, relevance=None, seed=0, task="rag")
    extra: dict = {"guardrailAction": result.guardrail_action}
    if guard is not None:
        extra["guardrailId"], extra["guardrailVersion"] = guard
    if request["body"].get("knowledgeBaseId"):
        extra["knowledgeBaseId"] = request["body"]["knowledgeBaseId"]
    engine.record(state, operation=operation, answer=answer_, caller_access_key=info.access_key,
                  region=info.region, prompt=question, request=request, requested_model_id=request["modelId"],
                  extra=extra)
