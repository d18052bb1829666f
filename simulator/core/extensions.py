"""What a service of ours plugs into the router: request matching, admin routes, reset and replay.

Every service gailab adds in front of moto (Bedrock, API Gateway execution, the Lambda runtime...) is an
:class:`Extension`. The router asks each one, in order, whether it takes a request; anything no extension
takes goes to moto. Extensions keep their own state, so they also reset it and rebuild it from the journal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from .router import RequestInfo
    from .server import Cloud

AdminHandler = Callable[["RequestInfo"], Response]

# Import paths of the extensions a default cloud runs, in routing order.
DEFAULT_EXTENSIONS: list[str] = [
    "gailab.simulator.bedrock.service:BedrockService",
    "gailab.simulator.bedrockagent.service:factory",
    "gailab.simulator.iam.authorizer:factory",
    "gailab.simulator.awslambda.extension:factory",
    "gailab.simulator.apigateway.extension:factory",
    "gailab.simulator.sagemaker.service:factory",
    "gailab.simulator.cloudwatch.service:CloudWatchService",
    "gailab.simulator.billing.service:BillingService",
]


class Extension:
    """Base class: override what the service needs. Defaults take no request and keep no state."""

    name = "extension"
    #: Journal record kinds (other than "http") this extension replays itself.
    event_kinds: tuple[str, ...] = ()
    #: The requests it takes carry an Authorization header of their own (not an AWS signature).
    own_authorization = False

    def attach(self, cloud: "Cloud") -> None:
        """Called once before replay, with the cloud it serves."""
        self.cloud = cloud

    def matches(self, info: "RequestInfo") -> bool:
        return False

    def handle(self, info: "RequestInfo") -> Response:
        raise NotImplementedError

    def admin_routes(self) -> dict[tuple[str, str], AdminHandler]:
        """``{(method, path): handler}`` served under ``/_gailab/``."""
        return {}

    def ready(self) -> None:
        """Called once the journal is replayed, before the cloud serves (start clocks and workers here)."""

    def replay_event(self, record: dict) -> None:
        """Rebuild state from one journal record of a kind in :attr:`event_kinds`."""

    def reset(self) -> None:
        """Forget all state (the cloud's reset)."""

    def costs(self, since: float | None) -> list[dict]:
        """What this service billed since ``since`` (unix time; None = everything), for the cost view: items
        ``{"service", "item", "quantity", "unit", "unitPriceUsd", "costUsd", "source", "start", "end"}`` with
        ``source`` naming where the price comes from and ``start``/``end`` ISO-8601 UTC times. Calls recorded in the
        Bedrock ledger are counted from the ledger, never here too. ``gailab.simulator.billing.items.line`` builds
        one; ``/_gailab/costs`` and ``gailab costs`` add them up."""
        return []

    def health(self) -> dict:
        return {"status": "ready"}

    def stop(self) -> None:
        """Release processes, threads and files when the cloud stops."""


def load_extensions(paths: list[str]) -> list[Extension]:
    found = []
    for path in paths:
        module_name, _, attr = path.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
        found.append(factory())
    return found
