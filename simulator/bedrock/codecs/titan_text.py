"""Amazon Titan Text (``inputText`` + ``textGenerationConfig``); ``User:``/``Bot:`` lines are conversation turns."""

from __future__ import annotations

import re

from .. import tokens
from ..catalog import Model
from ..errors import malformed
from ..prompt import Generation, Prompt
from . import fields

FAMILY = "titan-text"
KIND = "text"
_CONFIG = "#/textGenerationConfig"


def _turns(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"(?:^|\n)\s*(User|Bot|Assistant)\s*:\s*", text)
    if len(parts) < 3:
        return [("user", text.strip())]
    turns = []
    for role, chunk in zip(parts[1::2], parts[2::2]):
        if chunk.strip():
            turns.append(("user" if role == "User" else "assistant", chunk.strip()))
    return turns or [("user", text.strip())]


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    text = fields.require(body, "inputText")
    if not isinstance(text, str):
        raise malformed("#/inputText: expected type: String")
    config = fields.section(body, "textGenerationConfig")
    p.turns = _turns(text)
    p.temperature = fields.number(config, "temperature", 0, 1, path=_CONFIG)
    p.top_p = fields.number(config, "topP", 0, 1, path=_CONFIG)
    p.max_tokens = fields.max_output(model, fields.number(config, "maxTokenCount", 0, None, integer=True, path=_CONFIG), "maxTokenCount")
    p.max_tokens = 512 if p.max_tokens is None else p.max_tokens
    p.stop_sequences = fields.strings(config.get("stopSequences"), "textGenerationConfig/stopSequences")
    return p


def _reason(gen: Generation) -> str:
    return {"max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}.get(gen.stop_reason, "FINISH")


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    return {"inputTextTokenCount": in_tokens,
            "results": [{"tokenCount": gen.output_tokens, "outputText": gen.text, "completionReason": _reason(gen)}]}


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    pieces = fields.pieces(gen.text, model.family)
    chunks, sent = [], 0
    for i, piece in enumerate(pieces):
        sent += tokens.count(piece, model.family)
        last = i == len(pieces) - 1
        chunks.append({"outputText": piece, "index": 0, "totalOutputTextTokenCount": gen.output_tokens if last else sent,
                       "completionReason": _reason(gen) if last else None, "inputTextTokenCount": in_tokens if i == 0 else None})
    return chunks
