"""The simulated Amazon Bedrock as a router extension: control plane and runtime on one endpoint.

Requests signed as ``bedrock`` are resolved to a botocore operation (``operations.resolve``); those in the
routing table (``operations.OPERATIONS``) are served here by the handler the table names, with the cloud's
:class:`~.state.BedrockState`. Anything else signed for ``bedrock`` passes on (another extension, or moto).

Admin routes: ``/_gailab/bedrock/invocations`` (the ledger), ``/_gailab/bedrock/invocations/delete`` (POST: forget
the records of some callers or clients, e.g. a lab's on reset; journaled), ``/_gailab/bedrock/settings`` (GET, POST
partial), ``/_gailab/bedrock/models`` (the catalog).
"""

from __future__ import annotations

import json

from werkzeug.wrappers import Response

from ..core import awserrors
from ..core.admin import json_response
from ..core.extensions import Extension
from . import catalog, operations
from .errors import BedrockError
from .ledger import error_metrics
from .state import BedrockState


class BedrockService(Extension):
    name = "bedrock"
    event_kinds = ("ledger", "ledger-delete", "bedrock-settings", "bedrock-job")

    def __init__(self):
        self.state = BedrockState()
        self.cloud = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    def attach(self, cloud) -> None:
        self.cloud = cloud
        self.state = BedrockState(cloud)

    def reset(self) -> None:
        self.state.reset()

    def replay_event(self, record: dict) -> None:
        if record.get("kind") == "ledger":
            self.state.ledger.replay(record)
        elif record.get("kind") == "ledger-delete":
            self.state.ledger.forget(record.get("requestIds") or [])
        elif record.get("kind") == "bedrock-settings":
            self.state.apply_settings(record.get("settings") or {})
        elif record.get("kind") == "bedrock-job":
            from . import batch, customization

            {"batch": batch.replay_finished, "customization": customization.replay_finished}[record["type"]](self.state, record)

    def ready(self) -> None:
        """Jobs finish from now on (replayed ones finished from their journal events); the clock starts."""
        self.state.jobs.live = True
        if self.state.jobs.batch or self.state.jobs.customizations:
            self.state.jobs.start_clock()

    def stop(self) -> None:
        self.state.jobs.stop()

    def costs(self, since: float | None) -> list[dict]:
        """Provisioned throughput hours, custom model training and storage (tokens are priced by the ledger)."""
        import time

        from . import customization, provisioned

        now = time.time()
        return provisioned.costs(self.state, since, now) + customization.costs(self.state, since, now)

    def health(self) -> dict:
        return {"status": "ready", "models": len(catalog.models()), "latency": self.state.settings.get("latency"),
                "invocations": len(self.state.ledger.records)}

    # -- routing --------------------------------------------------------------------------------------------
    def matches(self, info) -> bool:
        """Table rows, every runtime path, and paths no Bedrock API has; other Bedrock APIs pass on."""
        if info.service != "bedrock":
            return False
        route = operations.resolve(info)
        return route is None or route.api == "bedrock-runtime" or operations.served(route) is not None

    def handle(self, info) -> Response:
        route = operations.resolve(info)
        op = operations.served(route)
        if op is None:
            info.journal = False
            if route is not None:
                return awserrors.not_implemented("bedrock", route.operation)
            return awserrors.error_response("bedrock", "UnknownOperationException", f"No operation {info.method} {info.path} in the simulated Bedrock.", 404)
        if op.journal is not None:
            info.journal = op.journal
        try:
            return operations.handler(op)(self.state, info, route.labels)
        except BedrockError as exc:
            info.journal = False
            if route.api == "bedrock-runtime":
                error_metrics(route.operation, route.labels.get("modelId", ""), exc.status, info.region)
            return awserrors.error_response("bedrock", exc.code, exc.message, exc.status)

    # -- admin routes ---------------------------------------------------------------------------------------
    def admin_routes(self) -> dict:
        return {
            ("GET", "/_gailab/bedrock/invocations"): self._admin_invocations,
            ("POST", "/_gailab/bedrock/invocations/delete"): self._admin_delete_invocations,
            ("GET", "/_gailab/bedrock/settings"): lambda info: json_response(self.state.settings),
            ("POST", "/_gailab/bedrock/settings"): self._admin_set_settings,
            ("GET", "/_gailab/bedrock/models"): lambda info: json_response({"models": self._models()}),
        }

    @staticmethod
    def _models() -> list[dict]:
        """The catalog as labs and the app read it, with each model's Provisioned Throughput prices (or null)."""
        from . import provisioned

        return [{**m.describe(), "provisioned": provisioned.price_list(m.id)} for m in catalog.models()]

    def _admin_invocations(self, info) -> Response:
        q = info.query
        return json_response({"invocations": self.state.ledger.query(q.get("modelId") or None, q.get("caller") or None, q.get("since") or None)})

    def _admin_delete_invocations(self, info) -> Response:
        """Forget the records whose caller starts with one of ``callerPrefixes`` or whose client is one of
        ``clients``. The journal keeps the removed request ids, so a restart does not bring them back."""
        try:
            body = json.loads(info.body or b"{}")
        except ValueError:
            body = None
        lists = {k: body.get(k, []) for k in ("callerPrefixes", "clients")} if isinstance(body, dict) else None
        if lists is None or not all(isinstance(v, list) and all(isinstance(x, str) and x for x in v)
                                    for v in lists.values()):
            return awserrors.error_response("gailab", "ValidationException", "The body must be JSON: "
                                            '{"callerPrefixes": ["arn:…"], "clients": ["app-id"]}, lists of '
                                            "non-empty strings.", 400)
        ids = self.state.ledger.matching(lists["callerPrefixes"], lists["clients"])
        if ids and self.state.journal is not None:
            self.state.journal.append("ledger-delete", {"requestIds": ids})
        return json_response({"deleted": self.state.ledger.forget(ids)})

    def _admin_set_settings(self, info) -> Response:
        try:
            change = json.loads(info.body or b"{}")
        except ValueError:
            return awserrors.error_response("gailab", "ValidationException", "The settings body must be JSON.", 400)
        problem = self.state.check_settings(change)
        if problem:
            return awserrors.error_response("gailab", "ValidationException", problem, 400)
        if self.state.journal is not None:
            self.state.journal.append("bedrock-settings", {"settings": change})
        self.state.apply_settings(change)
        return json_response(self.state.settings)
