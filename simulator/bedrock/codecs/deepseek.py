"""DeepSeek-R1: a ``prompt`` string; the answer's text carries the model's reasoning before ``</think>``."""

from __future__ import annotations

import re

from ..catalog import Model
from ..prompt import Generation, Prompt
from . import fields, instruct

FAMILY = "deepseek"
KIND = "text"


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    p.system, p.turns = instruct.inst_turns(instruct.prompt_text(body))
    p.turns = [(r, re.sub(r"<｜[^｜]*｜>", "", t).strip()) for r, t in p.turns]
    instruct.sampling(model, body, p, "max_tokens")
    return p


def text(gen: Generation) -> str:
    """What the native body returns: reasoning, ``</think>``, then the answer."""
    if gen.reasoning and not gen.text and gen.stop_reason == "max_tokens":
        return gen.reasoning  # cut off while still thinking: the answer never started
    return f"{gen.reasoning}\n</think>\n\n{gen.text}" if gen.reasoning else gen.text


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    return {"choices": [{"text": text(gen), "stop_reason": fields.finish(gen)}]}


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    chunks = [{"choices": [{"text": p, "stop_reason": None}]} for p in fields.pieces(text(gen), model.family)]
    chunks[-1]["choices"][0]["stop_reason"] = fields.finish(gen)
    return chunks
