"""bedrock-runtime: InvokeModel(+stream), Converse(+stream), CountTokens and ApplyGuardrail.

Each call: resolve the model, check access and quotas, parse the body, generate deterministically, pass the
guardrail if one is named, wait like the model would (realistic latency only), answer in the family's shape,
and append a ledger record. Runtime calls are never journaled as requests; the ledger record is the trace.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from ..core import determinism
from ..core.pace import scaled
from . import catalog, codecs, eventstream, guardrails, textgen, tokens
from . import converse as conversation
from .codecs.fields import input_tokens
from .errors import BedrockError, access_denied, malformed, validation
from .ledger import iso, output_hash
from .media import Media
from .prompt import Generation, Prompt

if TYPE_CHECKING:
    from ..core.router import RequestInfo
    from .state import BedrockState

USE_CASE_MESSAGE = (
    "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form "
    "before using the model. If you have already filled out the form, try again in 15 minutes."
)
#: Bodies up to this size are kept in the ledger so a call can be re-executed (verify.rerun); larger ones by hash.
MAX_RECORDED_BODY = 1_000_000
_RECORDED_HEADERS = ("X-Amzn-Bedrock-GuardrailIdentifier", "X-Amzn-Bedrock-GuardrailVersion", "X-Amzn-Bedrock-Trace")
_PARAM_SKIP = {"messages", "prompt", "inputText", "system", "message", "chat_history", "documents", "tools", "anthropic_version",
               "text_prompts", "textToImageParams", "preamble", "toolConfig", "negative_prompt"}


@dataclass
class Call:
    info: "RequestInfo"
    operation: str
    resolved: catalog.Resolved
    request_id: str
    started: float
    seed: int | None = None  # the sampling seed (the body's, a re-run's recorded one, or drawn for this call)
    #: Pricing mode: "on-demand", "batch" (a batch job's record) or "provisioned" (through a provisioned model).
    mode: str = "on-demand"
    provisioned: object = None  # the provisioned model served through
    custom: object = None  # the custom model it serves, if any

    @property
    def model(self) -> catalog.Model:
        return self.resolved.model


def _json_body(info: "RequestInfo") -> dict:
    if not info.body:
        raise malformed("#: expected type: JSONObject, found: Null")
    try:
        body = json.loads(info.body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise malformed(f"#: Invalid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise malformed(f"#: expected type: JSONObject, found: {type(body).__name__}")
    return body


_BAD_SHAPES = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def parsed(fn, *args):
    """Run a body parser; a body of the wrong shape is the learner's error (400), never a server failure."""
    try:
        return fn(*args)
    except BedrockError:
        raise
    except _BAD_SHAPES as exc:
        raise malformed(f"#: {type(exc).__name__}: {exc}") from None


