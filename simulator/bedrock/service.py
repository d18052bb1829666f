"""The simulated Amazon Bedrock as a router extension: control plane and runtime on one endpoint.

Both boto3 clients sign as ``bedrock``, so requests are told apart by path (the two path sets don't overlap).
Model ids and ARNs arrive percent-encoded (``%3A``, ``%2F``): routes match the raw path, then unquote.
Anything else signed for ``bedrock`` passes to moto.

Per-cloud settings (``Cloud(settings=...)``, ``gailab serve --bedrock-latency``) and their admin-route names:
``bedrock_latency`` / ``latency`` ("off" | "realistic"), ``bedrock_use_case_required`` / ``useCaseRequired``
(Anthropic models refuse until PutUseCaseForModelAccess), ``bedrock_quotas`` / ``quotas``
(``{"requestsPerMinute", "tokensPerMinute", "models": {id: {...}}}``). Admin routes: ``/_gailab/bedrock/
invocations`` (the ledger), ``/_gailab/bedrock/settings`` (GET, POST partial), ``/_gailab/bedrock/models``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
from urllib.parse import unquote

from werkzeug.wrappers import Response

from ..core import awserrors
from ..core.admin import json_response
from ..core.extensions import Extension
from ..core.home import ACCOUNT_ID
from . import catalog
from .errors import BedrockError
from .guardrails import Store
from .ledger import Ledger
from .quotas import DEFAULTS as QUOTA_DEFAULTS
from .quotas import Quotas

_RUNTIME = re.compile(r"^/model/([^/?]+)/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)/?$")
_APPLY = re.compile(r"^/guardrail/([^/?]+)/version/([^/?]+)/apply/?$")
_MODEL = re.compile(r"^/foundation-models/([^/?]+)/?$")
_AVAIL = re.compile(r"^/foundation-model-availability/([^/?]+)/?$")
_GUARDRAIL = re.compile(r"^/guardrails/([^/?]+)/?$")
_PROFILE = re.compile(r"^/inference-profiles/([^/?]+)/?$")
_MAX_LOGGED_BODY = 100_000


class BedrockService(Extension):
    name = "bedrock"
    event_kinds = ("ledger", "bedrock-settings")

    def __init__(self):
        self.ledger = Ledger()
        self.guardrails = Store()
        self.quotas = Quotas()
        self.lock = threading.Lock()
        self.use_case_submitted = False
        self.logging_config: dict | None = None
        self._settings: dict = {}
        self.cloud = None

    # The runtime and control plane (text engines, guardrail engine, bodies) load on the first Bedrock request,
    # so the cloud starts as fast as moto alone.
    @functools.cached_property
    def runtime(self):
        from .runtime import Runtime

        return Runtime(self)

    @functools.cached_property
    def control(self):
        from .control import Control

        return Control(self)

    # -- lifecycle ------------------------------------------------------------------------------------------
    def attach(self, cloud) -> None:
        self.cloud = cloud
        self.ledger.cloud = cloud
        self._settings = self.default_settings()

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
        self._settings = self.default_settings()

    def replay_event(self, record: dict) -> None:
        if record.get("kind") == "ledger":
            self.ledger.replay(record)
        elif record.get("kind") == "bedrock-settings":
            self._apply_settings(record.get("settings") or {})

    def health(self) -> dict:
        return {"status": "ready", "models": len(catalog.models()), "latency": self._settings.get("latency"),
                "invocations": len(self.ledger.records)}

    # -- helpers the runtime and control plane use -----------------------------------------------------------
    def settings_view(self) -> dict:
        return self._settings

    def caller(self, access_key: str | None) -> str:
        from ..iam.principals import caller_arn

        try:
            return caller_arn(access_key)
        except Exception:
            return f"arn:aws:iam::{ACCOUNT_ID}:root"

    def log_group_exists(self, name: str, region: str) -> bool:
        from moto.logs.models import logs_backends

        return name in logs_backends[ACCOUNT_ID][region].groups

    def bucket_exists(self, name: str) -> bool:
        from moto.s3.models import s3_backends

        try:
            s3_backends[ACCOUNT_ID]["aws"].get_bucket(name)
            return True
        except Exception:
            return False

    def delivery_for(self, input_body, output_body) -> dict | None:
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

    # -- routing --------------------------------------------------------------------------------------------
    def matches(self, info) -> bool:
        if info.service != "bedrock":
            return False
        path = info.raw_uri.split("?", 1)[0]
        return bool(
            _RUNTIME.match(path) or _APPLY.match(path) or _MODEL.match(path) or _AVAIL.match(path) or _GUARDRAIL.match(path)
            or (_PROFILE.match(path) and info.method == "GET")
            or path.rstrip("/") in ("/foundation-models", "/guardrails", "/logging/modelinvocations", "/use-case-for-model-access")
            or (path.rstrip("/") == "/inference-profiles" and info.method == "GET")
        )

    def handle(self, info) -> Response:
        try:
            return self._route(info)
        except BedrockError as exc:
            info.journal = False
            return awserrors.error_response("bedrock", exc.code, exc.message, exc.status)

    def _route(self, info) -> Response:
        path = info.raw_uri.split("?", 1)[0]
        method = info.method
        if m := _RUNTIME.match(path):
            info.journal = False
            if method != "POST":
                return self._no_route(info)
            model_id, action = unquote(m.group(1)), m.group(2)
            if action in ("invoke", "invoke-with-response-stream"):
                return self.runtime.invoke(info, model_id, stream=action != "invoke")
            if action in ("converse", "converse-stream"):
                return self.runtime.converse(info, model_id, stream=action == "converse-stream")
            return self.runtime.count_tokens(info, model_id)
        if m := _APPLY.match(path):
            info.journal = False
            return self.runtime.apply_guardrail(info, unquote(m.group(1)), unquote(m.group(2)))
        c = self.control
        bare = path.rstrip("/")
        if bare == "/foundation-models" and method == "GET":
            return c.list_models(info)
        if (m := _MODEL.match(path)) and method == "GET":
            return c.get_model(info, unquote(m.group(1)))
        if (m := _AVAIL.match(path)) and method == "GET":
            return c.availability(info, unquote(m.group(1)))
        if bare == "/inference-profiles" and method == "GET":
            return c.list_profiles(info)
        if (m := _PROFILE.match(path)) and method == "GET":
            return c.get_profile(info, unquote(m.group(1)))
        if bare == "/use-case-for-model-access" and method == "POST":
            return c.put_use_case(info)
        if bare == "/guardrails":
            if method == "POST":
                return c.create_guardrail(info)
            if method == "GET":
                return c.list_guardrails(info)
        if m := _GUARDRAIL.match(path):
            gid = unquote(m.group(1))
            handler = {"GET": c.get_guardrail, "PUT": c.update_guardrail, "POST": c.create_guardrail_version, "DELETE": c.delete_guardrail}.get(method)
            if handler:
                return handler(info, gid)
        if bare == "/logging/modelinvocations":
            handler = {"PUT": c.put_logging, "GET": c.get_logging, "DELETE": c.delete_logging}.get(method)
            if handler:
                return handler(info)
        return self._no_route(info)

    def _no_route(self, info) -> Response:
        info.journal = False
        return awserrors.error_response("bedrock", "UnknownOperationException", f"No operation {info.method} {info.path} in the simulated Bedrock.", 404)

    # -- admin routes ---------------------------------------------------------------------------------------
    def admin_routes(self) -> dict:
        return {
            ("GET", "/_gailab/bedrock/invocations"): self._admin_invocations,
            ("GET", "/_gailab/bedrock/settings"): lambda info: json_response(self._settings),
            ("POST", "/_gailab/bedrock/settings"): self._admin_set_settings,
            ("GET", "/_gailab/bedrock/models"): lambda info: json_response({"models": [m.describe() for m in catalog.models()]}),
        }

    def _admin_invocations(self, info) -> Response:
        q = info.query
        return json_response({"invocations": self.ledger.query(q.get("modelId") or None, q.get("caller") or None, q.get("since") or None)})

    def _admin_set_settings(self, info) -> Response:
        try:
            change = json.loads(info.body or b"{}")
        except ValueError:
            return awserrors.error_response("gailab", "ValidationException", "The settings body must be JSON.", 400)
        problem = self._check_settings(change)
        if problem:
            return awserrors.error_response("gailab", "ValidationException", problem, 400)
        if self.cloud is not None:
            self.cloud.journal.append("bedrock-settings", {"settings": change})
        self._apply_settings(change)
        return json_response(self._settings)

    @staticmethod
    def _check_settings(change) -> str | None:
        if not isinstance(change, dict):
            return "The settings body must be a JSON object."
        unknown = set(change) - {"latency", "useCaseRequired", "quotas"}
        if unknown:
            return f"Unknown settings: {', '.join(sorted(unknown))}. Known: latency, useCaseRequired, quotas."
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

    def _apply_settings(self, change: dict) -> None:
        with self.lock:
            settings = copy.deepcopy(self._settings)
            for key in ("latency", "useCaseRequired"):
                if key in change:
                    settings[key] = change[key]
            if "quotas" in change:
                merged = dict(settings.get("quotas") or {})
                merged.update(change["quotas"])
                settings["quotas"] = merged
                self.quotas.reset()
            self._settings = settings
