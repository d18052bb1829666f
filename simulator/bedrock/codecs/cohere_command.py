"""Cohere Command R / R+: ``message`` + ``chat_history`` + ``preamble`` (+ ``documents``) -> ``text``."""

from __future__ import annotations

from ..catalog import Model
from ..errors import malformed
from ..prompt import Document, Generation, Prompt
from . import fields

FAMILY = "cohere-command"
KIND = "text"


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    message = fields.require(body, "message")
    history = body.get("chat_history") or []
    if not isinstance(history, list):
        raise malformed("#/chat_history: expected type: JSONArray")
    for turn in history:
        role = "assistant" if str(turn.get("role", "")).upper() in ("CHATBOT", "ASSISTANT") else "user"
        p.turns.append((role, str(turn.get("message", ""))))
    p.turns.append(("user", str(message)))
    p.system = str(body.get("preamble") or "")
    for i, doc in enumerate(body.get("documents") or []):
        if isinstance(doc, dict):
            text = " ".join(str(v) for v in doc.values())
            p.documents.append(Document(str(doc.get("title", f"doc_{i}")), "txt", text, len(text)))
    p.max_tokens = fields.max_output(model, fields.number(body, "max_tokens", 1, None, integer=True), "max_tokens")
    p.temperature = fields.number(body, "temperature", 0, 1)
    p.top_p = fields.number(body, "p", 0.01, 0.99)
    p.top_k = fields.number(body, "k", 0, 500, integer=True)
    p.stop_sequences = fields.strings(body.get("stop_sequences"), "stop_sequences")
    return p


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    reason = "MAX_TOKENS" if gen.stop_reason == "max_tokens" else "COMPLETE"
    return {"response_id": fields.message_id(key, ""), "text": gen.text, "generation_id": fields.message_id(key + "g", ""),
            "chat_history": [], "finish_reason": reason}


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    whole = response(model, prompt, gen, in_tokens, key)
    chunks = [{"is_finished": False, "event_type": "stream-start", "generation_id": whole["generation_id"]}]
    chunks += [{"is_finished": False, "event_type": "text-generation", "text": p} for p in fields.pieces(gen.text, model.family)]
    chunks.append({"is_finished": True, "event_type": "stream-end", "response": whole, "finish_reason": whole["finish_reason"]})
    return chunks
