"""Converse and ConverseStream: one request shape for every text model, mapped to and from :class:`Prompt`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re

from . import pdftext, tokens
from .catalog import Model
from .errors import validation
from .prompt import Document, Generation, Prompt

_TEXT_FORMATS = {"txt", "md", "csv", "html"}


def _blob(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        return base64.b64decode(value or "", validate=False)
    except (binascii.Error, ValueError):
        raise validation("Invalid base64 in a bytes field.") from None


def content_text(blocks: list, prompt: Prompt, *, tool_results: bool = False) -> str:
    """Text of one message's content blocks; documents, images, tool results and guard content go to ``prompt``."""
    if not isinstance(blocks, list):
        raise validation("The content of a message must be a list of content blocks.")
    texts = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if "text" in block and isinstance(block["text"], str):
            texts.append(block["text"])
        elif "image" in block:
            prompt.images += 1
            prompt.overhead_tokens += 258
        elif "document" in block:
            doc = block["document"] or {}
            fmt = str(doc.get("format", "txt")).lower()
            source = doc.get("source") or {}
            data = _blob(source.get("bytes")) if "bytes" in source else str(source.get("text", "")).encode("utf-8")
            text = None
            if fmt in _TEXT_FORMATS or "text" in source:
                text = data.decode("utf-8", "replace")
                if fmt == "html":
                    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
            elif fmt == "pdf":
                text = pdftext.extract(data) or None
            prompt.documents.append(Document(str(doc.get("name", "document")), fmt, text, len(data)))
        elif "toolResult" in block and tool_results:
            result = block["toolResult"] or {}
            prompt.tool_results.append({"toolUseId": result.get("toolUseId"), "content": result.get("content") or []})
        elif "toolUse" in block:
            texts.append(json.dumps((block["toolUse"] or {}).get("input", {})))
        elif "guardContent" in block:
            guard = (block["guardContent"] or {}).get("text") or {}
            texts.append(str(guard.get("text", "")))
            prompt.guard_content.append({"text": str(guard.get("text", "")), "qualifiers": guard.get("qualifiers") or ["guard_content"]})
    return "\n".join(texts)


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt()
    messages = body.get("messages")
    if messages is None and not body.get("promptVariables"):
        raise validation("The messages field is required.")
    messages = messages or []
    if not messages:
        raise validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
    previous = None
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise validation(f"The role at messages.{i}.role must be user or assistant.")
        if i == 0 and role != "user":
            raise validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
        if role == previous:
            raise validation("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.")
        previous = role
        last = i == len(messages) - 1
        p.turns.append((role, content_text(message.get("content") or [], p, tool_results=last and role == "user")))
    system_texts = []
    for block in body.get("system") or []:
        if isinstance(block, dict) and "text" in block:
            system_texts.append(str(block["text"]))
        elif isinstance(block, dict) and "guardContent" in block:
            guard = (block["guardContent"] or {}).get("text") or {}
            system_texts.append(str(guard.get("text", "")))
            p.guard_content.append({"text": str(guard.get("text", "")), "qualifiers": guard.get("qualifiers") or ["guard_content"]})
    p.system = "\n".join(system_texts)
    config = body.get("inferenceConfig") or {}
    max_tokens = config.get("maxTokens")
    if max_tokens is not None:
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise validation("The value at inferenceConfig.maxTokens must be a positive integer.")
        if max_tokens > model.max_output:
            raise validation(
                f"The maximum tokens you requested exceeds the model limit of {model.max_output}. "
                f"Try again with a maximum tokens value that is lower than {model.max_output}."
            )
    p.max_tokens = max_tokens
    for name, key in (("temperature", "temperature"), ("topP", "top_p")):
        value = config.get(name)
        if value is not None and not (0 <= float(value) <= 1):
            raise validation(f"The value at inferenceConfig.{name} must be between 0 and 1.")
        setattr(p, key, None if value is None else float(value))
    p.stop_sequences = [s for s in config.get("stopSequences") or [] if isinstance(s, str)]
    extra = body.get("additionalModelRequestFields") or {}
    if isinstance(extra, dict):
        for key in ("seed", "random_seed"):
            if isinstance(extra.get(key), int):
                p.seed = extra[key]
        nested = extra.get("inferenceConfig") if isinstance(extra.get("inferenceConfig"), dict) else {}
        for value in (extra.get("top_k"), extra.get("topK"), extra.get("k"), nested.get("topK")):
            if isinstance(value, int) and not isinstance(value, bool):
                p.top_k = value
    p.output_schema = _output_schema(body.get("outputConfig"))
    if isinstance(extra, dict) and model.family == "anthropic":
        from .codecs.anthropic import thinking_budget

        p.thinking_budget = thinking_budget(model, extra.get("thinking") or extra.get("reasoning_config"),
                                            p.max_tokens or model.max_output, p.temperature)
    tool_config = body.get("toolConfig") or {}
    for tool in tool_config.get("tools") or []:
        spec = (tool or {}).get("toolSpec")
        if spec:
            p.tools.append({"name": spec.get("name", "tool"), "description": spec.get("description", ""), "schema": (spec.get("inputSchema") or {}).get("json", {})})
    if p.tools:
        p.overhead_tokens += tokens.count(json.dumps(tool_config.get("tools")), model.family)
        choice = tool_config.get("toolChoice") or {}
        if "tool" in choice:
            p.tool_choice = f"tool:{choice['tool'].get('name')}"
        elif "any" in choice:
            p.tool_choice = "any"
        else:
            p.tool_choice = "auto"
    return p


