"""Everything the simulated Bedrock remembers for one cloud, in one object the handlers receive.

The runtime and the control plane get this state, not the service: the ledger, the guardrail store, the quota
windows, the model-access form, the invocation-logging configuration and the per-cloud settings. The cloud's
journal is reached through :attr:`BedrockState.journal` (None in a state built without a cloud, e.g. for re-runs).

Settings (``Cloud(settings=...)``, ``gailab serve --bedrock-latency``) and their admin-route names:
``bedrock_latency`` / ``latency`` ("off" | "realistic"), ``bedrock_use_case_required`` / ``useCaseRequired``
(Anthropic models refuse until PutUseCaseForModelAccess), ``bedrock_quotas`` / ``quotas``
(``{"requestsPerMinute", "tokensPerMinute", "models": {id: {...}}}``).
"""

from __future__ import annotations

import copy
import json
import threading

from ..core.home import ACCOUNT_ID
from .guardrails import Store
from .jobs import JobStore
from .ledger import Ledger
from .quotas import DEFAULTS as QUOTA_DEFAULTS
from .quotas import Quotas

_MAX_LOGGED_BODY = 100_000
SETTING_NAMES = ("latency", "useCaseRequired", "quotas")


class BedrockState:
    def __init__(self, cloud=None):
        self.cloud = cloud
        self.ledger = Ledger()
        self.ledger.cloud = cloud
        self.guardrails = Store()
        self.quotas = Quotas()
        self.lock = threading.Lock()
        self.use_case_submitted = False
        self.logging_config: dict | None = None
        self.settings: dict = self.default_settings()
        self.jobs = JobStore()
        self.jobs.cloud = cloud
        self.jobs.finishers = [self._finish_batch, self._finish_customizations]

    def _finish_batch(self, now: float) -> None:
        from . import batch

        batch.finish(self, now)

    def _finish_customizations(self, now: float) -> None:
        from . import customization

        customization.finish(self, now)

    @property
    def journal(self):
        return self.cloud.journal if self.cloud is not None else None

    def default_settings(self) -> dict:
        settings = getattr(self.cloud, "settings", {}) or {}
        latency = settings.get("bedrock_latency") or "off"
        return {
            "latency": latency if latency in ("off", "realistic") else "off",
            "useCaseRequired": bool(settings.get("bedrock_use_case_required", False)),
            "quotas": copy.deepcopy(settings.get("bedrock_quotas") or QUOTA_DEFAULTS),
        }

    def reset(self) -> None:
        self.ledger.reset()
        self.guardrails.reset()
        self.quotas.reset()
        self.use_case_submitted = False
        self.logging_config = None
        self.settings = self.default_settings()
        self.jobs.reset()

    # -- settings -----------------------------------------------------------------------------------------------
    @property
    def realistic_latency(self) -> bool:
        return self.settings["latency"] == "realistic"

    def use_case_missing(self, provider: str) -> bool:
        """Whether this provider's models refuse until the account submits the use-case form."""
        return provider == "Anthropic" and self.settings["useCaseRequired"] and not self.use_case_submitted

    @staticmethod
    def check_settings(change) -> str | None:
        """What is wrong with a settings change (one readable sentence), or None."""
        if not isinstance(change, dict):
            return "The settings body must be a JSON object."
        unknown = set(change) - set(SETTING_NAMES)
        if unknown:
            return f"Unknown settings: {', '.join(sorted(unknown))}. Known: {', '.join(SETTING_NAMES)}."
        if "latency" in change and change["latency"] not in ("off", "realistic"):
            return "latency must be \"off\" or \"realistic\"."
        if "useCaseRequired" in change and not isinstance(change["useCaseRequired"], bool):
            return "useCaseRequired must be true or false."
        quotas = change.get("quotas")
        if quotas is not None:
            if not isinstance(quotas, dict):
                return "quotas must be an object."
            for key in ("requestsPerMinute", "tokensPerMinute"):
                if key in quotas and (not isinstance(quotas[key], int) or quotas[key] < 1):
                    return f"quotas.{key} must be a positive integer."
            models = quotas.get("models", {})
            if not isinstance(models, dict):
                return "quotas.models must map model ids to {requestsPerMinute, tokensPerMinute}."
        return None

    def apply_settings(self, change: dict) -> None:
        with self.lock:
            settings = copy.deepcopy(self.settings)
            for key in ("latency", "useCaseRequired"):
                if key in change:
                    settings[key] = change[key]
            if "quotas" in change:
                merged = dict(settings.get("quotas") or {})
                merged.update(change["quotas"])
                settings["quotas"] = merged
                self.quotas.reset()
            self.settings = settings

    # -- what a call needs from the rest of the cloud ----------------------------------------------------------
    @staticmethod
    def caller(access_key: str | None) -> str:
        from ..iam.principals import caller_arn

        try:
            return caller_arn(access_key)
        except Exception:
            return f"arn:aws:iam::{ACCOUNT_ID}:root"

    @staticmethod
    def log_group_exists(name: str, region: str) -> bool:
        from moto.logs.models import logs_backends

        return name in logs_backends[ACCOUNT_ID][region].groups

    @staticmethod
    def bucket_exists(name: str) -> bool:
        from ..core import motoseam

        return motoseam.s3_bucket(name) is not None

    def delivery_for(self, input_body, output_body) -> dict | None:
        """Where invocation logging sends this call's ModelInvocationLog (None when logging is off)."""
        config = self.logging_config
        if not config:
            return None
        cw = config.get("cloudWatchConfig") or {}
        s3 = config.get("s3Config") or {}
        delivery = {
            "logGroupName": cw.get("logGroupName"),
            "bucketName": s3.get("bucketName"),
            "keyPrefix": s3.get("keyPrefix"),
            "bodies": config.get("textDataDeliveryEnabled", True) is not False,
            "inputBody": input_body,
            "outputBody": output_body,
        }
        for key in ("inputBody", "outputBody"):
            if len(json.dumps(delivery[key], default=str)) > _MAX_LOGGED_BODY:
                delivery[key] = {"note": "body larger than 100 KB; not logged by the local cloud"}
        return delivery


def of(cloud) -> BedrockState | None:
    """The Bedrock state of a running cloud (for other services that call Bedrock in-process), or None."""
    for ext in getattr(cloud, "extensions", ()):
        state = getattr(ext, "state", None)
        if isinstance(state, BedrockState):
            return state
    return None
