"""The simulated Bedrock's model catalog, loaded from ``models.json`` (the catalog is data, not code).

Resolves what learners pass as ``modelId``: a model id, a foundation-model ARN, or a system-defined cross-Region
inference profile (``us.``/``eu.``/``apac.``/``jp.``/``global.`` prefix, as id or ARN) — the profile must be one the
model has. Models with a global profile cost ``regionalPremium`` more through any other identifier, as on AWS.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.home import ACCOUNT_ID

_DATA = Path(__file__).with_name("models.json")


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    provider: str
    family: str
    input: tuple[str, ...]
    output: tuple[str, ...]
    context: int
    max_output: int
    price_input: float  # USD per 1K input tokens
    price_output: float  # USD per 1K output tokens
    price_image: float  # USD per image (generated, or embedded)
    ttft_ms: int
    tokens_per_second: int
    tier: str
    streaming: bool = True
    profile_only: bool = False
    lifecycle: str = "ACTIVE"
    customizations: tuple[str, ...] = ()
    dimensions: tuple[int, ...] = ()
    default_dimensions: int = 0
    system_prompts: bool = True  # Converse: whether the model takes a system prompt
    tool_use: bool = True  # Converse: whether the model takes toolConfig
    profiles: tuple[str, ...] = ()  # geographies with a cross-Region inference profile
    knowledge_cutoff: str | None = None  # "YYYY-MM", as the provider publishes it
    reasoning: bool = False  # thinks before answering (reasoning content, within max tokens)
    regional_premium: float = 0.0  # extra fraction charged outside the global profile
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_text(self) -> bool:
        return self.output == ("TEXT",)

    def arn(self, region: str = "us-east-1") -> str:
        return f"arn:aws:bedrock:{region}::foundation-model/{self.id}"

    def cost(self, input_tokens: int, output_tokens: int, images: int = 0, geography: str | None = None) -> float:
        """USD for one call; ``geography`` is the inference profile's prefix (None for the model id itself)."""
        usd = input_tokens / 1000 * self.price_input + output_tokens / 1000 * self.price_output
        if self.regional_premium and geography != "global":
            usd *= 1 + self.regional_premium
        return round(usd + images * self.price_image, 8)

    @property
    def cutoff_year(self) -> int | None:
        return int(self.knowledge_cutoff[:4]) if self.knowledge_cutoff else None

    def summary(self, region: str = "us-east-1") -> dict:
        """ListFoundationModels' FoundationModelSummary."""
        return {
            "modelArn": self.arn(region),
            "modelId": self.id,
            "modelName": self.name,
            "providerName": self.provider,
            "inputModalities": list(self.input),
            "outputModalities": list(self.output),
            "responseStreamingSupported": self.streaming,
            "customizationsSupported": list(self.customizations),
            "inferenceTypesSupported": ["INFERENCE_PROFILE"] if self.profile_only else ["ON_DEMAND"],
            "modelLifecycle": {"status": self.lifecycle},
        }

    def describe(self) -> dict:
        """The admin route's view: everything a lab or the terminal app may show."""
        return {
            "id": self.id,
            "arn": self.arn(),
            "name": self.name,
            "provider": self.provider,
            "family": self.family,
            "inputModalities": list(self.input),
            "outputModalities": list(self.output),
            "streaming": self.streaming,
            "contextWindow": self.context,
            "maxOutputTokens": self.max_output,
            "price": {"inputPer1K": self.price_input, "outputPer1K": self.price_output, "perImage": self.price_image,
                      "regionalPremium": self.regional_premium},
            "latency": {"timeToFirstTokenMs": self.ttft_ms, "tokensPerSecond": self.tokens_per_second},
            "knowledgeTier": self.tier,
            "knowledgeCutoff": self.knowledge_cutoff,
            "reasoning": self.reasoning,
            "lifecycle": self.lifecycle,
            "requiresInferenceProfile": self.profile_only,
            "inferenceProfiles": [f"{p}.{self.id}" for p in self.profiles],
        }


@dataclass(frozen=True)
class Resolved:
    """A model id as the learner wrote it, and the catalog entry it names."""

    model: Model
    given: str
    via_profile: bool
    geography: str | None = None  # the inference profile's prefix ("us", "global"...)

    def cost(self, input_tokens: int, output_tokens: int, images: int = 0) -> float:
        return self.model.cost(input_tokens, output_tokens, images, self.geography)


