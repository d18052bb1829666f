"""InvokeEndpoint bodies as the common serving containers read and write them.

* TGI: ``{"inputs", "parameters"}`` → ``[{"generated_text"}]`` (``details`` adds finish reason and token count);
  the Messages API (``{"messages": [...]}``) → an OpenAI-style ``chat.completion``;
* LMI (DJL): ``{"inputs", "parameters"}`` → ``{"generated_text"}``; Messages API as TGI;
* Hugging Face inference toolkit: ``text-generation`` (the prompt is repeated unless ``return_full_text`` is false),
  ``text2text-generation`` → ``[{"generated_text"}]``, ``summarization`` → ``[{"summary_text"}]``;
* TEI and embedding models: ``{"inputs": text | [texts]}`` → ``[[floats], ...]``; JumpStart's
  ``{"text_inputs": [...]}`` → ``{"embedding": [[...]]}``.

A body the container would refuse raises :class:`ContainerError` with the status and message the container
returns, which the service wraps as SageMaker's ModelError.
"""

from __future__ import annotations

import json
import time
import uuid

from . import engines
from .containers import Serving


class ContainerError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _body(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ContainerError(422, json.dumps({"error": f"Failed to deserialize the JSON body into the target type: {exc}",
                                              "error_type": "validation"})) from None
    if not isinstance(body, dict):
        raise ContainerError(422, json.dumps({"error": "Failed to deserialize the JSON body into the target type: "
                                                       "expected a JSON object", "error_type": "validation"}))
    return body


def _number(params: dict, key: str, kind=float):
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContainerError(422, json.dumps({"error": f"Input validation error: `{key}` must be a number",
                                              "error_type": "validation"}))
    return kind(value)


def _generation_params(params: dict, default_max: int) -> dict:
    if not isinstance(params, dict):
        raise ContainerError(422, json.dumps({"error": "`parameters` must be an object", "error_type": "validation"}))
    temperature = _number(params, "temperature")
    if temperature is not None and temperature <= 0:
        raise ContainerError(422, json.dumps({"error": "Input validation error: `temperature` must be strictly positive",
                                              "error_type": "validation"}))
    if params.get("do_sample") is False:
        temperature = 0.0
    max_new = _number(params, "max_new_tokens", int) or default_max
    stop = params.get("stop") or []
    return {"max_tokens": max_new, "temperature": temperature, "top_p": _number(params, "top_p"),
            "stop": [stop] if isinstance(stop, str) else list(stop), "seed": _number(params, "seed", int)}


def answer(serving: Serving, raw: bytes) -> tuple[dict | list, int, int]:
    """(response body, input tokens, output tokens) for one InvokeEndpoint body."""
    body = _body(raw)
    if serving.task == "feature-extraction":
        return _embed(serving, body)
    engine = serving.catalog.engine if serving.catalog else None
    if "messages" in body and serving.container in ("tgi", "lmi"):
        return _messages(serving, engine, body)
    inputs = body.get("inputs", body.get("text_inputs"))
    if not isinstance(inputs, str) or not inputs.strip():
        raise ContainerError(422, json.dumps({"error": "Input validation error: `inputs` must be a non-empty string",
                                              "error_type": "validation"}))
    params = _generation_params(body.get("parameters") or {}, 256 if serving.container == "lmi" else 20)
    if serving.task == "summarization":
        system, turns = "", [("user", f"Summarize the following text:\n\n{inputs}")]
    else:
        system, turns = engines.turns_of(inputs)
    text, in_tokens, out_tokens, reason = engines.generate(engine, system, turns, **params)
    if serving.container == "lmi":
        return {"generated_text": text}, in_tokens, out_tokens
    if serving.task == "summarization":
        return [{"summary_text": text}], in_tokens, out_tokens
    full = (body.get("parameters") or {}).get("return_full_text")
    if full is None:
        full = serving.container == "hf" and serving.task == "text-generation"
    item: dict = {"generated_text": (inputs + text) if full else text}
    if (body.get("parameters") or {}).get("details"):
        item["details"] = {"finish_reason": reason, "generated_tokens": out_tokens, "seed": params["seed"]}
    return [item], in_tokens, out_tokens


def _messages(serving: Serving, engine: str | None, body: dict) -> tuple[dict, int, int]:
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise ContainerError(422, json.dumps({"error": "Input validation error: `messages` must be a non-empty list",
                                              "error_type": "validation"}))
    system, turns = "", []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        if not isinstance(content, str):
            raise ContainerError(422, json.dumps({"error": "Input validation error: each message needs a role and "
                                                           "string content", "error_type": "validation"}))
        role = message.get("role")
        if role == "system":
            system = (system + " " + content).strip()
        else:
            turns.append(("assistant" if role == "assistant" else "user", content))
    stop = body.get("stop") or []
    text, in_tokens, out_tokens, reason = engines.generate(
        engine, system, turns, max_tokens=_number(body, "max_tokens", int) or 256,
        temperature=_number(body, "temperature"), top_p=_number(body, "top_p"),
        stop=[stop] if isinstance(stop, str) else list(stop), seed=_number(body, "seed", int))
    out = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": serving.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "length" if reason == "length" else "stop", "logprobs": None}],
        "usage": {"prompt_tokens": in_tokens, "completion_tokens": out_tokens, "total_tokens": in_tokens + out_tokens},
    }
    return out, in_tokens, out_tokens


def _embed(serving: Serving, body: dict) -> tuple[dict | list, int, int]:
    jumpstart = "text_inputs" in body
    inputs = body.get("text_inputs") if jumpstart else body.get("inputs")
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise ContainerError(422, json.dumps({"error": "Input validation error: `inputs` cannot be empty",
                                              "error_type": "Validation"}))
    dims = (serving.catalog.dimensions if serving.catalog and serving.catalog.dimensions else 384)
    vectors = [engines.embed(t, dims) for t in texts]  # unit length, as TEI's default normalize=true
    in_tokens = sum(engines.count_tokens(t) for t in texts)
    if jumpstart:
        return {"embedding": vectors}, in_tokens, 0
    return vectors, in_tokens, 0
