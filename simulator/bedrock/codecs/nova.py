"""Amazon Nova text models' native body (``messages-v1``: Converse-like content blocks, ``inferenceConfig``)."""

from __future__ import annotations

from ..catalog import Model
from ..errors import malformed
from ..prompt import Generation, Prompt
from . import fields

FAMILY = "nova"
KIND = "text"
_CONFIG = "#/inferenceConfig"


def parse(model: Model, body: dict) -> Prompt:
    from ..converse import content_text

    p = Prompt(seed=fields.seed(body))
    messages = fields.require(body, "messages")
    if not isinstance(messages, list) or not messages:
        raise malformed("#/messages: expected minimum item count: 1")
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise malformed("#/messages: each message needs role user or assistant")
        p.turns.append((message["role"], content_text(message.get("content") or [], p)))
    p.system = " ".join(b.get("text", "") for b in body.get("system") or [] if isinstance(b, dict))
    config = fields.section(body, "inferenceConfig")
    limit = config.get("maxTokens", config.get("max_new_tokens"))
    p.max_tokens = fields.max_output(model, fields.number({"maxTokens": limit}, "maxTokens", 1, None, integer=True, path=_CONFIG), "maxTokens")
    p.temperature = fields.number(config, "temperature", 0, 1, path=_CONFIG)
    p.top_p = fields.number(config, "topP", 0, 1, path=_CONFIG)
    p.top_k = fields.number(config, "topK", 0, None, integer=True, path=_CONFIG)
    p.stop_sequences = fields.strings(config.get("stopSequences"), "inferenceConfig/stopSequences")
    tool_config = fields.section(body, "toolConfig")
    for tool in tool_config.get("tools") or []:
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if spec:
            p.tools.append({"name": spec["name"], "description": spec.get("description", ""), "schema": (spec.get("inputSchema") or {}).get("json", {})})
    return p


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    content: list[dict] = [{"text": gen.text}] if gen.text else []
    if gen.tool_use:
        content.append({"toolUse": gen.tool_use})
    out = gen.output_tokens
    return {
        "output": {"message": {"role": "assistant", "content": content}}, "stopReason": gen.stop_reason,
        "usage": {"inputTokens": in_tokens, "outputTokens": out, "totalTokens": in_tokens + out,
                  "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0},
    }


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    chunks: list[dict] = [{"messageStart": {"role": "assistant"}}]
    chunks += [{"contentBlockDelta": {"delta": {"text": p}, "contentBlockIndex": 0}} for p in fields.pieces(gen.text, model.family) if p]
    chunks += [{"contentBlockStop": {"contentBlockIndex": 0}}, {"messageStop": {"stopReason": gen.stop_reason}},
               {"metadata": {"usage": {"inputTokens": in_tokens, "outputTokens": gen.output_tokens}, "metrics": {}, "trace": {}}}]
    return chunks
