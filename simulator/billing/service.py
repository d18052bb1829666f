"""The cost view: ``GET /_gailab/costs[?since=]`` adds up what everything the learner used would cost on AWS.

Lines come from this module's providers (Lambda, KMS, Bedrock tokens from the ledger) and from every extension
that implements ``costs(since) -> list[dict]`` (provisioned throughput, custom models, SageMaker instance
hours...). KMS API requests are counted as they arrive, per minute, and journaled (``usage`` events, at most
every two seconds) so a restart keeps them.
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
FLUSH_SECONDS = 2.0


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
    event_kinds = ("usage",)

    def __init__(self):
        self.lock = threading.Lock()
        self.kms_requests: dict[float, int] = defaultdict(int)
        self._pending: dict[float, int] = defaultdict(int)
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self.cloud = None

    def attach(self, cloud) -> None:
        self.cloud = cloud
        cloud.authorizers.append(self._count)

    def ready(self) -> None:
        self._flusher = threading.Thread(target=self._run_flush, name="gailab-billing-flush", daemon=True)
        self._flusher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=5)
        self._flush()

    def reset(self) -> None:
        with self.lock:
            self.kms_requests.clear()
            self._pending.clear()

    def replay_event(self, record: dict) -> None:
        if record.get("service") == "kms":
            for minute, n in (record.get("counts") or {}).items():
                self.kms_requests[float(minute)] += int(n)

    # -- counting KMS requests (an authorizer that never denies) -------------------------------------------
    def _count(self, info):
        if info.service == "kms":
            minute = float(int(time.time() // 60 * 60))
            with self.lock:
                self.kms_requests[minute] += 1
                self._pending[minute] += 1
        return None

    def _flush(self) -> None:
        with self.lock:
            pending, self._pending = dict(self._pending), defaultdict(int)
        if pending and self.cloud is not None:
            try:
                self.cloud.journal.append("usage", {"service": "kms", "counts": {str(k): v for k, v in pending.items()}})
            except Exception:
                log.exception("could not journal KMS request counts")

    def _run_flush(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self._flush()

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
