"""SageMaker models, endpoint configurations and endpoints: state rebuilt from events, status read from the clock.

An endpoint is Creating for :data:`CREATING_SECONDS` after CreateEndpoint (or Updating after UpdateEndpoint), then
InService — or Failed, with the reason AWS would give, when its container cannot start (an LLM container on a CPU
instance, model data missing or unreadable by the execution role, an image the local cloud cannot run). Each
variant bills its instance-hours from creation until deletion, called or not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from ..core.home import ACCOUNT_ID
from ..core.pace import scaled

CREATING_SECONDS = 2.0  # at the cloud's pace (simulator/core/pace.py)


def arn(region: str, kind: str, name: str) -> str:
    """SageMaker ARNs carry the resource name in lower case."""
    return f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:{kind}/{name.lower()}"


def ts(value: float) -> float:
    return round(value, 3)


def iso(value: float) -> str:
    from ..bedrock.ledger import iso as ledger_iso

    return ledger_iso(value)


@dataclass
class _Resource:
    """A named resource created from its request's parameters (a model, an endpoint configuration)."""

    name: str
    region: str
    params: dict
    created: float
    tags: dict = field(default_factory=dict)
    kind = ""

    @property
    def arn(self) -> str:
        return arn(self.region, self.kind, self.name)


class Model(_Resource):
    kind = "model"

    @property
    def containers(self) -> list[dict]:
        return [self.params["PrimaryContainer"]] if self.params.get("PrimaryContainer") else list(self.params.get("Containers") or [])

    def describe(self) -> dict:
        out = {"ModelName": self.name, "ModelArn": self.arn, "CreationTime": ts(self.created)}
        for key in ("PrimaryContainer", "Containers", "ExecutionRoleArn", "InferenceExecutionConfig", "VpcConfig",
                    "EnableNetworkIsolation"):
            if key in self.params:
                out[key] = self.params[key]
        out.setdefault("EnableNetworkIsolation", False)
        return out

    def summary(self) -> dict:
        return {"ModelName": self.name, "ModelArn": self.arn, "CreationTime": ts(self.created)}


class EndpointConfig(_Resource):
    kind = "endpoint-config"

    @property
    def variants(self) -> list[dict]:
        return list(self.params["ProductionVariants"])

    def describe(self) -> dict:
        out = {"EndpointConfigName": self.name, "EndpointConfigArn": self.arn, "CreationTime": ts(self.created),
               "ProductionVariants": self.variants}
        for key in ("DataCaptureConfig", "KmsKeyId", "AsyncInferenceConfig", "ExplainerConfig",
                    "ShadowProductionVariants", "ExecutionRoleArn", "EnableNetworkIsolation"):
            if key in self.params:
                out[key] = self.params[key]
        return out

    def summary(self) -> dict:
        return {"EndpointConfigName": self.name, "EndpointConfigArn": self.arn, "CreationTime": ts(self.created)}


@dataclass
class Billing:
    """One variant's instances billing from ``start`` to ``end`` (None while the endpoint exists)."""

    endpoint: str
    variant: str
    instance_type: str
    count: int
    start: float
    end: float | None = None


@dataclass
class Endpoint:
    name: str
    region: str
    config_name: str
    variants: list[dict]  # the configuration's production variants at creation or last update
    created: float
    changed: float  # creation or last update: Creating/Updating until changed + CREATING_SECONDS
    failure: str | None  # why the containers cannot start (the endpoint goes to Failed), else None
    updating: bool = False
    tags: dict = field(default_factory=dict)
    invocations: int = 0

    @property
    def arn(self) -> str:
        return arn(self.region, "endpoint", self.name)

    def status(self, now: float) -> str:
        if now - self.changed < scaled(CREATING_SECONDS):
            return "Updating" if self.updating else "Creating"
        return "Failed" if self.failure else "InService"

    def describe(self, now: float) -> dict:
        status = self.status(now)
        summaries = []
        for v in self.variants:
            running = status in ("InService", "Updating")
            item = {"VariantName": v["VariantName"], "CurrentWeight": float(v.get("InitialVariantWeight", 1.0)),
                    "DesiredWeight": float(v.get("InitialVariantWeight", 1.0))}
            if v.get("ServerlessConfig"):
                item["CurrentServerlessConfig"] = item["DesiredServerlessConfig"] = v["ServerlessConfig"]
            else:
                item["CurrentInstanceCount"] = v.get("InitialInstanceCount", 1) if running else 0
                item["DesiredInstanceCount"] = v.get("InitialInstanceCount", 1)
            if v.get("_image"):
                item["DeployedImages"] = [{"SpecifiedImage": v["_image"], "ResolvedImage": v["_image"],
                                           "ResolutionTime": ts(self.changed)}]
            if status in ("Creating", "Updating"):
                item["VariantStatus"] = [{"Status": "Creating" if status == "Creating" else "Updating",
                                          "StartTime": ts(self.changed)}]
            summaries.append(item)
        out = {"EndpointName": self.name, "EndpointArn": self.arn, "EndpointConfigName": self.config_name,
               "ProductionVariants": summaries, "EndpointStatus": status, "CreationTime": ts(self.created),
               "LastModifiedTime": ts(self.changed + (scaled(CREATING_SECONDS) if status not in ("Creating", "Updating") else 0))}
        if status == "Failed":
            out["FailureReason"] = self.failure
        return out

    def summary(self, now: float) -> dict:
        d = self.describe(now)
        return {k: d[k] for k in ("EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus")}


