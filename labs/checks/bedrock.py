"""The simulated Bedrock's ledger (``/_gailab/bedrock/invocations``): what was called, how, and what it cost."""

from __future__ import annotations

from . import Context

TEXT_FAMILIES = ("anthropic.", "amazon.titan-text", "amazon.nova", "meta.", "mistral.", "cohere.command", "ai21.",
                 "deepseek.")


#: What gailab's own tools put in their User-Agent (``app/<id>``, the ledger's ``client``): the app's Playground.
TOOL_CLIENTS = ("gailab-playground",)


def invocations(ctx: Context, model_id: str | None = None, caller: str | None = None, since: str | None = None,
                operation: str | None = None, tools: bool = False) -> list[dict]:
    """Ledger records, oldest first (cached per grading run for the unfiltered query). Calls made from the app's
    Playground are left out unless ``tools``: a lab that asks for code is not done by chatting."""
    key = ("bedrock.ledger", model_id, caller, since)
    if key not in ctx.cache:
        ctx.cache[key] = ctx.admin("/_gailab/bedrock/invocations",
                                   {"modelId": model_id, "caller": caller, "since": since}).get("invocations", [])
    records = ctx.cache[key]
    return [r for r in records if (operation is None or r.get("operation") == operation)
            and (tools or r.get("client") not in TOOL_CLIENTS)]


def base_model(model_id: str) -> str:
    """'us.anthropic.claude-…' (an inference profile) → 'anthropic.claude-…'; ARNs → the id after the slash."""
    model_id = (model_id or "").rsplit("/", 1)[-1]
    parts = model_id.split(".")
    if len(parts) > 2 and parts[0] in ("us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"):
        return ".".join(parts[1:])
    return model_id


def provider(model_id: str) -> str:
    return base_model(model_id).split(".", 1)[0]


def parameter(record: dict, *names: str):
    """The first of ``names`` present in the record's parameters (bodies and Converse spell them differently)."""
    params = record.get("parameters") or {}
    for name in names:
        if params.get(name) is not None:
            return params[name]
    return None


def temperature(record: dict):
    return parameter(record, "temperature")


def max_tokens(record: dict):
    return parameter(record, "maxTokens", "max_tokens", "maxTokenCount", "max_gen_len", "max_new_tokens")


def call_carrying(ctx: Context, mark: str) -> dict | None:
    """The latest ledger record whose prompt holds ``mark`` (read now: a live probe's call is newer than any cache)."""
    records = ctx.admin("/_gailab/bedrock/invocations").get("invocations", [])
    return next((r for r in reversed(records) if mark in (r.get("prompt") or "")), None)


def models(ctx: Context) -> dict[str, dict]:
    """The simulated catalog by model id: modalities (``inputModalities``, ``outputModalities``) and prices
    (``price``: ``inputPer1K``, ``outputPer1K``, ``perImage``), read once per grading run."""
    if "bedrock.models" not in ctx.cache:
        ctx.cache["bedrock.models"] = {m["id"]: m for m in ctx.admin("/_gailab/bedrock/models").get("models", [])}
    return ctx.cache["bedrock.models"]


def model_info(ctx: Context, model_id: str) -> dict | None:
    """The catalog entry of a model id, an inference profile id or an ARN (None when the catalog lacks it)."""
    return models(ctx).get(base_model(model_id))
