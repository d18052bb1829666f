"""Native InvokeModel bodies per text family: request -> :class:`Prompt`, generation -> response and stream
chunks. Converse's own shape lives in ``converse.py``; embeddings and images in ``runtime.py``.
"""

from __future__ import annotations

import hashlib
import json
import re

from . import tokens
from .catalog import Model
from .errors import malformed, validation
from .prompt import Generation, Prompt

TEXT_FAMILIES = ("anthropic", "titan-text", "nova", "jamba", "llama", "mistral", "cohere", "deepseek")


# -- validation helpers ---------------------------------------------------------------------------------------
def _require(body: dict, key: str) -> object:
    if key not in body:
        raise malformed(f"#: required key [{key}] not found")
    return body[key]


def _number(body: dict, key: str, low: float, high: float | None, *, integer: bool = False, path: str = "#"):
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


def _strings(value, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise malformed(f"#/{key}: expected type: JSONArray of strings")
    return value


def _max_output(model: Model, value: int | None, name: str) -> int | None:
    if value is not None and value > model.max_output:
        raise validation(
            f"{name}: {value} > {model.max_output}, which is the maximum allowed number of output tokens for {model.id}"
        )
    return value


def _seed(body: dict) -> int | None:
    for key in ("seed", "random_seed"):
        if isinstance(body.get(key), int) and not isinstance(body.get(key), bool):
            return body[key]
    return None


# -- prompt-format unwrapping -----------------------------------------------------------------------------------
_LLAMA3 = re.compile(r"<\|start_header_id\|>(\w+)<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)", re.S)


def _llama_turns(prompt: str) -> tuple[str, list[tuple[str, str]]]:
    turns = [(role, text.strip()) for role, text in _LLAMA3.findall(prompt)]
    if turns:
        system = "\n".join(t for r, t in turns if r == "system")
        return system, [(r, t) for r, t in turns if r != "system" and t]
    return _inst_turns(prompt)


def _inst_turns(prompt: str) -> tuple[str, list[tuple[str, str]]]:
    """Mistral / Llama 2 ``<s>[INST] ... [/INST]`` prompts (with optional ``<<SYS>>``)."""
    system = ""
    m = re.search(r"<<SYS>>(.*?)<</SYS>>", prompt, re.S)
    if m:
        system = m.group(1).strip()
        prompt = prompt.replace(m.group(0), "")
    parts = re.split(r"\[INST\]|\[/INST\]", prompt)
    if len(parts) == 1:
        return system, [("user", _clean(prompt))]
    turns = []
    for i, part in enumerate(parts[1:]):
        text = _clean(part)
        if text:
            turns.append(("user" if i % 2 == 0 else "assistant", text))
    return system, turns


def _clean(text: str) -> str:
    return re.sub(r"</?s>|<\|begin_of_text\|>|<\|end_of_text\|>", "", text).strip()


def _titan_turns(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"(?:^|\n)\s*(User|Bot|Assistant)\s*:\s*", text)
    if len(parts) < 3:
        return [("user", text.strip())]
    turns = []
    for role, chunk in zip(parts[1::2], parts[2::2]):
        if chunk.strip():
            turns.append(("user" if role == "User" else "assistant", chunk.strip()))
    return turns or [("user", text.strip())]


# -- content blocks (Anthropic / Nova / Converse share the idea) ---------------------------------------------
def _anthropic_content(content, prompt: Prompt) -> str:
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
            from .prompt import Document

            source = block.get("source") or {}
            title = str(block.get("title") or "document")
            if source.get("type") == "text":
                data = str(source.get("data", ""))
                prompt.documents.append(Document(title, "txt", data, len(data)))
            elif source.get("type") == "base64":
                import base64 as b64

                from . import pdftext

                raw = b64.b64decode(source.get("data") or "")
                media = str(source.get("media_type", ""))
                text = pdftext.extract(raw) or None if media == "application/pdf" else raw.decode("utf-8", "replace")
                prompt.documents.append(Document(title, "pdf" if media == "application/pdf" else "txt", text, len(raw)))
    return "\n".join(texts)


# -- requests ----------------------------------------------------------------------------------------------------
def parse(model: Model, body: dict) -> Prompt:
    family = model.family
    p = Prompt(seed=_seed(body))
    if family == "anthropic":
        version = _require(body, "anthropic_version")
        if not str(version).startswith("bedrock-"):
            raise validation(f"Invalid API version: {version}. Use anthropic_version \"bedrock-2023-05-31\".")
        p.max_tokens = _max_output(model, _number(body, "max_tokens", 1, None, integer=True), "max_tokens")
        if p.max_tokens is None:
            raise malformed("#: required key [max_tokens] not found")
        messages = _require(body, "messages")
        if not isinstance(messages, list) or not messages:
            raise malformed("#/messages: expected minimum item count: 1, found: 0")
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                raise malformed("#/messages: each message needs role user or assistant")
            p.tool_results = [] if message["role"] == "user" else p.tool_results
            p.turns.append((message["role"], _anthropic_content(message.get("content", ""), p)))
        system = body.get("system", "")
        p.system = system if isinstance(system, str) else " ".join(b.get("text", "") for b in system if isinstance(b, dict))
        p.temperature = _number(body, "temperature", 0, 1)
        p.top_p = _number(body, "top_p", 0, 1)
        _number(body, "top_k", 0, 500, integer=True)
        p.stop_sequences = _strings(body.get("stop_sequences"), "stop_sequences")
        if not isinstance(body.get("tools") or [], list):
            raise malformed("#/tools: expected type: JSONArray, found: String")
        for tool in body.get("tools") or []:
            if isinstance(tool, dict) and "name" in tool:
                p.tools.append({"name": tool["name"], "description": tool.get("description", ""), "schema": tool.get("input_schema", {})})
        choice = body.get("tool_choice") or {}
        if isinstance(choice, dict) and choice.get("type"):
            p.tool_choice = f"tool:{choice.get('name')}" if choice["type"] == "tool" else choice["type"]
        if p.tools:
            p.overhead_tokens += tokens.count(json.dumps(body.get("tools")))
        return p
    if family == "titan-text":
        text = _require(body, "inputText")
        if not isinstance(text, str):
            raise malformed("#/inputText: expected type: String")
        config = body.get("textGenerationConfig") or {}
        p.turns = _titan_turns(text)
        p.temperature = _number(config, "temperature", 0, 1, path="#/textGenerationConfig")
        p.top_p = _number(config, "topP", 0, 1, path="#/textGenerationConfig")
        p.max_tokens = _max_output(model, _number(config, "maxTokenCount", 0, None, integer=True, path="#/textGenerationConfig"), "maxTokenCount")
        p.max_tokens = 512 if p.max_tokens is None else p.max_tokens
        p.stop_sequences = _strings(config.get("stopSequences"), "textGenerationConfig/stopSequences")
        return p
    if family == "nova":
        messages = _require(body, "messages")
        if not isinstance(messages, list) or not messages:
            raise malformed("#/messages: expected minimum item count: 1")
        from .converse import content_text

        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                raise malformed("#/messages: each message needs role user or assistant")
            p.turns.append((message["role"], content_text(message.get("content") or [], p)))
        p.system = " ".join(b.get("text", "") for b in body.get("system") or [] if isinstance(b, dict))
        config = body.get("inferenceConfig") or {}
        limit = config.get("maxTokens", config.get("max_new_tokens"))
        p.max_tokens = _max_output(model, _number({"maxTokens": limit}, "maxTokens", 1, None, integer=True, path="#/inferenceConfig"), "maxTokens")
        p.temperature = _number(config, "temperature", 0, 1, path="#/inferenceConfig")
        p.top_p = _number(config, "topP", 0, 1, path="#/inferenceConfig")
        p.stop_sequences = _strings(config.get("stopSequences"), "inferenceConfig/stopSequences")
        tool_config = body.get("toolConfig") or {}
        for tool in tool_config.get("tools") or []:
            spec = tool.get("toolSpec") if isinstance(tool, dict) else None
            if spec:
                p.tools.append({"name": spec["name"], "description": spec.get("description", ""), "schema": (spec.get("inputSchema") or {}).get("json", {})})
        return p
    if family == "jamba":
        messages = _require(body, "messages")
        for message in messages if isinstance(messages, list) else []:
            role = message.get("role")
            if role == "system":
                p.system = str(message.get("content", ""))
            else:
                p.turns.append(("assistant" if role == "assistant" else "user", str(message.get("content", ""))))
        p.max_tokens = _max_output(model, _number(body, "max_tokens", 0, None, integer=True), "max_tokens")
        p.temperature = _number(body, "temperature", 0, 2)
        p.top_p = _number(body, "top_p", 0, 1)
        p.stop_sequences = _strings(body.get("stop"), "stop")
        return p
    if family == "cohere":
        message = _require(body, "message")
        for turn in body.get("chat_history") or []:
            role = "assistant" if str(turn.get("role", "")).upper() in ("CHATBOT", "ASSISTANT") else "user"
            p.turns.append((role, str(turn.get("message", ""))))
        p.turns.append(("user", str(message)))
        p.system = str(body.get("preamble") or "")
        from .prompt import Document

        for i, doc in enumerate(body.get("documents") or []):
            if isinstance(doc, dict):
                text = " ".join(str(v) for v in doc.values())
                p.documents.append(Document(str(doc.get("title", f"doc_{i}")), "txt", text, len(text)))
        p.max_tokens = _max_output(model, _number(body, "max_tokens", 1, None, integer=True), "max_tokens")
        p.temperature = _number(body, "temperature", 0, 1)
        p.top_p = _number(body, "p", 0.01, 0.99)
        _number(body, "k", 0, 500, integer=True)
        p.stop_sequences = _strings(body.get("stop_sequences"), "stop_sequences")
        return p
    # Prompt-string families: llama, mistral (also chat-style), deepseek.
    if family == "mistral" and "messages" in body:
        for message in body["messages"] or []:
            role = message.get("role")
            if role == "system":
                p.system = str(message.get("content", ""))
            else:
                p.turns.append(("assistant" if role == "assistant" else "user", str(message.get("content", ""))))
    else:
        text = _require(body, "prompt")
        if not isinstance(text, str):
            raise malformed("#/prompt: expected type: String")
        p.system, p.turns = _llama_turns(text) if family == "llama" else _inst_turns(text)
        if family == "deepseek":
            p.turns = [(r, re.sub(r"<｜[^｜]*｜>", "", t).strip()) for r, t in p.turns]
    limit_key = "max_gen_len" if family == "llama" else "max_tokens"
    p.max_tokens = _max_output(model, _number(body, limit_key, 1, None, integer=True), limit_key)
    if p.max_tokens is None:
        p.max_tokens = 512
    p.temperature = _number(body, "temperature", 0, 1)
    p.top_p = _number(body, "top_p", 0, 1)
    p.stop_sequences = _strings(body.get("stop"), "stop")
    return p


def input_tokens(prompt: Prompt) -> int:
    """The one input-token count (usage, CountTokens, quotas and cost all use it)."""
    total = tokens.count(prompt.system) + prompt.overhead_tokens
    for _, text in prompt.turns:
        total += tokens.count(text) + 3
    for doc in prompt.documents:
        total += tokens.count(doc.text) if doc.text is not None else min(doc.size // 20, 20000)
    return max(total, 1)


# -- responses ---------------------------------------------------------------------------------------------------
def message_id(key: str, prefix: str) -> str:
    return prefix + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def full_text(gen: Generation, model: Model) -> str:
    if model.family == "deepseek" and gen.reasoning:
        return f"{gen.reasoning}\n</think>\n\n{gen.text}"
    return gen.text


def response(model: Model, gen: Generation, in_tokens: int, key: str) -> dict:
    fam, out = model.family, gen.output_tokens
    text = full_text(gen, model)
    if fam == "anthropic":
        content: list[dict] = [{"type": "text", "text": text}] if text else []
        if gen.tool_use:
            content.append({"type": "tool_use", "id": gen.tool_use["toolUseId"].replace("tooluse_", "toolu_bdrk_"), "name": gen.tool_use["name"], "input": gen.tool_use["input"]})
        return {
            "id": message_id(key, "msg_bdrk_"), "type": "message", "role": "assistant", "model": model.id.split(".", 1)[1].rsplit("-v", 1)[0],
            "content": content, "stop_reason": gen.stop_reason, "stop_sequence": gen.stop_sequence,
            "usage": {"input_tokens": in_tokens, "output_tokens": out},
        }
    if fam == "titan-text":
        reason = {"max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}.get(gen.stop_reason, "FINISH")
        return {"inputTextTokenCount": in_tokens, "results": [{"tokenCount": out, "outputText": text, "completionReason": reason}]}
    if fam == "nova":
        content = [{"text": text}] if text else []
        if gen.tool_use:
            content.append({"toolUse": gen.tool_use})
        return {
            "output": {"message": {"role": "assistant", "content": content}}, "stopReason": gen.stop_reason,
            "usage": {"inputTokens": in_tokens, "outputTokens": out, "totalTokens": in_tokens + out,
                      "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0},
        }
    finish = "length" if gen.stop_reason == "max_tokens" else "stop"
    if fam == "jamba" or (fam == "mistral" and key.endswith("|chat")):
        return {
            "id": message_id(key, "chatcmpl-"), "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
            "usage": {"prompt_tokens": in_tokens, "completion_tokens": out, "total_tokens": in_tokens + out}, "model": model.id,
        }
    if fam == "llama":
        return {"generation": text, "prompt_token_count": in_tokens, "generation_token_count": out, "stop_reason": finish}
    if fam == "mistral":
        return {"outputs": [{"text": text, "stop_reason": finish}]}
    if fam == "deepseek":
        return {"choices": [{"text": text, "stop_reason": finish}]}
    if fam == "cohere":
        rid = message_id(key, "")
        reason = "MAX_TOKENS" if gen.stop_reason == "max_tokens" else "COMPLETE"
        return {"response_id": rid, "text": text, "generation_id": message_id(key + "g", ""), "chat_history": [], "finish_reason": reason}
    raise validation(f"The model {model.id} does not support this request body.")


def _pieces(text: str, per_chunk: int = 4) -> list[str]:
    toks = tokens.split(text)
    return ["".join(toks[i : i + per_chunk]) for i in range(0, len(toks), per_chunk)] or [""]


def stream_chunks(model: Model, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    """The native chunks of InvokeModelWithResponseStream (metrics are added to the last one by the caller)."""
    fam, out = model.family, gen.output_tokens
    text = full_text(gen, model)
    pieces = _pieces(text)
    if fam == "anthropic":
        whole = response(model, gen, in_tokens, key)
        start = dict(whole, content=[], stop_reason=None, stop_sequence=None, usage={"input_tokens": in_tokens, "output_tokens": 1})
        chunks = [{"type": "message_start", "message": start},
                  {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
        chunks += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}} for p in pieces if p]
        chunks.append({"type": "content_block_stop", "index": 0})
        if gen.tool_use:
            block = whole["content"][-1]
            chunks += [{"type": "content_block_start", "index": 1, "content_block": dict(block, input={})},
                       {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}},
                       {"type": "content_block_stop", "index": 1}]
        chunks += [{"type": "message_delta", "delta": {"stop_reason": gen.stop_reason, "stop_sequence": gen.stop_sequence}, "usage": {"output_tokens": out}},
                   {"type": "message_stop"}]
        return chunks
    if fam == "titan-text":
        reason = {"max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}.get(gen.stop_reason, "FINISH")
        chunks, sent = [], 0
        for i, p in enumerate(pieces):
            sent += tokens.count(p)
            last = i == len(pieces) - 1
            chunks.append({"outputText": p, "index": 0, "totalOutputTextTokenCount": out if last else sent,
                           "completionReason": reason if last else None, "inputTextTokenCount": in_tokens if i == 0 else None})
        return chunks
    if fam == "nova":
        chunks = [{"messageStart": {"role": "assistant"}}]
        chunks += [{"contentBlockDelta": {"delta": {"text": p}, "contentBlockIndex": 0}} for p in pieces if p]
        chunks += [{"contentBlockStop": {"contentBlockIndex": 0}}, {"messageStop": {"stopReason": gen.stop_reason}},
                   {"metadata": {"usage": {"inputTokens": in_tokens, "outputTokens": out}, "metrics": {}, "trace": {}}}]
        return chunks
    finish = "length" if gen.stop_reason == "max_tokens" else "stop"
    if fam == "llama":
        chunks = [{"generation": p, "prompt_token_count": in_tokens if i == 0 else None, "generation_token_count": tokens.count(p), "stop_reason": None}
                  for i, p in enumerate(pieces)]
        chunks[-1]["stop_reason"] = finish
        chunks[-1]["generation_token_count"] = out
        return chunks
    if fam == "mistral" and not key.endswith("|chat"):
        chunks = [{"outputs": [{"text": p, "stop_reason": None}]} for p in pieces]
        chunks[-1]["outputs"][0]["stop_reason"] = finish
        return chunks
    if fam == "deepseek":
        chunks = [{"choices": [{"text": p, "stop_reason": None}]} for p in pieces]
        chunks[-1]["choices"][0]["stop_reason"] = finish
        return chunks
    if fam in ("jamba", "mistral"):
        cid = message_id(key, "chatcmpl-")
        chunks = [{"id": cid, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        chunks += [{"id": cid, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
        chunks.append({"id": cid, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}],
                       "usage": {"prompt_tokens": in_tokens, "completion_tokens": out, "total_tokens": in_tokens + out}})
        return chunks
    if fam == "cohere":
        whole = response(model, gen, in_tokens, key)
        chunks = [{"is_finished": False, "event_type": "stream-start", "generation_id": whole["generation_id"]}]
        chunks += [{"is_finished": False, "event_type": "text-generation", "text": p} for p in pieces]
        chunks.append({"is_finished": True, "event_type": "stream-end", "response": whole, "finish_reason": whole["finish_reason"]})
        return chunks
    raise validation(f"The model {model.id} does not support streaming this request body.")
