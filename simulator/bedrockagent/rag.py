"""RetrieveAndGenerate's generation as a pure function of its passages: the live call and a re-run share it.

The live call (``runtime.py``) retrieves passages from a knowledge base (or reads external sources), then
:func:`generate` writes the answer from them, with the guardrail the request names around it. The ledger record keeps
the question, the passages, the prompt template, the limits and the guardrail, so :func:`rerun` (registered with
``gailab.simulator.bedrock.verify``) recomputes exactly what the call produced: a class regrade re-runs a learner's
RetrieveAndGenerate calls like any InvokeModel. The query embedding Retrieve (and RetrieveAndGenerate) pay for is a
ledger record of its own (operation ``Retrieve``, the embedding model), re-run by :func:`rerun_retrieve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import answer, engines

#: A guardrail that blocks the question leaves the model uncalled; one that masks it lets the model see the mask.
_GUARD = ("guard_content",)


@dataclass
class Passage:
    """A retrieved chunk or an external source's text: what the answer may quote and cite."""

    text: str
    uri: str = ""
    metadata: tuple | dict = ()
    location: dict | None = None  # None: the S3 object ``uri``

    @classmethod
    def of(cls, chunk) -> "Passage":
        return cls(chunk.text, chunk.uri, dict(chunk.metadata))

    def as_record(self) -> dict:
        out = {"text": self.text, "uri": self.uri}
        if self.location is not None:
            out["location"] = self.location
        return out

    @classmethod
    def from_record(cls, item: dict) -> "Passage":
        return cls(str(item.get("text") or ""), str(item.get("uri") or ""), {}, item.get("location"))


def reference(passage, score: float | None = None) -> dict:
    """A retrieved reference as Retrieve and RetrieveAndGenerate return it."""
    location = getattr(passage, "location", None) or {"type": "S3", "s3Location": {"uri": passage.uri}}
    out = {"content": {"text": passage.text, "type": "TEXT"}, "location": location, "metadata": dict(passage.metadata)}
    if score is not None:
        out["score"] = score
    return out


@dataclass
class Result:
    text: str
    parts: list[answer.Part]
    declined: bool
    input_tokens: int
    output_tokens: int
    cost_usd: float
    stop_reason: str = "end_turn"
    guardrail_action: str | None = None  # None without a guardrail, else NONE | INTERVENED
    citation_refs: list = field(default_factory=list)  # passages behind a masked answer (its spans are gone)

    def citations(self) -> list[dict]:
        if self.parts:
            return [{"generatedResponsePart": {"textResponsePart": {"text": p.text, "span": {"start": p.start, "end": p.end - 1}}},
                     "retrievedReferences": [reference(c) for c in p.chunks]} for p in self.parts]
        whole = {"textResponsePart": {"text": self.text, "span": {"start": 0, "end": max(0, len(self.text) - 1)}}}
        return [{"generatedResponsePart": whole, "retrievedReferences": [reference(c) for c in self.citation_refs]}]


def _guard(config: dict, source: str, items: list[dict]):
    from ..bedrock import guardrails

    return guardrails.evaluate(config, source, items)


def input_blocked(guard_config: dict | None, question: str) -> bool:
    """Whether the guardrail blocks the question itself (then nothing is retrieved and the model is not called)."""
    if guard_config is None:
        return False
    return _guard(guard_config, "INPUT", [{"text": question, "qualifiers": list(_GUARD)}]).blocked


def generate(question: str, passages: list[tuple[Passage, float | None]], dims: int, model, *, template: str,
             max_tokens: int | None = None, guard_config: dict | None = None) -> Result:
    """The answer ``model`` writes from ``passages`` (best first), cited sentence by sentence, or a decline; with
    ``guard_config`` (a guardrail version's policies) the question is checked first and the answer after."""
    action = None if guard_config is None else "NONE"
    asked = question
    if guard_config is not None:
        outcome = _guard(guard_config, "INPUT", [{"text": question, "qualifiers": list(_GUARD)}])
        if outcome.blocked:
            text = outcome.message or ""
            return Result(text, [], True, 0, 0, 0.0, "guardrail_intervened", "INTERVENED")
        if outcome.action != "NONE":
            asked, action = outcome.texts[0], "INTERVENED"
    composed = answer.compose(asked, passages, dims)
    text = composed.text
    if max_tokens:
        cut = "".join(engines.token_pieces(text)[:max_tokens])
        if cut != text:
            text = cut
            composed.parts = [p for p in composed.parts if p.end <= len(text)]
    search_results = "\n".join(f"{i + 1}. {p.text}" for i, (p, _) in enumerate(passages))
    in_tokens = engines.count_tokens(template.replace("$search_results$", search_results).replace("$query$", asked)) \
        + engines.count_tokens(asked)
    out_tokens = engines.count_tokens(text)
    result = Result(text, [] if composed.declined else composed.parts, composed.declined, in_tokens, out_tokens,
                    model.cost(in_tokens, out_tokens), guardrail_action=action)
    if guard_config is not None and not composed.declined:
        items = [{"text": text, "qualifiers": list(_GUARD)}, {"text": asked, "qualifiers": ["query"]}]
        items += [{"text": p.text, "qualifiers": ["grounding_source"]} for p, _ in passages]
        outcome = _guard(guard_config, "OUTPUT", items)
        if outcome.blocked or outcome.action != "NONE":
            result.citation_refs = [c for p in result.parts for c in p.chunks] if not outcome.blocked else []
            result.text = (outcome.message or "") if outcome.blocked else outcome.texts[0]
            result.parts, result.stop_reason, result.guardrail_action = [], "guardrail_intervened", "INTERVENED"
    return result


