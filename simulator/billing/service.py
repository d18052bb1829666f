"""The cost view: ``GET /_gailab/costs[?since=]`` adds up what everything the learner used would cost on AWS.

Lines come from this module's providers (Lambda, KMS, Bedrock tokens from the ledger) and from every extension
that implements ``costs(since) -> list[dict]`` (provisioned throughput, custom models, SageMaker instance
hours...). KMS API requests are counted as they arrive, per minute, since the cloud started: they are reads
the journal does not keep (a Decrypt changes nothing), so a restart starts that count again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict

from werkzeug.wrappers import Response

from ..core import awserrors
from ..core.admin import json_response
from ..core.extensions import Extension
from .items import FIELDS, total
from .providers import bedrock_token_lines, kms_lines, lambda_lines

log = logging.getLogger("gailab.simulator.billing")


def parse_since(value: str | None) -> float | None:
    """Unix seconds or ISO 8601; None when absent. Raises ValueError for anything else."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    from datetime import datetime, timezone

    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


class BillingService(Extension):
    name = "billing"

    def __init__(self):
        self.lock = threading.Lock()
        self.kms_requests: dict[float, int] = defaultdict(int)
        self.cloud = None

    def attach(self, cloud) -> None:
        self.cloud = cloud
        cloud.authorizers.append(self._count)

    def reset(self) -> None:
        with self.lock:
            self.kms_requests.clear()

    # -- counting KMS requests (an authorizer that never denies) -------------------------------------------
    def _count(self, info):
        if info.service == "kms":
            minute = float(int(time.time() // 60 * 60))
            with self.lock:
                self.kms_requests[minute] += 1
        return None

    # -- the view -------------------------------------------------------------------------------------------
    def lines(self, since: float | None = None) -> list[dict]:
        now = time.time()
        with self.lock:
            kms = dict(self.kms_requests)
        out = lambda_lines(since, now) + kms_lines(since, now, kms)
        bedrock = self.cloud.extension("bedrock") if self.cloud is not None else None
        if bedrock is not None:
            ledger = getattr(getattr(bedrock, "state", bedrock), "ledger", None)
            if ledger is not None:
                with ledger.lock:
                    records = list(ledger.records)
                out += bedrock_token_lines(records, since, now)
        for ext in self.cloud.extensions if self.cloud is not None else []:
            costs = getattr(ext, "costs", None)
            if ext is self or costs is None:
                continue
            try:
                out += [{k: item.get(k) for k in FIELDS} for item in costs(since)]
            except Exception:
                log.exception("%s could not report its costs", ext.name)
        return out

    def admin_routes(self) -> dict:
        return {("GET", "/_gailab/costs"): self._admin_costs}

    def _admin_costs(self, info) -> Response:
        try:
            since = parse_since(info.query.get("since"))
        except ValueError:
            return awserrors.error_response("gailab", "ValidationException",
                                            "since must be Unix seconds or an ISO 8601 time, e.g. 2026-01-31T09:00:00Z.", 400)
        lines = self.lines(since)
        return json_response({"currency": "USD", "since": info.query.get("since"), "lines": lines,
                              "totalUsd": total(lines)})
