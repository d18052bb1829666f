"""How fast the local cloud's simulated waits pass in wall-clock time.

A learner's cloud waits as the labs describe: a batch job is Submitted, Validating, Scheduled for seconds, an endpoint
or Provisioned Throughput is Creating for seconds, a call with realistic latency takes its ``latencyMs``. A throwaway
cloud (``gailab grade --fresh``, ``gailab lab validate``) sets the ``pace`` setting below 1 so the same waits pass
sooner and CI grades a lab in seconds. Only the waiting shrinks: statuses come in the same order, and every figure
a call reports (``latencyMs``, tokens, a job's records) is the one a pace of 1 gives.
"""

from __future__ import annotations

#: The pace of a throwaway cloud: its waits take a tenth of a learner's.
FRESH = 0.1


def pace() -> float:
    """The running cloud's pace (1.0 when none runs here or it sets none)."""
    from .server import active_cloud

    cloud = active_cloud()
    value = (cloud.settings.get("pace") if cloud is not None else None) or 1.0
    try:
        return min(1.0, max(0.01, float(value)))
    except (TypeError, ValueError):
        return 1.0


def scaled(seconds: float) -> float:
    """A simulated wait of ``seconds`` at the running cloud's pace."""
    return seconds * pace()
