"""AI21 Jamba: chat completions (``messages``, ``max_tokens``, ``temperature`` up to 2, ``top_p``, ``stop``)."""

from __future__ import annotations

from ..catalog import Model
from ..prompt import Generation, Prompt
from . import chat, fields

FAMILY = "jamba"
KIND = "text"


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    chat.turns(fields.require(body, "messages"), p)
    p.max_tokens = fields.max_output(model, fields.number(body, "max_tokens", 0, None, integer=True), "max_tokens")
    p.temperature = fields.number(body, "temperature", 0, 2)
    p.top_p = fields.number(body, "top_p", 0, 1)
    p.stop_sequences = fields.strings(body.get("stop"), "stop")
    return p


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    return chat.response(model.id, gen, in_tokens, key)


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    return chat.stream_chunks(gen, in_tokens, key, model.family)
