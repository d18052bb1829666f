"""What batch inference, provisioned throughput and model customization share: their store on the Bedrock
state, IDs and ARNs, time, and the finisher that completes jobs.

Jobs move through their statuses with wall-clock time (short simulated durations), computed from their journaled
creation time, so a restart shows the same statuses. What a job leaves behind when it finishes (S3 outputs, ledger
records, a custom model's training metrics) is produced once, by :meth:`JobStore.finish_due` — on the next read
of a job, or by a clock thread within half a second — and journaled as a ``bedrock-job`` event that replays it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from ..core import determinism
from ..core.home import ACCOUNT_ID

log = logging.getLogger("gailab.simulator.bedrock")
TICK = 0.5


def iso(ts: float | None) -> str | None:
    """Timestamps as the Bedrock control plane sends them (ISO 8601, UTC)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def request_time(info) -> float:
    """The time of a request: its journal time on replay, so statuses computed from it come back the same."""
    from ..core.router import request_time as router_time

    return router_time() or time.time()


def arn(region: str, kind: str, suffix: str) -> str:
    return f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:{kind}/{suffix}"


def required(body: dict, name: str):
    """A required request member, or the ValidationException AWS gives when it is missing."""
    from .errors import validation

    value = body.get(name)
    if value in (None, "", {}):
        raise validation(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint: "
                         "Member must not be null")
    return value


def listed(items, query: dict, now: float, created) -> list:
    """List operations' common filters (statusEquals, nameContains) and order (sortOrder, newest first)."""
    chosen = [i for i in items
              if (not query.get("statusEquals") or i.status(now) == query["statusEquals"])
              and (not query.get("nameContains") or query["nameContains"] in i.name)]
    return sorted(chosen, key=created, reverse=query.get("sortOrder") != "Ascending")


def new_id() -> str:
    return determinism.short_id(12)


class JobStore:
    """Batch jobs, provisioned throughputs, customization jobs and custom models of one cloud."""

    def __init__(self):
        self.lock = threading.RLock()
        self.batch: dict[str, object] = {}
        self.provisioned: dict[str, object] = {}
        self.customizations: dict[str, object] = {}
        self.custom_models: dict[str, object] = {}
        #: Called with (store, now) by finish_due; each returns the jobs it finished.
        self.finishers: list[Callable[[float], None]] = []
        self._clock: threading.Thread | None = None
        self._stop = threading.Event()
        self.cloud = None
        #: False until the journal is replayed: replayed jobs finish from their own journal events, never again.
        self.live = False

    def reset(self) -> None:
        with self.lock:
            self.batch.clear()
            self.provisioned.clear()
            self.customizations.clear()
            self.custom_models.clear()

    # -- finishing --------------------------------------------------------------------------------------------
    def finish_due(self, now: float | None = None) -> None:
        """Produce the outputs of every job whose time has come (never while the journal replays)."""
        if not self.live:
            return
        now = time.time() if now is None else now
        with self.lock:
            for finish in list(self.finishers):
                try:
                    finish(now)
                except Exception:  # one broken job never blocks the others
                    log.exception("a Bedrock job could not finish")

    def start_clock(self) -> None:
        with self.lock:
            if self._clock is not None or self.cloud is None or not self.live:
                return
            self._clock = threading.Thread(target=self._run, name="gailab-bedrock-jobs", daemon=True)
            self._clock.start()

    def stop(self) -> None:
        self._stop.set()
        if self._clock is not None:
            self._clock.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            try:
                with self.cloud.state_lock.shared():
                    self.finish_due()
            except Exception:
                log.exception("the Bedrock job clock failed")

    def journal(self, payload: dict) -> None:
        if self.cloud is not None:
            self.cloud.journal.append("bedrock-job", payload)
