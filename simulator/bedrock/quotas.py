"""On-demand quotas: requests and tokens per minute per model, answered with ThrottlingException when exceeded.

Generous by default (a class of learners never meets them); labs lower them per cloud through the settings.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from .errors import throttled

DEFAULTS = {"requestsPerMinute": 100000, "tokensPerMinute": 50000000, "models": {}}


class Quotas:
    def __init__(self):
        self.lock = threading.Lock()
        self.windows: dict[str, deque] = {}
        self.totals: dict[str, int] = {}

    def reset(self) -> None:
        with self.lock:
            self.windows.clear()
            self.totals.clear()

    @staticmethod
    def limits(settings: dict, model_id: str) -> tuple[int, int]:
        per_model = (settings.get("models") or {}).get(model_id) or {}
        rpm = int(per_model.get("requestsPerMinute", settings.get("requestsPerMinute", DEFAULTS["requestsPerMinute"])))
        tpm = int(per_model.get("tokensPerMinute", settings.get("tokensPerMinute", DEFAULTS["tokensPerMinute"])))
        return rpm, tpm

    def admit(self, settings: dict, model_id: str, tokens: int) -> None:
        """Count one request of ``tokens`` (input + max output) or raise ThrottlingException."""
        rpm, tpm = self.limits(settings, model_id)
        now = time.monotonic()
        with self.lock:
            window = self.windows.setdefault(model_id, deque())
            total = self.totals.get(model_id, 0)
            while window and window[0][0] <= now - 60:
                total -= window.popleft()[1]
            self.totals[model_id] = total
            if len(window) + 1 > rpm:
                raise throttled("Too many requests, please wait before trying again.")
            if total + tokens > tpm:
                raise throttled("Too many tokens, please wait before trying again.")
            window.append((now, tokens))
            self.totals[model_id] = total + tokens
