"""Anthropic Claude's Messages API body (``anthropic_version``, ``messages``, ``system``, ``tools``)."""

from __future__ import annotations

import base64
import json
import re

from .. import pdftext, tokens
from ..catalog import Model
from ..errors import malformed, validation
from ..prompt import Document, Generation, Prompt
from . import fields

FAMILY = "anthropic"
KIND = "text"
#: "bedrock-2023-05-31", or a dated Messages API version as current Anthropic SDKs send ("2026-10-21").
_VERSION = re.compile(r"^(bedrock-)?\d{4}-\d{2}-\d{2}$")


def _content(content, prompt: Prompt) -> str:
    """Text of one message's content; images, documents and tool results go to the prompt."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise malformed("#/messages/content: expected type: JSONArray or String")
    texts = []
    for block in content:
        if not isinstance(block, dict) or "type" not in block:
            raise malformed("#/messages/content: each block needs a type")
        kind = block["type"]
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "image":
            prompt.images += 1
            prompt.overhead_tokens += 258
        elif kind == "tool_result":
            result = block.get("content")
            content_blocks = [{"text": result}] if isinstance(result, str) else [
                {"text": b.get("text", "")} if b.get("type") == "text" else {"json": b.get("json")} for b in (result or []) if isinstance(b, dict)
            ]
            prompt.tool_results.append({"toolUseId": block.get("tool_use_id"), "content": content_blocks})
        elif kind == "tool_use":
            texts.append(json.dumps(block.get("input", {})))
        elif kind == "document":
            source = block.get("source") or {}
            title = str(block.get("title") or "document")
            if source.get("type") == "text":
                data = str(source.get("data", ""))
                prompt.documents.append(Document(title, "txt", data, len(data)))
            elif source.get("type") == "base64":
                raw = base64.b64decode(source.get("data") or "")
                media = str(source.get("media_type", ""))
                text = pdftext.extract(raw) or None if media == "application/pdf" else raw.decode("utf-8", "replace")
                prompt.documents.append(Document(title, "pdf" if media == "application/pdf" else "txt", text, len(raw)))
    return "\n".join(texts)


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    version = fields.require(body, "anthropic_version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise validation(f"Invalid API version: {version}")
    p.max_tokens = fields.max_output(model, fields.number(body, "max_tokens", 1, None, integer=True), "max_tokens")
    if p.max_tokens is None:
        raise malformed("#: required key [max_tokens] not found")
    messages = fields.require(body, "messages")
    if not isinstance(messages, list) or not messages:
        raise malformed("#/messages: expected minimum item count: 1, found: 0")
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise malformed("#/messages: each message needs role user or assistant")
        p.tool_results = [] if message["role"] == "user" else p.tool_results
        p.turns.append((message["role"], _content(message.get("content", ""), p)))
    system = body.get("system", "")
    p.system = system if isinstance(system, str) else " ".join(b.get("text", "") for b in system if isinstance(b, dict))
    p.temperature = fields.number(body, "temperature", 0, 1)
    p.top_p = fields.number(body, "top_p", 0, 1)
    p.top_k = fields.number(body, "top_k", 0, 500, integer=True)
    p.stop_sequences = fields.strings(body.get("stop_sequences"), "stop_sequences")
    if not isinstance(body.get("tools") or [], list):
        raise malformed("#/tools: expected type: JSONArray, found: String")
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and "name" in tool:
            p.tools.append({"name": tool["name"], "description": tool.get("description", ""), "schema": tool.get("input_schema", {})})
    choice = body.get("tool_choice") or {}
    if isinstance(choice, dict) and choice.get("type"):
        p.tool_choice = f"tool:{choice.get('name')}" if choice["type"] == "tool" else choice["type"]
    if p.tools:
        p.overhead_tokens += tokens.count(json.dumps(body.get("tools")), model.family)
    p.thinking_budget = thinking_budget(model, body.get("thinking"), p.max_tokens, p.temperature)
    return p


def thinking_budget(model: Model, thinking, max_tokens: int | None, temperature: float | None) -> int | None:
    """Extended thinking ({"type": "enabled", "budget_tokens": N}), checked as Anthropic checks it; None when off."""
    if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
        return None
    if not model.reasoning:
        raise validation(f"The model {model.id} does not support extended thinking.")
    budget = fields.number(thinking, "budget_tokens", 1024, None, integer=True, path="#/thinking")
    if budget is None:
        raise malformed("#/thinking: required key [budget_tokens] not found")
    if max_tokens is not None and budget >= max_tokens:
        raise validation("`max_tokens` must be greater than `thinking.budget_tokens`.")
    if temperature is not None and temperature != 1:
        raise validation("`temperature` may only be set to 1 when thinking is enabled.")
    return budget


def _signature(gen: Generation) -> str:
    return fields.message_id(gen.reasoning or "", "sig_")


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    content: list[dict] = [{"type": "thinking", "thinking": gen.reasoning, "signature": _signature(gen)}] if gen.reasoning else []
    content += [{"type": "text", "text": gen.text}] if gen.text else []
    if gen.tool_use:
        content.append({"type": "tool_use", "id": gen.tool_use["toolUseId"].replace("tooluse_", "toolu_bdrk_"), "name": gen.tool_use["name"], "input": gen.tool_use["input"]})
    return {
        "id": fields.message_id(key, "msg_bdrk_"), "type": "message", "role": "assistant", "model": model.id.split(".", 1)[1].rsplit("-v", 1)[0],
        "content": content, "stop_reason": gen.stop_reason, "stop_sequence": gen.stop_sequence,
        "usage": {"input_tokens": in_tokens, "output_tokens": gen.output_tokens},
    }


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    whole = response(model, prompt, gen, in_tokens, key)
    start = dict(whole, content=[], stop_reason=None, stop_sequence=None, usage={"input_tokens": in_tokens, "output_tokens": 1})
    chunks = [{"type": "message_start", "message": start}]
    index = 0
    if gen.reasoning:
        chunks.append({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}})
        chunks += [{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": p}}
                   for p in fields.pieces(gen.reasoning, model.family) if p]
        chunks += [{"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": _signature(gen)}},
                   {"type": "content_block_stop", "index": 0}]
        index = 1
    chunks.append({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})
    chunks += [{"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": p}} for p in fields.pieces(gen.text, model.family) if p]
    chunks.append({"type": "content_block_stop", "index": index})
    if gen.tool_use:
        block = whole["content"][-1]
        chunks += [{"type": "content_block_start", "index": index + 1, "content_block": dict(block, input={})},
                   {"type": "content_block_delta", "index": index + 1, "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}},
                   {"type": "content_block_stop", "index": index + 1}]
    chunks += [{"type": "message_delta", "delta": {"stop_reason": gen.stop_reason, "stop_sequence": gen.stop_sequence}, "usage": {"output_tokens": gen.output_tokens}},
               {"type": "message_stop"}]
    return chunks
