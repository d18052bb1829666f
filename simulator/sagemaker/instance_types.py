"""Instance types SageMaker hosting accepts (botocore's current enum), which carry an accelerator, and their price.

botocore's ``ProductionVariantInstanceType`` enum is AWS's own list (moto's is older and rejects ``ml.g5.*``), so
CreateEndpointConfig validates against it through :mod:`..core.shapes`.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

_SIZE = re.compile(r"^ml\.(?P<family>[a-z0-9-]+)\.(?P<mult>\d*)(?P<size>[a-z]+)$")
_SIZE_FACTOR = {"medium": 0.25, "large": 0.5, "xlarge": 1.0}
# Hourly price of one xlarge-sized instance per family, used only for types missing from prices.json.
_FAMILY_XLARGE = {"t": 0.2, "m": 0.23, "c": 0.204, "r": 0.302, "g": 1.2, "p": 3.8, "inf": 0.99, "trn": 1.6}


@functools.lru_cache(maxsize=1)
def valid_instance_types() -> frozenset[str]:
    from ..core.awserrors import service_model

    model = service_model("sagemaker")
    return frozenset(model.shape_for("ProductionVariantInstanceType").enum)


def is_gpu(instance_type: str) -> bool:
    """ml.g*/ml.p* carry GPUs and ml.inf*/ml.trn* AWS accelerators; ml.m*/ml.c*/ml.t*/ml.r* are CPU only."""
    family = instance_type.removeprefix("ml.").split(".", 1)[0]
    return family.startswith(("g", "p", "inf", "trn"))


@functools.lru_cache(maxsize=1)
def _prices() -> dict:
    return json.loads(Path(__file__).with_name("prices.json").read_text())


def price_per_hour(instance_type: str) -> tuple[float, str]:
    """(USD per instance-hour, where the price comes from)."""
    data = _prices()
    if instance_type in data["perHour"]:
        return data["perHour"][instance_type], data["source"]
    found = _SIZE.match(instance_type)
    family = re.match(r"[a-z]+", found["family"]).group(0) if found else "m"
    base = next((v for k, v in _FAMILY_XLARGE.items() if family.startswith(k)), 0.23)
    factor = _SIZE_FACTOR.get(found["size"], 1.0) * (int(found["mult"]) if found and found["mult"] else 1) if found else 1.0
    return round(base * factor, 4), f"estimate for {instance_type} from its family and size (not in the local price list)"
