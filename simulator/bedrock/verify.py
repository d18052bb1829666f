"""Re-execute a recorded invocation and compare: how a grader tells a real ledger record from a forged one.

The simulated Bedrock is deterministic given a call's request and its sampling seed, and every ledger record keeps
both (``request``: the model id as given, the body, guardrail headers, the seed). :func:`rerun` runs the same call
again with no side effects — nothing is appended to any ledger, no quota is spent, no latency is waited, no log is
delivered — and returns what the call produces; :func:`differences` names the fields where a record disagrees.

Records written before the ledger kept requests (or whose body was too large to keep) are still readable: their
re-run says ``rerunnable: False`` and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from werkzeug.datastructures import Headers

from .errors import BedrockError
from .state import BedrockState

#: The fields a re-run recomputes and a grader compares.
COMPARED = ("operation", "modelId", "inputTokens", "outputTokens", "costUsd", "outputHash", "stopReason",
            "guardrailAction", "fewShotExamples", "grounded")
RESULT_FIELDS = COMPARED + ("requestedModelId", "output", "seed", "shots", "reasoningTokens", "groundingScore",
                            "relevanceScore", "task", "parameters")


#: Re-runners for operations other services record in the ledger (e.g. Knowledge Bases' RetrieveAndGenerate):
#: ``{operation: fn(record, state) -> dict}`` returning the recomputed fields, as :func:`rerun` does.
RERUNNERS: dict[str, Callable[[dict, "BedrockState | None"], dict]] = {}


#: Re-runners of the services that write ledger records themselves, imported on first use (a regrade that meets no
#: such record loads nothing): Knowledge Bases' generation and the query embedding it pays for.
_BUILTIN = {
    "RetrieveAndGenerate": "..bedrockagent.rag:rerun",
    "RetrieveAndGenerateStream": "..bedrockagent.rag:rerun",
    "Retrieve": "..bedrockagent.rag:rerun_retrieve",
}


def _rerunner(operation: str | None):
    if operation in RERUNNERS:
        return RERUNNERS[operation]
    if operation in _BUILTIN:
        import importlib

        module, name = _BUILTIN[operation].split(":")
        return getattr(importlib.import_module(module, __package__), name)
    return None


def register(operation: str, rerunner: Callable[[dict, "BedrockState | None"], dict]) -> None:
    """Let :func:`rerun` re-execute ledger records of ``operation`` that another service writes."""
    RERUNNERS[operation] = rerunner


_OPERATIONS = {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream", "CountTokens", "ApplyGuardrail"}


@dataclass
class _Request:
    """The little of a RequestInfo the runtime reads, rebuilt from a ledger record."""

    body: bytes
    headers: Headers
    region: str
    access_key: str | None = None
    replaying: bool = False
    inference_mode: str = "on-demand"
    extra: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)


def _record_of(event: dict) -> dict:
    """A ledger record from what the caller holds: the record itself, or the journal's ``ledger`` event."""
    if isinstance(event.get("record"), dict):
        return event["record"]
    return event


def rerun(event: dict, state: BedrockState | None = None) -> dict:
    """Re-execute the invocation a ledger record (or ``ledger`` journal event) describes; return the recomputed
    record's fields (:data:`RESULT_FIELDS`) with ``rerunnable: True``, or ``rerunnable: False`` and a ``reason``.

    ``state`` supplies guardrails a call named (a regraded cloud's state); without it, a fresh empty state is used.
    A call that fails again returns ``error: {code, message}``.
    """
    from .runtime import Runtime

    record = _record_of(event)
    request = record.get("request")
    operation = record.get("operation")
    rerunner = _rerunner(operation)
    if rerunner is not None:
        again = dict(rerunner(record, state))
        again.setdefault("rerunnable", True)
        return again
    if operation not in _OPERATIONS:
        return {"rerunnable": False, "reason": f"Operation {operation!r} is not re-executable."}
    if not isinstance(request, dict):
        return {"rerunnable": False, "reason": "The record has no request (it was written before the ledger kept them)."}
    if "body" not in request:
        return {"rerunnable": False, "reason": f"The request body ({request.get('bodySize', '?')} bytes) was too large to keep; "
                                              f"its SHA-256 is {request.get('bodySha256')}."}
    info = _Request(json.dumps(request["body"], ensure_ascii=False).encode("utf-8"), Headers(request.get("headers") or {}),
                    record.get("region") or "us-east-1")
    if isinstance(request.get("seed"), int):
        info.extra["bedrock_seed"] = request["seed"]
    if record.get("mode") == "batch":
        info.inference_mode = "batch"  # a batch job's record: priced at the batch price
    runtime = Runtime(state if state is not None else BedrockState(), dry=True)
    try:
        if operation in ("InvokeModel", "InvokeModelWithResponseStream"):
            runtime.invoke(info, request["modelId"], stream=operation != "InvokeModel")
        elif operation in ("Converse", "ConverseStream"):
            runtime.converse(info, request["modelId"], stream=operation == "ConverseStream")
        elif operation == "CountTokens":
            runtime.count_tokens(info, request["modelId"])
        elif operation == "ApplyGuardrail":
            runtime.apply_guardrail(info, request["guardrailIdentifier"], request["guardrailVersion"])
        else:
            return {"rerunnable": False, "reason": f"Operation {operation!r} is not re-executable."}
    except BedrockError as exc:
        return {"rerunnable": True, "error": {"code": exc.code, "message": exc.message}}
    if not runtime.captured:
        return {"rerunnable": False, "reason": "The re-run produced no record."}
    again = runtime.captured[-1]
    out = {name: again.get(name) for name in RESULT_FIELDS if name in again}
    out["rerunnable"] = True
    return out


def differences(event: dict, state: BedrockState | None = None) -> list[str]:
    """Fields where a record disagrees with its re-run ("outputTokens: recorded 12, re-run 40"); [] when it matches.
    A record that cannot be re-run gives one line saying why."""
    record = _record_of(event)
    again = rerun(record, state)
    if not again.get("rerunnable"):
        return [f"not re-runnable: {again.get('reason')}"]
    if "error" in again:
        return [f"re-run failed: {again['error']['code']}: {again['error']['message']}"]
    found = []
    for name in COMPARED:
        if name not in record and name not in again:
            continue
        mine, theirs = record.get(name), again.get(name)
        if name == "costUsd" and isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
            if abs(mine - theirs) <= 1e-9:
                continue
        elif mine == theirs:
            continue
        found.append(f"{name}: recorded {mine!r}, re-run {theirs!r}")
    return found
