"""Event (asynchronous) invocations: queued, run in the background, retried as Lambda does.

Lambda retries a failed asynchronous invocation twice (about 1 and 2 minutes later) unless the function's
event invoke config says otherwise. The delays come from ``cloud.settings["lambda_async_retry_delays"]`` so
tests can shorten them. The queue lives in memory: a reset or stop drops what is pending, as a redeploy would.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time

log = logging.getLogger("gailab.simulator.lambda")


class EventQueue:
    def __init__(self, runtime, settings: dict, workers: int = 2):
        self.runtime = runtime
        self.settings = settings
        self._heap: list = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._generation = 0
        self._stopped = False
        self.completed: list[dict] = []  # recent outcomes, for tests and the admin view
        self._threads = [
            threading.Thread(target=self._loop, name=f"lambda-events-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn, event_json: str, attempt: int = 0, delay: float = 0.0) -> None:
        with self._cond:
            item = (time.monotonic() + delay, next(self._order), self._generation, fn, event_json, attempt)
            heapq.heappush(self._heap, item)
            self._cond.notify()

    def _retries(self, fn) -> int:
        configs = getattr(fn, "event_invoke_config", None) or []
        for config in configs:
            value = getattr(config, "config", {}) if not isinstance(config, dict) else config
            if isinstance(value, dict) and "MaximumRetryAttempts" in value:
                return int(value["MaximumRetryAttempts"])
        return 2

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = None if not self._heap else max(0.0, self._heap[0][0] - time.monotonic())
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _, _, generation, fn, event_json, attempt = heapq.heappop(self._heap)
            try:
                result = self.runtime.invoke(fn, event_json)
                errored = result.errored
            except Exception as exc:  # throttled or stopped: counts as a failed attempt
                log.warning("asynchronous invocation of %s failed: %s", fn.function_name, exc)
                errored = True
            with self._cond:
                if generation != self._generation:
                    continue
                self.completed.append({"function": fn.function_name, "attempt": attempt, "errored": errored})
                del self.completed[:-100]
                if errored and attempt < self._retries(fn):
                    delays = self.settings.get("lambda_async_retry_delays", (60.0, 120.0))
                    delay = float(delays[min(attempt, len(delays) - 1)])
                    item = (time.monotonic() + delay, next(self._order), generation, fn, event_json, attempt + 1)
                    heapq.heappush(self._heap, item)
                    self._cond.notify()

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()
            self.completed.clear()
            self._generation += 1

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
