"""The OpenAI-like chat completion shape shared by AI21 Jamba and chat-style Mistral (``messages`` in,
``choices[].message`` out; stream chunks carry ``choices[].delta``)."""

from __future__ import annotations

from ..errors import malformed
from ..prompt import Generation, Prompt
from . import fields


def turns(messages, prompt: Prompt) -> None:
    if not isinstance(messages, list) or not messages:
        raise malformed("#/messages: expected minimum item count: 1")
    for message in messages:
        if not isinstance(message, dict):
            raise malformed("#/messages: each message must be an object")
        role = message.get("role")
        if role == "system":
            prompt.system = str(message.get("content", ""))
        else:
            prompt.turns.append(("assistant" if role == "assistant" else "user", str(message.get("content", ""))))


def response(model_id: str, gen: Generation, in_tokens: int, key: str) -> dict:
    out = gen.output_tokens
    return {
        "id": fields.message_id(key, "chatcmpl-"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": gen.text}, "finish_reason": fields.finish(gen)}],
        "usage": {"prompt_tokens": in_tokens, "completion_tokens": out, "total_tokens": in_tokens + out}, "model": model_id,
    }


def stream_chunks(gen: Generation, in_tokens: int, key: str, family: str) -> list[dict]:
    cid = fields.message_id(key, "chatcmpl-")
    out = gen.output_tokens
    chunks = [{"id": cid, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    chunks += [{"id": cid, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in fields.pieces(gen.text, family)]
    chunks.append({"id": cid, "choices": [{"index": 0, "delta": {}, "finish_reason": fields.finish(gen)}],
                   "usage": {"prompt_tokens": in_tokens, "completion_tokens": out, "total_tokens": in_tokens + out}})
    return chunks