def _output_schema(config) -> dict | None:
    """The JSON schema of ``outputConfig.textFormat`` (structured output), parsed; None when not asked."""
    if not config:
        return None
    fmt = config.get("textFormat") if isinstance(config, dict) else None
    if not fmt:
        return None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise validation("The value at outputConfig.textFormat.type must be json_schema.")
    definition = ((fmt.get("structure") or {}).get("jsonSchema") or {})
    raw = definition.get("schema")
    try:
        schema = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise validation("The JSON schema in outputConfig.textFormat.structure.jsonSchema.schema is not valid JSON.") from None
    if not isinstance(schema, dict):
        raise validation("The JSON schema in outputConfig.textFormat.structure.jsonSchema.schema must be a JSON object.")
    return schema


def _content(gen: Generation, model: Model) -> list[dict]:
    content: list[dict] = []
    if gen.reasoning:
        text = {"text": gen.reasoning}
        if model.family == "anthropic":
            text["signature"] = "sig_" + hashlib.sha256(gen.reasoning.encode("utf-8")).hexdigest()[:24]
        content.append({"reasoningContent": {"reasoningText": text}})
    if gen.text or not gen.tool_use:
        content.append({"text": gen.text})
    if gen.tool_use:
        content.append({"toolUse": gen.tool_use})
    return content


def response(model: Model, gen: Generation, in_tokens: int, latency_ms: int) -> dict:
    out = gen.output_tokens
    return {
        "output": {"message": {"role": "assistant", "content": _content(gen, model)}},
        "stopReason": gen.stop_reason,
        "usage": {"inputTokens": in_tokens, "outputTokens": out, "totalTokens": in_tokens + out},
        "metrics": {"latencyMs": latency_ms},
    }


def stream_events(model: Model, gen: Generation, in_tokens: int, latency_ms: int) -> list[tuple[str, dict]]:
    """(event name, payload) in ConverseStream's order."""
    events: list[tuple[str, dict]] = [("messageStart", {"role": "assistant"})]
    index = 0
    if gen.reasoning:
        events.append(("contentBlockDelta", {"delta": {"reasoningContent": {"text": gen.reasoning}}, "contentBlockIndex": index}))
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    if gen.text or not gen.tool_use:
        toks = tokens.split(gen.text, model.family)
        for i in range(0, max(len(toks), 1), 4):
            events.append(("contentBlockDelta", {"delta": {"text": "".join(toks[i : i + 4])}, "contentBlockIndex": index}))
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    if gen.tool_use:
        tool = gen.tool_use
        events.append(("contentBlockStart", {"start": {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}}, "contentBlockIndex": index}))
        events.append(("contentBlockDelta", {"delta": {"toolUse": {"input": json.dumps(tool["input"])}}, "contentBlockIndex": index}))
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
    events.append(("messageStop", {"stopReason": gen.stop_reason}))
    events.append(("metadata", {"usage": {"inputTokens": in_tokens, "outputTokens": gen.output_tokens, "totalTokens": in_tokens + gen.output_tokens},
                                "metrics": {"latencyMs": latency_ms}}))
    return events