class Store:
    """All SageMaker hosting state of one cloud, changed only through :meth:`apply`."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.models: dict[str, Model] = {}
            self.configs: dict[str, EndpointConfig] = {}
            self.endpoints: dict[str, Endpoint] = {}
            self.billing: list[Billing] = []
            self.invocations: list[dict] = []  # every InvokeEndpoint answered, kept after the endpoint is deleted

    def by_arn(self, resource_arn: str):
        for group in (self.models, self.configs, self.endpoints):
            for item in group.values():
                if item.arn == resource_arn:
                    return item
        return None

    def apply(self, event: dict):
        with self.lock:
            return getattr(self, "_" + event["op"])(event)

    def _CreateModel(self, e: dict) -> Model:
        p = e["params"]
        model = Model(p["ModelName"], e["region"], p, e["at"], {t["Key"]: t["Value"] for t in p.get("Tags") or []})
        self.models[model.name] = model
        return model

    def _DeleteModel(self, e: dict) -> None:
        self.models.pop(e["name"], None)

    def _CreateEndpointConfig(self, e: dict) -> EndpointConfig:
        p = e["params"]
        config = EndpointConfig(p["EndpointConfigName"], e["region"], p, e["at"], {t["Key"]: t["Value"] for t in p.get("Tags") or []})
        self.configs[config.name] = config
        return config

    def _DeleteEndpointConfig(self, e: dict) -> None:
        self.configs.pop(e["name"], None)

    def _start_billing(self, endpoint: Endpoint, at: float) -> None:
        if endpoint.failure:
            return
        for v in endpoint.variants:
            if v.get("InstanceType"):
                self.billing.append(Billing(endpoint.name, v["VariantName"], v["InstanceType"],
                                            int(v.get("InitialInstanceCount", 1)), at))

    def _stop_billing(self, name: str, at: float) -> None:
        for item in self.billing:
            if item.endpoint == name and item.end is None:
                item.end = at

    def _CreateEndpoint(self, e: dict) -> Endpoint:
        endpoint = Endpoint(e["name"], e["region"], e["config"], e["variants"], e["at"], e["at"], e.get("failure"),
                            tags=dict(e.get("tags") or {}))
        self.endpoints[endpoint.name] = endpoint
        self._start_billing(endpoint, e["at"])
        return endpoint

    def _UpdateEndpoint(self, e: dict) -> Endpoint:
        endpoint = self.endpoints[e["name"]]
        self._stop_billing(endpoint.name, e["at"])
        endpoint.config_name, endpoint.variants = e["config"], e["variants"]
        endpoint.changed, endpoint.failure, endpoint.updating = e["at"], e.get("failure"), True
        self._start_billing(endpoint, e["at"])
        return endpoint

    def _DeleteEndpoint(self, e: dict) -> None:
        self.endpoints.pop(e["name"], None)
        self._stop_billing(e["name"], e["at"])

    def _Invoke(self, e: dict) -> None:
        endpoint = self.endpoints.get(e["name"])
        if endpoint is not None:
            endpoint.invocations += 1
        self.invocations.append({"requestId": e["requestId"], "time": iso(e["at"]), "endpointName": e["name"],
                                 "endpointArn": e["arn"], "variantName": e["variant"], "instanceType": e["instanceType"],
                                 "modelName": e["model"], "inputBytes": e["inputBytes"]})

    def _AddTags(self, e: dict) -> None:
        item = self.by_arn(e["arn"])
        if item is not None:
            item.tags.update(e["tags"])

    def _DeleteTags(self, e: dict) -> None:
        item = self.by_arn(e["arn"])
        if item is not None:
            for key in e["keys"]:
                item.tags.pop(key, None)
