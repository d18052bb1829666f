"""The one place SageMaker endpoints reach into the simulated Bedrock: its text engine and its embeddings.

A JumpStart Mistral answers like Bedrock's Mistral, a Llama like Bedrock's Llama; an embedding container embeds
with the same engine as Titan Embeddings, at the container model's own size.
"""

from __future__ import annotations

import re

from ..bedrock import catalog, embeddings, tokens

_FALLBACK = "amazon.titan-text-express-v1"
# Chat templates a raw prompt may carry (Llama 3, Llama 2 / Mistral [INST], ChatML): the engine reads the turns.
_LLAMA3 = re.compile(r"<\|start_header_id\|>(system|user|assistant)<\|end_header_id\|>\s*(.*?)(?:<\|eot_id\|>|$)", re.S)
_INST = re.compile(r"\[INST\](.*?)\[/INST\]", re.S)
_CHATML = re.compile(r"<\|im_start\|>(system|user|assistant)\s*(.*?)(?:<\|im_end\|>|$)", re.S)
_SYS = re.compile(r"<<SYS>>(.*?)<</SYS>>", re.S)


def text_model(engine_id: str | None):
    resolved = catalog.resolve(engine_id or "") or catalog.resolve(_FALLBACK)
    if resolved is not None and resolved.model.is_text:
        return resolved.model
    return next(m for m in catalog.models() if m.is_text)


def turns_of(raw: str) -> tuple[str, list[tuple[str, str]]]:
    """(system, turns) from a prompt that may use a model's chat template."""
    found = _LLAMA3.findall(raw) or _CHATML.findall(raw)
    if found:
        system = " ".join(t.strip() for r, t in found if r == "system")
        return system, [(r, t.strip()) for r, t in found if r != "system" and t.strip()]
    inst = _INST.findall(raw)
    if inst:
        system = " ".join(s.strip() for s in _SYS.findall(raw))
        return system, [("user", _SYS.sub("", t).strip()) for t in inst]
    return "", [("user", raw.strip())]


def generate(engine_id: str | None, system: str, turns: list[tuple[str, str]], *, max_tokens: int | None,
             temperature: float | None, top_p: float | None, stop: list[str], seed: int | None) -> tuple[str, int, int, str]:
    """(text, input tokens, output tokens, finish reason) for a conversation, from the Bedrock engine of the same
    family; the same request (and seed) gives the same text."""
    from ..bedrock import engine

    model = text_model(engine_id)
    history = [t for t in turns[:-1]] if turns else []
    prompt = turns[-1][1] if turns else ""
    limit = min(max_tokens, model.max_output) if max_tokens else None
    answer = engine.generate(prompt, model.id, system=system, history=history, temperature=temperature, top_p=top_p,
                             max_tokens=limit, stop_sequences=stop, seed=seed if seed is not None else 0)
    reason = {"max_tokens": "length", "stop_sequence": "stop_sequence"}.get(answer.stop_reason, "eos_token")
    return answer.text, answer.input_tokens, answer.output_tokens, reason


def embed(text: str, dims: int) -> list[float]:
    return embeddings.embed(text, dims)


def count_tokens(text: str) -> int:
    return tokens.count(text)
