"""Helpers every codec shares: reading a native body's fields with Bedrock's own validation wording, and the
small pieces of a response (ids, stream pieces, the input-token count)."""

from __future__ import annotations

import hashlib

from .. import tokens
from ..catalog import Model
from ..errors import malformed, validation
from ..prompt import Prompt


def require(body: dict, key: str) -> object:
    if key not in body:
        raise malformed(f"#: required key [{key}] not found")
    return body[key]


def number(body: dict, key: str, low: float, high: float | None, *, integer: bool = False, path: str = "#"):
    """A numeric field within [low, high], or None when absent; anything else is a malformed body."""
    if not isinstance(body, dict):
        raise malformed(f"{path}: expected type: JSONObject, found: {type(body).__name__}")
    if key not in body or body[key] is None:
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not float(value).is_integer()):
        kind = "integer" if integer else "number"
        raise malformed(f"{path}/{key}: expected type: {kind.capitalize()}, found: {type(value).__name__}")
    if value < low:
        raise malformed(f"{path}/{key}: {value} is not greater or equal to {low:g}")
    if high is not None and value > high:
        raise malformed(f"{path}/{key}: {value} is not less or equal to {high:g}")
    return int(value) if integer else float(value)


def strings(value, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise malformed(f"#/{key}: expected type: JSONArray of strings")
    return value


def section(body: dict, key: str) -> dict:
    """A nested object such as ``textGenerationConfig`` ({} when absent)."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise malformed(f"#/{key}: expected type: JSONObject, found: {type(value).__name__}")
    return value


def max_output(model: Model, value: int | None, name: str) -> int | None:
    if value is not None and value > model.max_output:
        raise validation(
            f"{name}: {value} > {model.max_output}, which is the maximum allowed number of output tokens for {model.id}"
        )
    return value


def seed(body: dict) -> int | None:
    for key in ("seed", "random_seed"):
        if isinstance(body.get(key), int) and not isinstance(body.get(key), bool):
            return body[key]
    return None


def message_id(key: str, prefix: str) -> str:
    return prefix + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def pieces(text: str, family: str | None = None, per_chunk: int = 4) -> list[str]:
    """The text in stream-sized pieces (a few tokens each); joined they give the text back."""
    toks = tokens.split(text, family)
    return ["".join(toks[i : i + per_chunk]) for i in range(0, len(toks), per_chunk)] or [""]


def input_tokens(prompt: Prompt, model: Model | None = None) -> int:
    """The one input-token count (usage, CountTokens, quotas and cost all use it)."""
    family = model.family if model is not None else None
    total = tokens.count(prompt.system, family) + prompt.overhead_tokens
    for _, text in prompt.turns:
        total += tokens.count(text, family) + 3
    for doc in prompt.documents:
        total += tokens.count(doc.text, family) if doc.text is not None else min(doc.size // 20, 20000)
    return max(total, 1)


def finish(gen) -> str:
    """OpenAI-style finish reason (Jamba, Mistral, Llama, DeepSeek)."""
    return "length" if gen.stop_reason == "max_tokens" else "stop"
