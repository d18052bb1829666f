"""Mistral AI: ``prompt`` with ``[INST]`` -> ``outputs[]``; or, for the chat models, ``messages`` -> ``choices[]``."""

from __future__ import annotations

from ..catalog import Model
from ..prompt import Generation, Prompt
from . import chat, fields, instruct

FAMILY = "mistral"
KIND = "text"


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    if "messages" in body:
        p.dialect = "chat"
        chat.turns(body["messages"], p)
    else:
        p.system, p.turns = instruct.inst_turns(instruct.prompt_text(body))
    instruct.sampling(model, body, p, "max_tokens")
    return p


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    if prompt.dialect == "chat":
        return chat.response(model.id, gen, in_tokens, key)
    return {"outputs": [{"text": gen.text, "stop_reason": fields.finish(gen)}]}


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    if prompt.dialect == "chat":
        return chat.stream_chunks(gen, in_tokens, key, model.family)
    chunks = [{"outputs": [{"text": p, "stop_reason": None}]} for p in fields.pieces(gen.text, model.family)]
    chunks[-1]["outputs"][0]["stop_reason"] = fields.finish(gen)
    return chunks
