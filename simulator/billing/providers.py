"""Cost lines for what moto serves and the Bedrock ledger records: Lambda requests and GB-seconds (from the
AWS/Lambda metrics), KMS keys and requests, Bedrock on-demand and batch tokens per model (from the ledger)."""

from __future__ import annotations

import math
from collections import defaultdict

from ..core import motoseam
from ..core.home import ACCOUNT_ID
from .items import line, overlap
from .prices import hours_per_month, section


def lambda_lines(since: float | None, now: float) -> list[dict]:
    """Requests and GB-seconds per function, read from the journaled AWS/Lambda metrics."""
    models = motoseam.loaded("moto.cloudwatch.models")
    if models is None:
        return []
    from ..cloudwatch.query import epoch

    prices = section("lambda")
    per_function: dict[tuple[str, str], dict] = defaultdict(lambda: {"requests": 0.0, "ms": 0.0, "start": None, "end": 0.0})
    for region, backend in list(models.cloudwatch_backends[ACCOUNT_ID].items()):
        for md in list(backend.metric_data):
            if md.namespace != "AWS/Lambda" or md.name not in ("Invocations", "Duration") or len(md.dimensions) != 1:
                continue
            if md.dimensions[0].name != "FunctionName":
                continue
            at = epoch(md.timestamp)
            if since is not None and at < since:
                continue
            usage = per_function[(region, md.dimensions[0].value)]
            if md.name == "Invocations":
                usage["requests"] += md.value
            else:
                usage["ms"] += math.ceil(md.value)  # billed duration: rounded up to the millisecond
            usage["start"] = at if usage["start"] is None else min(usage["start"], at)
            usage["end"] = max(usage["end"], at)
    out = []
    for (region, name), usage in sorted(per_function.items()):
        memory = _memory_mb(region, name)
        start, end = usage["start"] or now, usage["end"] or now
        out.append(line("AWS Lambda", f"{name}: requests", usage["requests"], prices["requests"]["unit"],
                        prices["requests"]["unitPriceUsd"], prices["source"], start, end))
        gb_seconds = usage["ms"] / 1000 * memory / 1024
        out.append(line("AWS Lambda", f"{name}: compute ({memory} MB)", gb_seconds, prices["compute"]["unit"],
                        prices["compute"]["unitPriceUsd"], prices["source"], start, end))
    return out


def _memory_mb(region: str, name: str) -> int:
    try:
        from moto.awslambda.models import lambda_backends

        return int(lambda_backends[ACCOUNT_ID][region].get_function(name).memory_size or 128)
    except Exception:  # deleted since: Lambda's default
        return 128


def kms_lines(since: float | None, now: float, requests: dict[float, int]) -> list[dict]:
    """Customer managed keys (prorated per hour while enabled or disabled) and API requests."""
    prices = section("kms")
    out = []
    models = motoseam.loaded("moto.kms.models")
    if models is not None:
        for region, backend in list(models.kms_backends[ACCOUNT_ID].items()):
            for key in list(backend.keys.values()):
                if getattr(key, "key_manager", "CUSTOMER") != "CUSTOMER" or key.key_state not in ("Enabled", "Disabled"):
                    continue
                window = overlap(float(key.creation_date), now, since, now)
                if window is None:
                    continue
                months = (window[1] - window[0]) / 3600 / hours_per_month()
                out.append(line("AWS Key Management Service", f"key {key.id}", months, prices["key"]["unit"],
                                prices["key"]["unitPriceUsd"], prices["source"], *window))
    counted = {minute: n for minute, n in requests.items() if since is None or minute + 60 > since}
    if counted:
        out.append(line("AWS Key Management Service", "API requests", sum(counted.values()),
                        prices["requests"]["unit"], prices["requests"]["unitPriceUsd"], prices["source"],
                        min(counted), max(counted) + 60 if max(counted) + 60 < now else now))
    return out


def bedrock_token_lines(records: list[dict], since: float | None, now: float) -> list[dict]:
    """Tokens (and images) per model, inference profile geography and pricing mode, from the ledger; they add up
    to its costUsd (the regional premium of geographic profiles and the batch price included)."""
    from ..bedrock import catalog

    source = section("bedrock")["source"]
    groups: dict[tuple[str, str | None, str], list[dict]] = defaultdict(list)
    for record in records:
        at = record.get("_ts", 0.0)
        if (since is not None and at < since) or record.get("costUsd") is None:
            continue
        resolved = catalog.resolve(record.get("requestedModelId") or record.get("modelId", ""))
        geography = resolved.geography if resolved is not None else None
        groups[(record.get("modelId", "?"), geography, record.get("mode") or "on-demand")].append(record)
    out = []
    for (model_id, geography, mode), recs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        model = catalog.get(model_id)
        if mode == "provisioned" or model is None:
            continue  # provisioned throughput bills by the hour, not per token
        start, end = min(r.get("_ts", now) for r in recs), max(r.get("_ts", now) for r in recs)
        factor = section("bedrock")["batchPriceFactor"] if mode == "batch" else 1.0
        priced = catalog.Resolved(model, model_id, geography is not None, geography)
        in_price = priced.cost(1_000_000, 0) / 1_000_000 * factor
        out_price = priced.cost(0, 1_000_000) / 1_000_000 * factor
        tokens_in = sum(r.get("inputTokens", 0) for r in recs)
        tokens_out = sum(r.get("outputTokens", 0) for r in recs)
        label = f"{model_id}{f' via {geography}.' if geography else ''} ({mode})"
        if tokens_in or in_price:
            out.append(line("Amazon Bedrock", f"{label}: input tokens", tokens_in, "tokens", in_price, source, start, end))
        if tokens_out or out_price:
            out.append(line("Amazon Bedrock", f"{label}: output tokens", tokens_out, "tokens", out_price, source, start, end))
        images_cost = sum(r["costUsd"] for r in recs) - tokens_in * in_price - tokens_out * out_price
        if model.price_image and images_cost > 1e-9:
            image_price = model.price_image * factor
            out.append(line("Amazon Bedrock", f"{label}: images", round(images_cost / image_price), "images",
                            image_price, source, start, end, cost=images_cost))
    return out