def _model(entry: dict) -> Model:
    price = entry.get("price", {})
    latency = entry.get("latency", {})
    return Model(
        id=entry["id"],
        name=entry["name"],
        provider=entry["provider"],
        family=entry["family"],
        input=tuple(entry["input"]),
        output=tuple(entry["output"]),
        context=int(entry["context"]),
        max_output=int(entry["maxOutput"]),
        price_input=float(price.get("input", 0)),
        price_output=float(price.get("output", 0)),
        price_image=float(price.get("image", 0)),
        ttft_ms=int(latency.get("ttftMs", 0)),
        tokens_per_second=int(latency.get("tokensPerSecond", 0)),
        tier=entry.get("tier", "medium"),
        streaming=bool(entry.get("streaming", True)),
        profile_only=bool(entry.get("profileOnly", False)),
        lifecycle=entry.get("lifecycle", "ACTIVE"),
        customizations=tuple(entry.get("customizations", ())),
        dimensions=tuple(entry.get("dimensions", ())),
        default_dimensions=int(entry.get("defaultDimensions", 0)),
        system_prompts=bool(entry.get("converse", {}).get("system", True)),
        tool_use=bool(entry.get("converse", {}).get("tools", True)),
        profiles=tuple(entry.get("profiles", ())),
        knowledge_cutoff=entry.get("knowledgeCutoff"),
        reasoning=bool(entry.get("reasoning", False)),
        regional_premium=float(price.get("regionalPremium", 0)),
        raw=entry,
    )


@functools.lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Model], tuple[str, ...]]:
    from . import codecs

    data = json.loads(_DATA.read_text(encoding="utf-8"))
    models = {m["id"]: _model(m) for m in data["models"]}
    codecs.check(models.values())
    prefixes = tuple(data.get("profilePrefixes", ()))
    for model in models.values():
        unknown = set(model.profiles) - set(prefixes)
        if unknown:
            raise ValueError(f"models.json: {model.id} names unknown inference-profile geographies {sorted(unknown)}")
    return models, prefixes


def models() -> list[Model]:
    return list(_load()[0].values())


def get(model_id: str) -> Model | None:
    return _load()[0].get(model_id)


def resolve(identifier: str) -> Resolved | None:
    """The catalog entry behind an id, a foundation-model ARN or an inference profile (id or ARN)."""
    table, prefixes = _load()
    name = identifier.strip()
    if name.startswith("arn:"):
        parts = name.split(":", 5)
        if len(parts) < 6 or parts[2] != "bedrock":
            return None
        kind, _, rest = parts[5].partition("/")
        if kind == "foundation-model":
            model = table.get(rest)
            return Resolved(model, identifier, False) if model else None
        if kind in ("inference-profile", "system-defined-inference-profile"):
            name = rest
        else:
            return None
    model = table.get(name)
    if model is not None:
        return Resolved(model, identifier, False)
    prefix, _, rest = name.partition(".")
    if prefix in prefixes and rest in table and prefix in table[rest].profiles:
        return Resolved(table[rest], identifier, True, prefix)
    return None


def profile_arn(profile_id: str, region: str = "us-east-1") -> str:
    return f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:inference-profile/{profile_id}"


# Destination Regions of each geography's profiles (a representative set; global routes to any commercial Region).
_PROFILE_REGIONS = {"us": ["us-east-1", "us-east-2", "us-west-2"], "eu": ["eu-central-1", "eu-west-1", "eu-west-3"],
                    "apac": ["ap-northeast-1", "ap-southeast-1", "ap-southeast-2"], "jp": ["ap-northeast-1", "ap-northeast-3"],
                    "au": ["ap-southeast-2", "ap-southeast-4"], "ca": ["ca-central-1", "ca-west-1"],
                    "global": ["us-east-1", "eu-west-1", "ap-northeast-1"]}
_PROFILE_NAMES = {"us": "US", "eu": "EU", "apac": "APAC", "jp": "JP", "au": "AU", "ca": "CA", "global": "Global"}


def profiles() -> list[tuple[str, str, Model]]:
    """System-defined cross-Region inference profiles: (profile id, geography prefix, model)."""
    return [(f"{prefix}.{model.id}", prefix, model) for model in models() for prefix in model.profiles]


def profile_summary(profile_id: str, prefix: str, model: Model, region: str = "us-east-1") -> dict:
    where = "commercial AWS Regions worldwide" if prefix == "global" else ", ".join(_PROFILE_REGIONS[prefix])
    return {
        "inferenceProfileName": f"{_PROFILE_NAMES[prefix]} {model.name}",
        "description": f"Routes requests to {model.name} in {where}.",
        "createdAt": "2024-08-27T00:00:00Z",
        "updatedAt": "2024-08-27T00:00:00Z",
        "inferenceProfileArn": profile_arn(profile_id, region),
        "models": [{"modelArn": model.arn(r)} for r in _PROFILE_REGIONS[prefix]],
        "inferenceProfileId": profile_id,
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    }