def request_record(model_id: str, question: str, query: str, passages: list[tuple[Passage, float | None]], dims: int,
                   template: str | None, max_tokens: int | None, guard: tuple[str, str] | None, source: dict) -> dict:
    """What the ledger keeps to re-run a RetrieveAndGenerate call (``source``: the knowledge base or external)."""
    body = {"question": question, "query": query, "dimensions": dims,
            "passages": [dict(p.as_record(), score=s) for p, s in passages], **source}
    if template is not None:
        body["promptTemplate"] = template
    if max_tokens:
        body["maxTokens"] = max_tokens
    if guard is not None:
        # The key a regrade looks for to judge the call against the rebuilt cloud's guardrails.
        body["guardrailConfig"] = {"guardrailIdentifier": guard[0], "guardrailVersion": guard[1]}
    return {"modelId": model_id, "body": body}


def _fields(record: dict, result: Result, model) -> dict:
    from ..bedrock import engine

    return {"operation": record.get("operation"), "modelId": model.id, "inputTokens": result.input_tokens,
            "outputTokens": result.output_tokens, "costUsd": result.cost_usd, "stopReason": result.stop_reason,
            "guardrailAction": result.guardrail_action, "grounded": True, "output": result.text[:2000],
            "outputHash": engine.output_hash({"text": result.text, "reasoning": None, "toolUse": None}),
            "requestedModelId": record.get("requestedModelId"), "seed": 0, "task": "rag"}


def rerun(record: dict, state) -> dict:
    """Re-execute a RetrieveAndGenerate ledger record from its recorded passages (no knowledge base needed)."""
    request = record.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("body"), dict):
        return {"rerunnable": False, "reason": "The record has no request (it was written before the ledger kept them)."}
    body = request["body"]
    model = engines.resolve_model(str(request.get("modelId") or ""))
    if model is None or not engines.is_text(model):
        return {"rerunnable": True, "error": {"code": "ValidationException",
                                              "message": f"The provided model identifier is invalid: {request.get('modelId')}"}}
    guard_config = None
    guard = body.get("guardrailConfig")
    if isinstance(guard, dict):
        from ..bedrock.errors import BedrockError
        from ..bedrock.state import BedrockState

        try:
            _, guard_config, _ = (state or BedrockState()).guardrails.config(guard.get("guardrailIdentifier"),
                                                                            guard.get("guardrailVersion"))
        except BedrockError as exc:
            return {"rerunnable": True, "error": {"code": exc.code, "message": exc.message}}
    passages = [(Passage.from_record(p), p.get("score")) for p in body.get("passages") or [] if isinstance(p, dict)]
    result = generate(str(body.get("question") or ""), passages, int(body.get("dimensions") or 1024), model,
                      template=body.get("promptTemplate") or answer.DEFAULT_PROMPT, max_tokens=body.get("maxTokens"),
                      guard_config=guard_config)
    return _fields(record, result, model)


def query_tokens(query: str, model) -> int:
    return engines.count_tokens_for(query, model)


def rerun_retrieve(record: dict, state) -> dict:
    """Re-execute the query embedding a Retrieve (or RetrieveAndGenerate) paid for."""
    from ..bedrock import engine

    request = record.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("body"), dict):
        return {"rerunnable": False, "reason": "The record has no request."}
    model = engines.resolve_model(str(request.get("modelId") or ""))
    if model is None:
        return {"rerunnable": True, "error": {"code": "ValidationException",
                                              "message": f"The provided model identifier is invalid: {request.get('modelId')}"}}
    tokens = query_tokens(str(request["body"].get("inputText") or ""), model)
    return {"operation": record.get("operation"), "modelId": model.id, "inputTokens": tokens, "outputTokens": 0,
            "costUsd": model.cost(tokens, 0), "stopReason": None, "guardrailAction": None, "grounded": True,
            "outputHash": engine.output_hash({"text": "", "reasoning": None, "toolUse": None}),
            "requestedModelId": record.get("requestedModelId"), "seed": 0, "task": "embedding"}
