"""The simulated Bedrock's engines, in process, for other services of the local cloud (Knowledge Bases retrieval and
RetrieveAndGenerate, batch inference, custom models, SageMaker endpoints): the same answers a Bedrock call gets.

* :func:`embed` / :func:`cosine` — the embedding engine behind Titan and Cohere Embed;
* :func:`generate` — text generation for a catalog model with inference parameters and optional context passages;
  returns the text, token counts, cost and whether the answer is grounded (with grounding / relevance scores);
* :func:`classify` — few-shot classification from labelled examples (what a model fine-tuned on labelled JSONL
  "learns" from its data);
* :func:`record` — append an invocation made on a service's behalf to the ledger (with what re-running it needs).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from . import catalog, codecs, embeddings, textgen, tokens
from .codecs.fields import input_tokens
from .errors import validation
from .ledger import iso, output_hash
from .prompt import Prompt

DEFAULT_EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"


def _model(model_id: str) -> catalog.Resolved:
    resolved = catalog.resolve(model_id)
    if resolved is None:
        raise validation("The provided model identifier is invalid.")
    return resolved


def embed(text: str, model_id: str = DEFAULT_EMBEDDING_MODEL, dimensions: int | None = None, normalize: bool = True) -> list[float]:
    """The vector a Bedrock embedding model returns for ``text`` (``dimensions`` defaults to the model's)."""
    model = _model(model_id).model
    if "EMBEDDING" not in model.output:
        raise validation(f"{model.id} is not an embedding model.")
    dims = dimensions or model.default_dimensions
    if dims not in model.dimensions:
        raise validation(f"{model.id} does not produce {dims}-dimension vectors (it offers {', '.join(map(str, model.dimensions))}).")
    return embeddings.embed(text, dims, normalize=normalize)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return embeddings.cosine(list(a), list(b))


@dataclass
class Answer:
    text: str
    model_id: str
    input_tokens: int
    output_tokens: int
    stop_reason: str
    cost_usd: float
    grounded: bool
    grounding: float | None
    relevance: float | None
    seed: int
    task: str
    reasoning: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def generate(prompt: str, model_id: str, *, system: str = "", history: Sequence[tuple[str, str]] = (),
             context: Sequence[str | tuple[str, str]] = (), temperature: float | None = None, top_p: float | None = None,
             top_k: int | None = None, max_tokens: int | None = None, stop_sequences: Sequence[str] = (),
             seed: int | None = None) -> Answer:
    """What ``model_id`` answers to ``prompt``.

    ``context`` passages (text, or ``(source label, text)``) are given to the model as a "Context:" block, the way a
    RAG application (or RetrieveAndGenerate) does: the answer quotes them with their sources, or says the context
    does not hold the answer. ``history`` is earlier ``(role, text)`` turns. ``seed`` pins the wording of a warm call
    (None draws one; the answer says which).
    """
    resolved = _model(model_id)
    model = resolved.model
    if codecs.get(model.family).KIND != "text":
        raise validation(f"{model.id} is not a text model.")
    user = prompt
    if context:
        passages = "\n".join(f"[{p[0]}] {p[1]}" if isinstance(p, tuple) else str(p) for p in context)
        user = f"Context:\n{passages}\n\nQuestion: {prompt}"
    p = Prompt(system=system, turns=[*history, ("user", user)], temperature=temperature, top_p=top_p, top_k=top_k,
               max_tokens=max_tokens, stop_sequences=list(stop_sequences), seed=seed)
    if max_tokens is not None and max_tokens > model.max_output:
        raise validation(f"max_tokens: {max_tokens} > {model.max_output}, which is the maximum allowed number of output tokens for {model.id}")
    sampling = seed if seed is not None else int.from_bytes(uuid.uuid4().bytes[:4], "big")
    key = hashlib.sha256(json.dumps([model.id, system, list(history), user], ensure_ascii=False).encode("utf-8")).hexdigest()
    gen = textgen.generate(p, model, key, sampling)
    n_in = input_tokens(p, model)
    return Answer(gen.text, model.id, n_in, gen.output_tokens, gen.stop_reason, resolved.cost(n_in, gen.output_tokens),
                  gen.grounded, gen.grounding, gen.relevance, sampling, gen.task, gen.reasoning)


def classify(text: str, examples: Sequence[tuple[str, str]], labels: Sequence[str] = ()) -> str:
    """The label a few-shot prompt with these labelled ``examples`` gets for ``text`` (nearest examples by meaning).
    With no examples, ``labels`` are chosen from zero-shot."""
    lines = [f"Input: {x}\nOutput: {y}" for x, y in examples]
    if not examples and labels:
        lines = [f"Classify the input as one of: {', '.join(labels)}."]
    lines.append(f"Input: {text}\nOutput:")
    p = Prompt(turns=[("user", "\n\n".join(lines))], temperature=0.0)
    model = catalog.get("anthropic.claude-3-haiku-20240307-v1:0")
    return textgen.generate(p, model, "classify", 0).text.strip()


def record(state, *, operation: str, answer: Answer, caller_access_key: str | None = None, region: str = "us-east-1",
           request: dict | None = None, prompt: str = "", requested_model_id: str | None = None,
           extra: dict | None = None) -> dict:
    """Append a ledger record for an invocation a service made (e.g. RetrieveAndGenerate's model call) and return it.
    ``request`` should say how to re-execute it (see ``verify.py``); services re-run their own operations.
    ``extra`` fields (a guardrail's id and action, the knowledge base) go in before the record is journaled."""
    now = time.time()
    entry = {
        "requestId": str(uuid.uuid4()), "time": iso(now), "_ts": now, "caller": state.caller(caller_access_key),
        "operation": operation, "modelId": answer.model_id, "requestedModelId": requested_model_id or answer.model_id,
        "parameters": {"seed": answer.seed}, "seed": answer.seed, "inputTokens": answer.input_tokens,
        "outputTokens": answer.output_tokens, "costUsd": answer.cost_usd, "latencyMs": 0, "grounded": answer.grounded,
        "guardrailAction": None, "region": region, "prompt": prompt[:2000], "output": answer.text[:2000],
        "stopReason": answer.stop_reason, "task": answer.task,
        "outputHash": output_hash({"text": answer.text, "reasoning": answer.reasoning, "toolUse": None}),
    }
    if answer.grounding is not None:
        entry["groundingScore"] = answer.grounding
    if answer.relevance is not None:
        entry["relevanceScore"] = answer.relevance
    if request is not None:
        entry["request"] = request
    entry.update(extra or {})
    state.ledger.append(entry)
    return entry


__all__ = ["Answer", "classify", "cosine", "embed", "generate", "output_hash", "record", "tokens"]