def request_key(model: catalog.Model, kind: str, body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{model.id}|{kind}|{canonical}".encode("utf-8")).hexdigest()


def _priced(call: "Call", on_demand_usd: float) -> float:
    """What the call costs per token: batch at half the on-demand price; provisioned models bill by the hour."""
    if call.mode == "batch":
        from ..billing.prices import section

        return round(on_demand_usd * section("bedrock")["batchPriceFactor"], 8)
    return 0.0 if call.mode == "provisioned" else on_demand_usd


def user_agent_app(agent: str) -> str | None:
    """The ``app/<id>`` an SDK adds to its User-Agent (boto3's ``user_agent_appid``, the CLI's
    ``AWS_SDK_UA_APP_ID``): the ledger tells gailab's own calls (``gailab-playground``, ``gailab-solve``) from the
    learner's code, which sets none."""
    for part in agent.split():
        if part.startswith("app/"):
            return part[4:] or None
    return None


def _parameters(body: dict, prompt: Prompt | None, seed: int | None) -> dict:
    """The parameters that produced an answer: the body's own names, plus one normalised name for each."""
    params = {}
    for key, value in body.items():
        if key in _PARAM_SKIP:
            continue
        if isinstance(value, dict) and key in ("textGenerationConfig", "inferenceConfig", "imageGenerationConfig"):
            params.update(value)
        elif not isinstance(value, (dict, list)) or key in ("stop_sequences", "stop", "stopSequences"):
            params[key] = value
    if prompt is not None:
        for name, value in (("temperature", prompt.temperature), ("topP", prompt.top_p), ("topK", prompt.top_k),
                            ("maxTokens", prompt.max_tokens)):
            if value is not None:
                params[name] = value
        if prompt.stop_sequences:
            params["stopSequences"] = list(prompt.stop_sequences)
    if seed is not None:
        params["seed"] = seed
    return params


def sampling_seed(info: "RequestInfo", body_seed: int | None) -> int:
    """The body's seed when it names one; a re-run's recorded seed; else a new one for this call."""
    if body_seed is not None:
        return body_seed
    recorded = info.extra.get("bedrock_seed")
    if isinstance(recorded, int):
        return recorded
    return determinism.new_seed() % (2**32)


class Runtime(Media):
    """One cloud's runtime operations; built per request around the state they read and write.

    ``dry`` (re-runs, see ``verify.py``): no quotas, no waiting, no use-case gate, and the ledger record is kept in
    :attr:`captured` instead of being appended.
    """

    def __init__(self, state: "BedrockState", *, dry: bool = False):
        self.state = state
        self.dry = dry
        self.captured: list[dict] = []

    # -- common steps -----------------------------------------------------------------------------------------
    def begin(self, info: "RequestInfo", operation: str, raw_id: str, *, text_only: bool = False, stream: bool = False) -> Call:
        resolved = catalog.resolve(raw_id)
        served = None
        if resolved is None:
            from . import provisioned

            served = provisioned.resolve_for_invocation(self.state, raw_id, time.time(), rerun=self.dry)
            if served is None:
                raise validation("The provided model identifier is invalid.")
            resolved = catalog.Resolved(catalog.get(served.base_model), raw_id, False)
        model = resolved.model
        if model.profile_only and not resolved.via_profile:
            raise validation(
                f"Invocation of model ID {model.id} with on-demand throughput isn’t supported. Retry your request with "
                "the ID or ARN of an inference profile that contains this model."
            )
        if not self.dry and self.state.use_case_missing(model.provider):
            raise access_denied(USE_CASE_MESSAGE)
        if text_only and not model.is_text:
            raise validation("This action doesn't support the model that you provided. Try again with a supported text or chat model.")
        if stream and not model.streaming:
            raise validation("The model is unsupported for streaming.")
        call = Call(info, operation, resolved, str(uuid.uuid4()), time.perf_counter(),
                    mode=getattr(info, "inference_mode", "on-demand"))
        if served is not None:
            call.mode, call.provisioned = "provisioned", served
            call.custom = self.state.jobs.custom_models.get(served.custom_model) if served.custom_model else None
        return call

    def check_context(self, call: Call, in_tokens: int) -> None:
        if in_tokens > call.model.context:
            raise validation("Input is too long for requested model.")

    def admit(self, call: Call, in_tokens: int, max_out: int) -> None:
        """On-demand quotas per model; a provisioned model has its own (per model unit); batch records none."""
        if self.dry or call.mode == "batch":
            return
        if call.mode == "provisioned":
            from .provisioned import REQUESTS_PER_MINUTE_PER_UNIT, TOKENS_PER_MINUTE_PER_UNIT

            units = call.provisioned.units
            limits = {"models": {call.provisioned.arn: {"requestsPerMinute": REQUESTS_PER_MINUTE_PER_UNIT * units,
                                                        "tokensPerMinute": TOKENS_PER_MINUTE_PER_UNIT * units}}}
            self.state.quotas.admit(limits, call.provisioned.arn, in_tokens + max_out)
            return
        self.state.quotas.admit(self.state.settings["quotas"], call.model.id, in_tokens + max_out)

    def latency_ms(self, model: catalog.Model, out_tokens: int, images_n: int = 0) -> int:
        if images_n:
            return model.ttft_ms * images_n
        generation = out_tokens * 1000 // model.tokens_per_second if model.tokens_per_second else 0
        return model.ttft_ms + generation

    def realistic(self) -> bool:
        return not self.dry and self.state.realistic_latency

    def wait(self, call: Call, latency_ms: int) -> None:
        if self.realistic() and call.mode != "batch":  # latencyMs as reported; waited at the cloud's pace
            remaining = scaled(latency_ms / 1000) - (time.perf_counter() - call.started)
            if remaining > 0:
                time.sleep(remaining)

    def request_of(self, call: Call, body: dict) -> dict:
        """What re-executing this call needs: the operation, the id as given, the body, guardrail headers, seed."""
        info = call.info
        request: dict = {"modelId": call.resolved.given, "seed": call.seed}
        size = len(info.body or b"")
        if size <= MAX_RECORDED_BODY:
            request["body"] = body
        else:
            request["bodySha256"] = hashlib.sha256(info.body).hexdigest()
            request["bodySize"] = size
        headers = {k: info.headers.get(k) for k in _RECORDED_HEADERS if info.headers.get(k) is not None}
        if headers:
            request["headers"] = headers
        return request

    def record(self, call: Call, *, body: dict, prompt: Prompt | None, in_tokens: int, out_tokens: int, latency_ms: int,
               grounded: bool, guardrail_action: str | None, gen: Generation | None = None, images_n: int = 0,
               input_body=None, output_body=None, content=None, guard: tuple | None = None) -> None:
        now = time.time()
        record = {
            "requestId": call.request_id,
            "time": iso(now),
            "_ts": now,
            "caller": getattr(call.info, "caller_arn", None) or self.state.caller(call.info.access_key),
            "client": user_agent_app(call.info.headers.get("User-Agent", "")),
            "operation": call.operation,
            "modelId": call.model.id,
            "requestedModelId": call.resolved.given,
            "parameters": _parameters(body, prompt, call.seed),
            "seed": call.seed,
            "inputTokens": in_tokens,
            "outputTokens": out_tokens,
            "costUsd": _priced(call, call.resolved.cost(in_tokens, out_tokens, images_n)),
            "latencyMs": latency_ms,
            "grounded": bool(grounded),
            "guardrailAction": guardrail_action,
            "region": call.info.region,
            "request": self.request_of(call, body),
        }
        if guard is not None:
            record["guardrailId"], record["guardrailVersion"] = guard
        if prompt is not None:
            users = [t for r, t in prompt.turns if r == "user"]
            record["prompt"] = (users[-1] if users else "")[:2000]
            if prompt.system:
                record["system"] = prompt.system[:2000]
            record["fewShotExamples"] = gen.examples if gen else 0
        elif "inputText" in body:
            record["prompt"] = str(body.get("inputText"))[:2000]
        elif isinstance(body.get("texts"), list):
            record["prompt"] = " | ".join(str(t) for t in body["texts"])[:2000]
        if gen is not None:
            record["task"] = gen.task
            record["stopReason"] = gen.stop_reason
            record["output"] = gen.text[:2000]
            record["shots"] = gen.shots
            if gen.label is not None:
                record["label"] = gen.label
            record["reasoningTokens"] = gen.reasoning_tokens
            if gen.grounding is not None:
                record["groundingScore"] = gen.grounding
            if gen.relevance is not None:
                record["relevanceScore"] = gen.relevance
            content = {"text": gen.text, "reasoning": gen.reasoning, "toolUse": gen.tool_use}
        if content is not None:
            record["outputHash"] = output_hash(content)
        if call.mode != "on-demand":
            record["mode"] = call.mode
        if self.realistic() and call.mode != "batch":
            record["realisticLatency"] = True  # the caller waited latencyMs, as on AWS
        if call.provisioned is not None:
            record["provisionedModelArn"] = call.provisioned.arn
        if call.custom is not None:
            record["customModelArn"] = call.custom.arn
        record.update(getattr(call.info, "ledger_extra", None) or {})
        if self.dry:
            self.captured.append(record)
            return
        self.state.ledger.append(record, self.state.delivery_for(input_body if input_body is not None else body, output_body))

    def headers(self, call: Call, in_tokens: int, out_tokens: int, latency_ms: int) -> dict:
        return {
            "x-amzn-RequestId": call.request_id,
            "X-Amzn-Bedrock-Invocation-Latency": str(latency_ms),
            "X-Amzn-Bedrock-Input-Token-Count": str(in_tokens),
            "X-Amzn-Bedrock-Output-Token-Count": str(out_tokens),
        }

    # -- guardrails around a text generation ---------------------------------------------------------------
    def generate(self, call: Call, prompt: Prompt, key: str) -> Generation:
        """The text engine, or a custom model's trained behaviour on top of it."""
        if call.custom is None:
            return textgen.generate(prompt, call.model, key, call.seed)
        from .customization import adapt, shape_answer

        adapt(call.custom, prompt)
        gen = textgen.generate(prompt, call.model, key, call.seed)
        gen.text = shape_answer(call.custom, prompt, gen.text)
        gen.output_tokens = tokens.count(gen.text)
        return gen

    def guarded_generate(self, call: Call, prompt: Prompt, key: str, guard: tuple | None) -> tuple[Generation, str | None, dict | None]:
        """(generation, guardrailAction for the ledger, trace) — the guardrail checks input, then output."""
        if guard is None:
            return self.generate(call, prompt, key), None, None
        gid, version = guard
        item, config, version = self.state.guardrails.config(gid, version)
        trace: dict = {}
        if prompt.guard_content:
            items = [g for g in prompt.guard_content if set(g["qualifiers"]) & {"guard_content"}]
        else:
            items = [{"text": prompt.user_text, "qualifiers": ["guard_content"]}]
        intervened = False
        if items:
            outcome = guardrails.evaluate(config, "INPUT", items)
            trace["inputAssessment"] = {item.id: outcome.assessment}
            if outcome.blocked:
                text = outcome.message or ""
                gen = Generation(text=text, stop_reason="guardrail_intervened", output_tokens=tokens.count(text, call.model.family), grounded=True, task="blocked")
                return gen, "INTERVENED", trace
            if outcome.action != "NONE":
                intervened = True
                if not prompt.guard_content:
                    for i in range(len(prompt.turns) - 1, -1, -1):
                        if prompt.turns[i][0] == "user":
                            prompt.turns[i] = ("user", outcome.texts[0])
                            break
        gen = self.generate(call, prompt, key)
        out_items = [{"text": gen.text, "qualifiers": ["guard_content"]}]
        out_items += [g for g in prompt.guard_content if set(g["qualifiers"]) & {"grounding_source", "query"}]
        outcome = guardrails.evaluate(config, "OUTPUT", out_items)
        trace["outputAssessments"] = {item.id: [outcome.assessment]}
        trace["modelOutput"] = [gen.text]
        if outcome.blocked:
            gen.text = outcome.message or ""
            gen.stop_reason = "guardrail_intervened"
            gen.tool_use = None
            intervened = True
        elif outcome.action != "NONE":
            gen.text = outcome.texts[0]
            gen.stop_reason = "guardrail_intervened"
            intervened = True
        return gen, "INTERVENED" if intervened else "NONE", trace

    # -- InvokeModel ------------------------------------------------------------------------------------------
    def invoke(self, info: "RequestInfo", raw_id: str, stream: bool) -> Response:
        op = "InvokeModelWithResponseStream" if stream else "InvokeModel"
        call = self.begin(info, op, raw_id, stream=stream)
        body = _json_body(info)
        model = call.model
        codec = codecs.get(model.family)
        if codec.KIND == "embedding":
            return self.embed(call, codec, body)
        if codec.KIND == "image":
            return self.image(call, codec, body)
        prompt = parsed(codec.parse, model, body)
        call.seed = sampling_seed(info, prompt.seed)
        in_tokens = input_tokens(prompt, model)
        self.check_context(call, in_tokens)
        self.admit(call, in_tokens, prompt.max_tokens or model.max_output)
        gid = info.headers.get("X-Amzn-Bedrock-GuardrailIdentifier")
        gversion = info.headers.get("X-Amzn-Bedrock-GuardrailVersion")
        guardrails.check_identifier(gid, gversion)
        key = request_key(model, "invoke", body)
        gen, action, trace = self.guarded_generate(call, prompt, key, (gid, gversion) if gid else None)
        native_gen = gen
        if gen.stop_reason == "guardrail_intervened":
            native_gen = Generation(**{**gen.__dict__, "stop_reason": "end_turn"})
        latency = self.latency_ms(model, gen.output_tokens)
        out_body = codec.response(model, prompt, native_gen, in_tokens, key)
        if action is not None:
            out_body["amazon-bedrock-guardrailAction"] = action
            if str(info.headers.get("X-Amzn-Bedrock-Trace", "")).upper().startswith("ENABLED"):
                out_body["amazon-bedrock-trace"] = {"guardrail": trace}
        self.record(call, body=body, prompt=prompt, in_tokens=in_tokens, out_tokens=gen.output_tokens, latency_ms=latency,
                    grounded=gen.grounded, guardrail_action=action, gen=gen, output_body=out_body,
                    guard=(gid, gversion or "DRAFT") if gid else None)
        info.extra["bedrock_request_id"] = call.request_id
        headers = self.headers(call, in_tokens, gen.output_tokens, latency)
        if not stream:
            self.wait(call, latency)
            return Response(json.dumps(out_body, ensure_ascii=False), status=200, headers=headers, content_type="application/json")
        chunks = codec.stream_chunks(model, prompt, native_gen, in_tokens, key)
        chunks[-1]["amazon-bedrock-invocationMetrics"] = {
            "inputTokenCount": in_tokens, "outputTokenCount": gen.output_tokens,
            "invocationLatency": latency, "firstByteLatency": model.ttft_ms,
        }
        if action is not None:
            chunks[-1]["amazon-bedrock-guardrailAction"] = action
        frames = [eventstream.event("chunk", {"bytes": base64.b64encode(json.dumps(c, ensure_ascii=False).encode("utf-8")).decode("ascii")}) for c in chunks]
        headers["X-Amzn-Bedrock-Content-Type"] = "application/json"
        return self.stream_response(call, frames, latency, headers)

    def stream_response(self, call: Call, frames: list[bytes], latency_ms: int, headers: dict) -> Response:
        if not self.realistic():
            return Response(b"".join(frames), status=200, headers=headers, content_type=eventstream.CONTENT_TYPE)
        model = call.model
        per_frame = scaled(max(0.0, (latency_ms - model.ttft_ms) / 1000 / max(1, len(frames))))
        started = call.started

        def paced():
            first = scaled(model.ttft_ms / 1000) - (time.perf_counter() - started)
            if first > 0:
                time.sleep(first)
            for frame in frames:
                yield frame
                if per_frame:
                    time.sleep(per_frame)

        return Response(paced(), status=200, headers=headers, content_type=eventstream.CONTENT_TYPE, direct_passthrough=True)

    # -- Converse -------------------------------------------------------------------------------------------
    def converse(self, info: "RequestInfo", raw_id: str, stream: bool) -> Response:
        op = "ConverseStream" if stream else "Converse"
        call = self.begin(info, op, raw_id, text_only=True)
        body = _json_body(info)
        model = call.model
        prompt = parsed(conversation.parse, model, body)
        if prompt.system and not model.system_prompts:
            raise validation("This model doesn't support system messages. Try again with a model that supports system messages.")
        if prompt.tools and not model.tool_use:
            raise validation("This model doesn't support tool use.")
        if prompt.images and "IMAGE" not in model.input:
            raise validation("This model doesn't support the image content block that you provided. Try again with a model that supports images.")
        call.seed = sampling_seed(info, prompt.seed)
        in_tokens = input_tokens(prompt, call.model)
        self.check_context(call, in_tokens)
        self.admit(call, in_tokens, prompt.max_tokens or model.max_output)
        gconfig = body.get("guardrailConfig")
        guard = None
        if gconfig:
            guardrails.check_identifier(gconfig.get("guardrailIdentifier"), gconfig.get("guardrailVersion"))
            guard = (gconfig["guardrailIdentifier"], gconfig["guardrailVersion"])
        key = request_key(model, "converse", body)
        gen, action, trace = self.guarded_generate(call, prompt, key, guard)
        latency = self.latency_ms(model, gen.output_tokens)
        out_body = conversation.response(model, gen, in_tokens, latency)
        if guard and trace is not None and str(gconfig.get("trace", "disabled")).lower() in ("enabled", "enabled_full"):
            out_body["trace"] = {"guardrail": trace}
        self.record(call, body=body, prompt=prompt, in_tokens=in_tokens, out_tokens=gen.output_tokens, latency_ms=latency,
                    grounded=gen.grounded, guardrail_action=action, gen=gen, output_body=out_body, guard=guard)
        headers = {"x-amzn-RequestId": call.request_id}
        if not stream:
            self.wait(call, latency)
            return Response(json.dumps(out_body, ensure_ascii=False), status=200, headers=headers, content_type="application/json")
        events = conversation.stream_events(model, gen, in_tokens, latency)
        if "trace" in out_body:
            events[-1][1]["trace"] = out_body["trace"]
        frames = [eventstream.event(name, payload) for name, payload in events]
        return self.stream_response(call, frames, latency, headers)

    # -- CountTokens ----------------------------------------------------------------------------------------
    def count_tokens(self, info: "RequestInfo", raw_id: str) -> Response:
        call = self.begin(info, "CountTokens", raw_id, text_only=True)
        body = _json_body(info)
        source = body.get("input") or {}
        if not isinstance(source, dict):
            raise validation("The input must contain either invokeModel or converse.")
        if "invokeModel" in source:
            raw = (source["invokeModel"] or {}).get("body", "")
            try:
                native = json.loads(base64.b64decode(raw))
            except (ValueError, TypeError):
                raise validation("The input body is not valid base64-encoded JSON.") from None
            codec = codecs.get(call.model.family)
            if codec.KIND != "text":
                raise validation("This action doesn't support the model that you provided. Try again with a supported text or chat model.")
            prompt = parsed(codec.parse, call.model, native)
        elif "converse" in source:
            if not isinstance(source["converse"], dict):
                raise validation("input.converse must be an object with messages.")
            prompt = parsed(conversation.parse, call.model, source["converse"])
        else:
            raise validation("The input must contain either invokeModel or converse.")
        count = input_tokens(prompt, call.model)
        now = time.time()
        users = [t for r, t in prompt.turns if r == "user"]
        record = {
            "requestId": call.request_id, "time": iso(now), "_ts": now, "caller": self.state.caller(info.access_key),
            "operation": "CountTokens", "modelId": call.model.id, "requestedModelId": call.resolved.given, "parameters": {},
            "inputTokens": count, "outputTokens": 0, "costUsd": 0.0, "latencyMs": 0, "grounded": True,
            "guardrailAction": None, "prompt": (users[-1] if users else "")[:2000], "region": info.region,
            "request": self.request_of(call, body),
        }
        if self.dry:
            self.captured.append(record)
        else:
            self.state.ledger.append(record)
        return Response(json.dumps({"inputTokens": count}), status=200, headers={"x-amzn-RequestId": call.request_id}, content_type="application/json")

    # -- ApplyGuardrail ---------------------------------------------------------------------------------------
    def apply_guardrail(self, info: "RequestInfo", identifier: str, version: str) -> Response:
        body = _json_body(info)
        source = body.get("source")
        if source not in ("INPUT", "OUTPUT"):
            raise validation("1 validation error detected: Value at 'source' failed to satisfy constraint: Member must satisfy enum value set: [INPUT, OUTPUT]")
        content = body.get("content")
        if not isinstance(content, list) or not content:
            raise validation("1 validation error detected: Value at 'content' failed to satisfy constraint: Member must not be null")
        items = []
        for block in content:
            text = (block or {}).get("text") if isinstance(block, dict) else None
            if isinstance(text, dict) and isinstance(text.get("text"), str):
                items.append({"text": text["text"], "qualifiers": text.get("qualifiers") or ["guard_content"]})
        item, config, version = self.state.guardrails.config(identifier, version)
        started = time.perf_counter()
        outcome = guardrails.evaluate(config, source, items)
        guarded_count = sum(1 for i in items if not set(i["qualifiers"]) & {"grounding_source", "query"})
        if outcome.blocked:
            outputs = [{"text": outcome.message}]
        elif outcome.action != "NONE":
            outputs = [{"text": t} for t in outcome.texts]
        else:
            outputs = []
        out = {
            "usage": outcome.usage,
            "action": outcome.action,
            "outputs": outputs,
            "assessments": [outcome.assessment],
            "guardrailCoverage": {"textCharacters": {"guarded": sum(len(i["text"]) for i in items[:guarded_count] or items), "total": sum(len(i["text"]) for i in items)}},
        }
        if outcome.action != "NONE":
            out["actionReason"] = "Guardrail blocked." if outcome.blocked else "Guardrail masked."
        grounding = (outcome.assessment.get("contextualGroundingPolicy") or {}).get("filters") or []
        # As for a model's answer, the ledger's verdict uses both scores: supported by the source and on the question.
        grounded = not any(f.get("detected") and f.get("type") in ("GROUNDING", "RELEVANCE") for f in grounding)
        now = time.time()
        record = {
            "requestId": str(uuid.uuid4()), "time": iso(now), "_ts": now, "caller": self.state.caller(info.access_key),
            "operation": "ApplyGuardrail", "modelId": None, "guardrailId": item.id, "guardrailVersion": version,
            "parameters": {"source": source}, "inputTokens": 0, "outputTokens": 0, "costUsd": 0.0,
            "latencyMs": int((time.perf_counter() - started) * 1000), "grounded": grounded,
            "guardrailAction": "INTERVENED" if outcome.action != "NONE" else "NONE",
            "prompt": " ".join(i["text"] for i in items)[:2000], "region": info.region,
            "request": {"guardrailIdentifier": identifier, "guardrailVersion": version, "body": body},
            "outputHash": output_hash({"action": outcome.action, "outputs": outputs}),
        }
        if grounding:
            scores = {f.get("type"): f.get("score") for f in grounding}
            if "GROUNDING" in scores:
                record["groundingScore"] = scores["GROUNDING"]
            if "RELEVANCE" in scores:
                record["relevanceScore"] = scores["RELEVANCE"]
        if self.dry:
            self.captured.append(record)
        else:
            self.state.ledger.append(record)
        return Response(json.dumps(out, ensure_ascii=False), status=200, headers={"x-amzn-RequestId": record["requestId"]}, content_type="application/json")


# -- the handlers the routing table names (operations.OPERATIONS) --------------------------------------------------
def invoke_model(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).invoke(info, labels["modelId"], stream=False)


def invoke_model_with_response_stream(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).invoke(info, labels["modelId"], stream=True)


def converse(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).converse(info, labels["modelId"], stream=False)


def converse_stream(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).converse(info, labels["modelId"], stream=True)


def count_tokens(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).count_tokens(info, labels["modelId"])


def apply_guardrail(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return Runtime(state).apply_guardrail(info, labels["guardrailIdentifier"], labels["guardrailVersion"])
