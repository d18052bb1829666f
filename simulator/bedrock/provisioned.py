"""Provisioned Throughput: CreateProvisionedModelThroughput / Get / List / Update / Delete, and invoking through it.

A provisioned model is a number of model units (MUs) for one base or custom model, with no commitment or a one- or
six-month commitment. It is Creating for a few seconds, then InService; its ARN is what InvokeModel and Converse
take as modelId (a custom model answers only this way). It bills by the hour per MU while it exists, whether it
is called or not; DeleteProvisionedModelThroughput stops the clock (refused while a commitment runs). Quotas as
AWS's defaults: custom models may have up to two no-commitment provisioned models of one MU each; commitment
purchases need a model-unit quota, 0 by default (``bedrock_provisioned_commitment_units`` raises it, as a quota
increase would); base models take no-commitment purchases only where the price list offers them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.wrappers import Response

from ..billing.items import line, overlap
from ..billing.prices import section
from . import catalog
from .control import _body, _page, ok
from .errors import BedrockError, not_found, validation
from ..core.pace import scaled
from .jobs import arn, iso, listed, new_id, request_time, required

CREATING_SECONDS = 5.0  # at the cloud's pace (simulator/core/pace.py)
MONTH_SECONDS = {"OneMonth": 30 * 24 * 3600, "SixMonths": 182 * 24 * 3600}
NO_COMMITMENT_PER_ACCOUNT = 2
#: Simulated throughput of one model unit (AWS does not publish it; it is per model).
TOKENS_PER_MINUTE_PER_UNIT = 200_000
REQUESTS_PER_MINUTE_PER_UNIT = 300
_NAME = re.compile(r"^([0-9a-zA-Z][_-]?)+$")


@dataclass
class Provisioned:
    id: str
    arn: str
    name: str
    model_arn: str
    base_model: str  # catalog id
    custom_model: str | None  # custom model id
    units: int
    commitment: str | None
    created: float
    region: str
    updated: float = 0.0
    deleted: float | None = None
    previous_model_arn: str | None = None

    def status(self, now: float) -> str:
        if now < self.created + scaled(CREATING_SECONDS):
            return "Creating"
        if self.previous_model_arn is not None and now < self.updated + scaled(CREATING_SECONDS):
            return "Updating"
        return "InService"

    def serving_arn(self, now: float) -> str:
        return self.previous_model_arn if self.status(now) == "Updating" else self.model_arn

    def describe(self, now: float) -> dict:
        out = {
            "provisionedModelName": self.name, "provisionedModelArn": self.arn, "modelArn": self.serving_arn(now),
            "desiredModelArn": self.model_arn, "foundationModelArn": f"arn:aws:bedrock:{self.region}::foundation-model/{self.base_model}",
            "modelUnits": self.units, "desiredModelUnits": self.units, "status": self.status(now),
            "creationTime": iso(self.created), "lastModifiedTime": iso(max(self.created, self.updated)),
        }
        if self.commitment:
            out["commitmentDuration"] = self.commitment
            out["commitmentExpirationTime"] = iso(self.created + MONTH_SECONDS[self.commitment])
        return out

    def hourly_price(self) -> tuple[float, bool]:
        """USD per model unit per hour, and whether the figure is an estimate."""
        return hourly_price(self.base_model, self.commitment)


def hourly_price(model_id: str, commitment: str | None) -> tuple[float, bool]:
    table = section("bedrock")["provisionedPerModelUnitHour"]
    entry = table.get(model_id)
    estimate = entry is None or bool(entry.get("estimate"))
    entry = entry or table["default"]
    return float(entry.get(commitment or "NoCommitment") or 0.0), estimate


def price_list(model_id: str) -> dict | None:
    """What a learner may read of a model's Provisioned Throughput prices (the models admin route): USD per model
    unit per hour by commitment, whether a base model can be bought without commitment, whether the figures
    are estimates (and a note saying why, when the price list has one); None for a model that does not support Provisioned Throughput."""
    entry = section("bedrock")["provisionedPerModelUnitHour"].get(model_id)
    if entry is None:
        return None
    out = {"perModelUnitHourUsd": {k: float(entry[k]) for k in ("NoCommitment", "OneMonth", "SixMonths") if k in entry},
           "noCommitmentForBaseModel": bool(entry.get("noCommitmentForBaseModel")),
           "estimate": bool(entry.get("estimate"))}
    if entry.get("note"):
        out["note"] = entry["note"]  # why a figure is an estimate (e.g. AWS publishes none for that model)
    return out


def supports_no_commitment(model_id: str) -> bool:
    entry = section("bedrock")["provisionedPerModelUnitHour"].get(model_id) or {}
    return bool(entry.get("noCommitmentForBaseModel"))


def _commitment_quota(state) -> int:
    settings = getattr(state.cloud, "settings", {}) or {}
    return int(settings.get("bedrock_provisioned_commitment_units", 0))


# -- handlers ---------------------------------------------------------------------------------------------------
def create_provisioned_model_throughput(state, info, labels) -> Response:
    from .customization import find_custom_model

    body = _body(info)
    name, model_given = required(body, "provisionedModelName"), required(body, "modelId")
    units = required(body, "modelUnits")
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > 63:
        raise validation(f"1 validation error detected: Value '{name}' at 'provisionedModelName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: ([0-9a-zA-Z][_-]?)+")
    if not isinstance(units, int) or units < 1:
        raise validation(f"1 validation error detected: Value '{units}' at 'modelUnits' failed to satisfy constraint: "
                         "Member must have value greater than or equal to 1")
    commitment = body.get("commitmentDuration")
    if commitment is not None and commitment not in MONTH_SECONDS:
        raise validation(f"1 validation error detected: Value '{commitment}' at 'commitmentDuration' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [OneMonth, SixMonths]")
    now = request_time(info)
    jobs = state.jobs
    custom = find_custom_model(state, model_given)
    if custom is not None:
        base, model_arn = custom.base_model, custom.arn
    else:
        resolved = catalog.resolve(_without_context(model_given))
        if resolved is None or resolved.via_profile:
            raise validation("The provided model identifier is invalid.")
        base = resolved.model.id
        model_arn = f"arn:aws:bedrock:{info.region}::foundation-model/{base}"
        if base not in section("bedrock")["provisionedPerModelUnitHour"]:
            raise validation(f"The model {base} does not support Provisioned Throughput.")
    with jobs.lock:
        live = [p for p in jobs.provisioned.values() if p.deleted is None]
        if any(p.name == name for p in live):
            raise BedrockError("ConflictException", f"A provisioned model with the name {name} already exists.", 400)
        if commitment is None:
            if custom is None and not supports_no_commitment(base):
                raise validation(f"Provisioned Throughput without commitment isn't available for {base}. "
                                 "Choose commitmentDuration OneMonth or SixMonths.")
            if custom is not None:
                if units != 1:
                    raise BedrockError("ServiceQuotaExceededException",
                                       "A no-commitment Provisioned Throughput for a custom model can have 1 model "
                                       "unit (quota: Model units no-commitment Provisioned Throughputs across custom "
                                       "models).", 400)
                if sum(1 for p in live if p.commitment is None and p.custom_model) >= NO_COMMITMENT_PER_ACCOUNT:
                    raise BedrockError("ServiceQuotaExceededException",
                                       f"This account already has {NO_COMMITMENT_PER_ACCOUNT} no-commitment "
                                       "Provisioned Throughputs for custom models (quota: No-commitment Provisioned "
                                       "Throughputs created per account).", 400)
        else:
            used = sum(p.units for p in live if p.commitment is not None)
            quota = _commitment_quota(state)
            if used + units > quota:
                raise BedrockError("ServiceQuotaExceededException",
                                   f"Purchasing {units} model units with a commitment exceeds this account's quota of "
                                   f"{quota} model units for Provisioned Throughput with commitment (used: {used}). "
                                   "Request a quota increase to buy committed model units.", 400)
        pid = new_id()
        item = Provisioned(pid, arn(info.region, "provisioned-model", pid), name, model_arn, base,
                           custom.id if custom else None, units, commitment, now, info.region, now)
        jobs.provisioned[pid] = item
    return ok({"provisionedModelArn": item.arn}, 201)


def _without_context(model_id: str) -> str:
    """amazon.nova-micro-v1:0:128k → amazon.nova-micro-v1:0 (the contextual variants AWS lists for purchases)."""
    if catalog.resolve(model_id) is not None:
        return model_id
    head, _, tail = model_id.rpartition(":")
    return head if head and re.fullmatch(r"\d+k|mm|\d+", tail) else model_id


def find(state, identifier: str, *, deleted: bool = False) -> Provisioned | None:
    with state.jobs.lock:
        for item in state.jobs.provisioned.values():
            if (item.deleted is None or deleted) and identifier in (item.id, item.arn, item.name):
                return item
    return None


def _get(state, identifier: str) -> Provisioned:
    item = find(state, identifier)
    if item is None:
        raise not_found(f"Provisioned model {identifier} was not found.")
    return item


def get_provisioned_model_throughput(state, info, labels) -> Response:
    return ok(_get(state, labels["provisionedModelId"]).describe(request_time(info)))


def list_provisioned_model_throughputs(state, info, labels) -> Response:
    now, q = request_time(info), info.query
    items = listed((p for p in state.jobs.provisioned.values() if p.deleted is None), q, now, lambda p: p.created)
    out = [p.describe(now) for p in items if not q.get("modelArnEquals") or p.model_arn == q["modelArnEquals"]]
    return _page(out, q, "provisionedModelSummaries")


def update_provisioned_model_throughput(state, info, labels) -> Response:
    from .customization import find_custom_model

    item = _get(state, labels["provisionedModelId"])
    body = _body(info)
    now = request_time(info)
    if item.status(now) != "InService":
        raise validation(f"The provisioned model {item.name} is {item.status(now)}; wait until it is InService.")
    if body.get("desiredProvisionedModelName"):
        item.name = body["desiredProvisionedModelName"]
        item.updated = now
    if body.get("desiredModelId"):
        custom = find_custom_model(state, body["desiredModelId"])
        if custom is None or custom.base_model != item.base_model:
            raise validation("The desired model must be a custom model of the same base model, or that base model.")
        item.previous_model_arn, item.model_arn, item.custom_model = item.model_arn, custom.arn, custom.id
        item.updated = now
    return ok({})


def delete_provisioned_model_throughput(state, info, labels) -> Response:
    item = _get(state, labels["provisionedModelId"])
    now = request_time(info)
    if item.commitment and now < item.created + MONTH_SECONDS[item.commitment]:
        raise validation(f"The provisioned model {item.name} has a {item.commitment} commitment until "
                         f"{iso(item.created + MONTH_SECONDS[item.commitment])}; it can be deleted after that.")
    item.deleted = now
    return ok({})


# -- invoking ---------------------------------------------------------------------------------------------------
def resolve_for_invocation(state, identifier: str, now: float, rerun: bool = False) -> Provisioned | None:
    """The provisioned model an InvokeModel/Converse modelId names (its ARN or ID), ready to serve; None if it is
    not one. Raises AWS's errors for one that is not in service. A re-run of a recorded call (verify) finds it even
    if it was deleted since."""
    if ":provisioned-model/" not in identifier and not re.fullmatch(r"[a-z0-9]{12}", identifier):
        return None
    item = find(state, identifier, deleted=rerun)
    if item is None:
        raise validation("The provided model identifier is invalid.")
    if item.status(now) == "Creating" and not rerun:
        raise BedrockError("ModelNotReadyException",
                           f"The provisioned model {item.name} is still being created; try again when it is InService.",
                           429)
    return item


# -- costs ------------------------------------------------------------------------------------------------------
def costs(state, since: float | None, now: float) -> list[dict]:
    source = section("bedrock")["source"]
    out = []
    for item in list(state.jobs.provisioned.values()):
        window = overlap(item.created, item.deleted or now, since, now)
        if window is None:
            continue
        price, estimate = item.hourly_price()
        hours = (window[1] - window[0]) / 3600 * item.units
        label = item.commitment or "no commitment"
        out.append(line("Amazon Bedrock", f"provisioned throughput {item.name} ({item.base_model}, {item.units} MU, "
                        f"{label})", hours, "model-unit-hours", price,
                        source + (" (estimate: not in the published price list)" if estimate else ""), *window))
    return out
