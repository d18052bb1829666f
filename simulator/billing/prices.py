"""The price list (``prices.json``): USD figures with the public page each comes from."""

from __future__ import annotations

import functools
import json
from pathlib import Path


@functools.lru_cache(maxsize=1)
def prices() -> dict:
    return json.loads((Path(__file__).with_name("prices.json")).read_text(encoding="utf-8"))


def hours_per_month() -> float:
    return float(prices()["hoursPerMonth"])


def section(service: str) -> dict:
    return prices()[service]
