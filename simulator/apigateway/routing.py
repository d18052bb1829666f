"""Which REST API, stage, resource and method an execute-api request reaches.

Three URL forms reach the same API: ``/_aws/execute-api/{api}/{stage}/{path}``,
``/restapis/{api}/{stage}/_user_request_/{path}`` and ``Host: {api}.execute-api.localhost`` + ``/{stage}/{path}``.
Resources match as API Gateway does: a literal segment beats ``{param}``, which beats a greedy ``{proxy+}``;
a method matches its verb, else ANY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..core.home import ACCOUNT_ID

_LOCAL_FORM = re.compile(r"^/_aws/execute-api/(?P<api>[^/]+)(?:/(?P<stage>[^/]+))?(?P<path>/.*)?$")
_USER_REQUEST_FORM = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
_HOST_FORM = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.(localhost|[^:]*localstack\.cloud|[a-z0-9-]+\."
                        r"amazonaws\.com)(:\d+)?$", re.IGNORECASE)
_STAGE_PATH = re.compile(r"^/(?P<stage>[^/]+)(?P<path>/.*)?$")


@dataclass
class Target:
    api_id: str
    stage: str
    path: str  # the request path after the stage, always starting with "/"
    form: str


def target_of(path: str, host: str) -> Target | None:
    """The execute-api target a request names, or None when it is not an execute-api request."""
    for form, pattern in (("local", _LOCAL_FORM), ("user_request", _USER_REQUEST_FORM)):
        found = pattern.match(path)
        if found:
            return Target(found["api"], found["stage"] or "", found["path"] or "/", form)
    hosted = _HOST_FORM.match(host or "")
    if hosted:
        found = _STAGE_PATH.match(path)
        if found:
            return Target(hosted["api"].lower(), found["stage"], found["path"] or "/", "host")
        return Target(hosted["api"].lower(), "", "/", "host")
    return None


def invoke_urls(endpoint: str, api_id: str, stage: str) -> dict[str, str]:
    port = endpoint.rsplit(":", 1)[-1]
    return {
        "url": f"{endpoint}/_aws/execute-api/{api_id}/{stage}/",
        "userRequestUrl": f"{endpoint}/restapis/{api_id}/{stage}/_user_request_/",
        "hostUrl": f"http://{api_id}.execute-api.localhost:{port}/{stage}/",
    }


@dataclass
class Match:
    api: object
    stage: object
    resource: object
    method: object
    resource_path: str
    path_parameters: dict[str, str] = field(default_factory=dict)


def api_backend(region: str = "us-east-1"):
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends[ACCOUNT_ID][region]


def find_api(api_id: str):
    for region in ("us-east-1",):
        api = api_backend(region).apis.get(api_id)
        if api is not None:
            return api
    return None


def _score(template: list[str], segments: list[str]) -> tuple | None:
    """(match rank, params) of a resource template against request segments; None when it does not match."""
    params: dict[str, str] = {}
    rank = []
    for i, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[i:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            rank.append(0)
            return tuple(rank), params
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segments[i]
            rank.append(1)
        elif part == segments[i]:
            rank.append(2)
        else:
            return None
    if len(template) != len(segments):
        return None
    return tuple(rank), params


@dataclass
class Snapshot:
    """One resource as a deployment froze it: API Gateway serves what was deployed, not later edits."""

    id: str
    path: str
    resource_methods: dict


def snapshot(api) -> list[Snapshot]:
    import copy

    return [Snapshot(r.id, r.get_path(), copy.deepcopy(r.resource_methods or {})) for r in api.resources.values()]


def create_deployment(api, name, description, stage_variables=None):
    """moto's RestAPI.create_deployment, keeping a copy of the API's resources on the Deployment (what the stage
    serves until the next deployment) and, as AWS does, the existing stage's settings."""
    from ..core.motoseam import original

    previous = api.stages.get(name) if name else None
    deployment = original("moto.apigateway.models:RestAPI.create_deployment")(api, name, description, stage_variables)
    deployment.gailab_snapshot = snapshot(api)
    current = api.stages.get(name) if name else None
    if previous is not None and current is not None and current is not previous:
        # AWS points the existing stage at the new deployment and keeps its settings; moto rebuilds it.
        for attr in ("access_log_settings", "method_settings", "tags", "tracing_enabled", "description",
                     "cache_cluster_enabled", "cache_cluster_size", "cache_cluster_status", "web_acl_arn"):
            if hasattr(previous, attr):
                setattr(current, attr, getattr(previous, attr))
        if not stage_variables:
            current.variables = previous.variables
    return deployment


def deployed_resources(api, stage) -> list[Snapshot]:
    deployment = api.deployments.get(getattr(stage, "deployment_id", None))
    found = getattr(deployment, "gailab_snapshot", None)
    return found if found is not None else snapshot(api)


def match(resources: list[Snapshot], path: str, method: str):
    """(resource, resource path, path parameters, Method) for a request, or None (API Gateway's 403)."""
    segments = [unquote(s) for s in path.strip("/").split("/") if s != ""]
    best = None
    for resource in resources:
        template = [s for s in resource.path.strip("/").split("/") if s != ""]
        scored = _score(template, segments)
        if scored is None:
            continue
        rank, params = scored
        key = rank + (9,)  # a full-length literal match outranks a shorter greedy one
        if best is None or key > best[0]:
            best = (key, resource, params)
    if best is None:
        return None
    _, resource, params = best
    methods = resource.resource_methods or {}
    chosen = methods.get(method.upper()) or methods.get("ANY")
    if chosen is None:
        return None
    return resource, resource.path, params, chosen
