"""One line of the cost view, and adding lines up.

Every line is ``{"service", "item", "quantity", "unit", "unitPriceUsd", "costUsd", "source", "start", "end"}``:
what was used, how much, at which price, from which public price list, over which time (ISO 8601, UTC).
Services that bill (an :class:`~gailab.simulator.core.extensions.Extension`'s ``costs(since)``) return these.
"""

from __future__ import annotations

from datetime import datetime, timezone

FIELDS = ("service", "item", "quantity", "unit", "unitPriceUsd", "costUsd", "source", "start", "end")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def line(service: str, item: str, quantity: float, unit: str, unit_price: float, source: str, start: float,
         end: float, cost: float | None = None) -> dict:
    return {
        "service": service, "item": item, "quantity": round(quantity, 6), "unit": unit,
        "unitPriceUsd": unit_price, "costUsd": round(quantity * unit_price if cost is None else cost, 8),
        "source": source, "start": iso(start), "end": iso(end),
    }


def overlap(start: float, end: float, since: float | None, now: float) -> tuple[float, float] | None:
    """The part of [start, end] inside [since, now] (None when empty)."""
    lo = max(start, since) if since is not None else start
    hi = min(end, now)
    return (lo, hi) if hi > lo else None


def total(lines: list[dict]) -> float:
    return round(sum(item["costUsd"] for item in lines), 8)
