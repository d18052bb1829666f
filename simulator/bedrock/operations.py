"""Bedrock's routing table: which botocore operation a request is, who serves it, and which IAM action it needs.

All four Bedrock APIs (``bedrock``, ``bedrock-runtime``, ``bedrock-agent``, ``bedrock-agent-runtime``) sign as
``bedrock``, so the router cannot tell them apart from the signature; their URI templates (read from botocore's
own service models) name the operation. :func:`resolve` does that once per request. :data:`OPERATIONS` is the one
table of what the simulated Bedrock serves: adding an operation is one row here plus one handler function
``handler(state, request) -> Response`` in the module the row names (imported on first use). Operations not in the
table pass to moto, or to another extension (Knowledge Bases live in ``simulator/bedrockagent``).

IAM reads :func:`access` for the action and resource ARN of any Bedrock request.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..core.home import ACCOUNT_ID

#: botocore service models that sign as ``bedrock``, in the order ambiguous paths are resolved.
APIS = ("bedrock-runtime", "bedrock", "bedrock-agent-runtime", "bedrock-agent")


@dataclass(frozen=True)
class Route:
    """A request resolved to an API operation, with its URI labels (percent-decoded)."""

    api: str
    operation: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One row of the table: where the operation is served and what IAM calls it."""

    name: str
    api: str
    handler: str | Callable  # "module:function" inside gailab.simulator.bedrock, or the function itself
    action: str = ""  # IAM action; "bedrock:<name>" when empty
    resource: Callable[[dict, str], str] | None = None  # (labels, region) -> resource ARN; None: judged on the action
    journal: bool | None = None  # None: journal non-GET calls that succeed (the router's default)

    @property
    def iam_action(self) -> str:
        return self.action or f"bedrock:{self.name}"


def model_arn(labels: dict, region: str) -> str:
    """The resource of a runtime call: the ARN the caller named, else the foundation model's ARN."""
    model = labels.get("modelId", "")
    return model if model.startswith("arn:") else f"arn:aws:bedrock:{region}::foundation-model/{model}"


def foundation_model_arn(labels: dict, region: str) -> str:
    model = labels.get("modelIdentifier") or labels.get("modelId") or ""
    return model if model.startswith("arn:") else f"arn:aws:bedrock:{region}::foundation-model/{model}"


def arn_of(label: str, kind: str) -> Callable[[dict, str], str]:
    """The resource of an operation naming one by ID or ARN in the URI label ``label``."""
    def resource(labels: dict, region: str) -> str:
        value = labels.get(label, "")
        return value if value.startswith("arn:") else f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:{kind}/{value}"
    return resource


guardrail_arn = arn_of("guardrailIdentifier", "guardrail")
profile_arn = arn_of("inferenceProfileIdentifier", "inference-profile")
provisioned_arn = arn_of("provisionedModelId", "provisioned-model")
custom_model_arn = arn_of("modelIdentifier", "custom-model")


def _rows(*ops: Operation) -> dict[str, Operation]:
    return {op.name: op for op in ops}


RT, CP = "bedrock-runtime", "bedrock"
OPERATIONS: dict[str, Operation] = _rows(
    # -- runtime (the ledger is their trace: never journaled as requests) ------------------------------------------
    Operation("InvokeModel", RT, "runtime:invoke_model", resource=model_arn, journal=False),
    Operation("InvokeModelWithResponseStream", RT, "runtime:invoke_model_with_response_stream", resource=model_arn, journal=False),
    Operation("Converse", RT, "runtime:converse", "bedrock:InvokeModel", model_arn, journal=False),
    Operation("ConverseStream", RT, "runtime:converse_stream", "bedrock:InvokeModelWithResponseStream", model_arn, journal=False),
    Operation("CountTokens", RT, "runtime:count_tokens", resource=model_arn, journal=False),
    Operation("ApplyGuardrail", RT, "runtime:apply_guardrail", resource=guardrail_arn, journal=False),
    # -- control plane: models and access -----------------------------------------------------------------------
    Operation("ListFoundationModels", CP, "control:list_foundation_models"),
    Operation("GetFoundationModel", CP, "control:get_foundation_model", resource=foundation_model_arn),
    Operation("GetFoundationModelAvailability", CP, "control:get_foundation_model_availability", resource=foundation_model_arn),
    Operation("ListInferenceProfiles", CP, "control:list_inference_profiles"),
    Operation("GetInferenceProfile", CP, "control:get_inference_profile", resource=profile_arn),
    Operation("PutUseCaseForModelAccess", CP, "control:put_use_case_for_model_access"),
    # -- guardrails ---------------------------------------------------------------------------------------------------
    Operation("CreateGuardrail", CP, "control:create_guardrail"),
    Operation("GetGuardrail", CP, "control:get_guardrail", resource=guardrail_arn),
    Operation("ListGuardrails", CP, "control:list_guardrails"),
    Operation("UpdateGuardrail", CP, "control:update_guardrail", resource=guardrail_arn),
    Operation("CreateGuardrailVersion", CP, "control:create_guardrail_version", resource=guardrail_arn),
    Operation("DeleteGuardrail", CP, "control:delete_guardrail", resource=guardrail_arn),
    # -- batch inference ------------------------------------------------------------------------------------------
    Operation("CreateModelInvocationJob", CP, "batch:create_model_invocation_job"),
    Operation("GetModelInvocationJob", CP, "batch:get_model_invocation_job", resource=arn_of("jobIdentifier", "model-invocation-job")),
    Operation("ListModelInvocationJobs", CP, "batch:list_model_invocation_jobs"),
    Operation("StopModelInvocationJob", CP, "batch:stop_model_invocation_job", resource=arn_of("jobIdentifier", "model-invocation-job")),
    # -- provisioned throughput -------------------------------------------------------------------------------------
    Operation("CreateProvisionedModelThroughput", CP, "provisioned:create_provisioned_model_throughput"),
    Operation("GetProvisionedModelThroughput", CP, "provisioned:get_provisioned_model_throughput", resource=provisioned_arn),
    Operation("ListProvisionedModelThroughputs", CP, "provisioned:list_provisioned_model_throughputs"),
    Operation("UpdateProvisionedModelThroughput", CP, "provisioned:update_provisioned_model_throughput", resource=provisioned_arn),
    Operation("DeleteProvisionedModelThroughput", CP, "provisioned:delete_provisioned_model_throughput", resource=provisioned_arn),
    # -- model customization ----------------------------------------------------------------------------------------
    Operation("CreateModelCustomizationJob", CP, "customization:create_model_customization_job"),
    Operation("GetModelCustomizationJob", CP, "customization:get_model_customization_job", resource=arn_of("jobIdentifier", "model-customization-job")),
    Operation("ListModelCustomizationJobs", CP, "customization:list_model_customization_jobs"),
    Operation("StopModelCustomizationJob", CP, "customization:stop_model_customization_job", resource=arn_of("jobIdentifier", "model-customization-job")),
    Operation("GetCustomModel", CP, "customization:get_custom_model", resource=custom_model_arn),
    Operation("ListCustomModels", CP, "customization:list_custom_models"),
    Operation("DeleteCustomModel", CP, "customization:delete_custom_model", resource=custom_model_arn),
    # -- model invocation logging ---------------------------------------------------------------------------------
    Operation("PutModelInvocationLoggingConfiguration", CP, "control:put_logging"),
    Operation("GetModelInvocationLoggingConfiguration", CP, "control:get_logging"),
    Operation("DeleteModelInvocationLoggingConfiguration", CP, "control:delete_logging"),
)


# -- resolving a request ----------------------------------------------------------------------------------------
_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")


def _compile(uri: str) -> tuple[re.Pattern[str], frozenset[str]]:
    path, _, query = uri.partition("?")
    pattern, last = "^", 0
    for m in _LABEL.finditer(path):
        pattern += re.escape(path[last : m.start()])
        pattern += f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)"
        last = m.end()
    pattern += re.escape(path[last:]).rstrip("/") + "/?$"
    keys = frozenset(part.split("=")[0] for part in query.split("&") if part)
    return re.compile(pattern), keys


@functools.lru_cache(maxsize=1)
def _index() -> dict[tuple[str, str], list[tuple[int, re.Pattern[str], frozenset[str], str, str]]]:
    """(method, first path segment) -> routes, most specific first; read from botocore's service models."""
    from ..core.awserrors import service_model

    index: dict[tuple[str, str], list] = {}
    for rank, api in enumerate(APIS):
        model = service_model(api)
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri = http.get("requestUri", "/")
            pattern, keys = _compile(uri)
            first = uri.lstrip("/").split("/", 1)[0].split("?", 1)[0]
            first = "*" if "{" in first else first
            literal = len(re.sub(r"\{[^}]*\}", "", uri.partition("?")[0]))
            index.setdefault((http.get("method", "POST"), first), []).append((rank, -len(keys), -literal, pattern, keys, api, name))
    return {k: [(p, keys, api, name) for *_, p, keys, api, name in sorted(v, key=lambda r: r[:3])] for k, v in index.items()}


def resolve_path(method: str, raw_path: str, query: dict | None = None) -> Route | None:
    """The Bedrock operation a method + raw (still percent-encoded) path names, or None."""
    first = raw_path.lstrip("/").split("/", 1)[0]
    index = _index()
    for key in ((method, first), (method, "*")):
        for pattern, keys, api, name in index.get(key, ()):
            m = pattern.match(raw_path)
            if m and keys <= set(query or ()):
                return Route(api, name, {k: unquote(v) for k, v in m.groupdict().items()})
    return None


def resolve(info) -> Route | None:
    """The route of a request signed as ``bedrock`` (cached on the request: every extension may ask)."""
    if "bedrock_route" not in info.extra:
        route = None
        if info.service == "bedrock":
            route = resolve_path(info.method, info.raw_uri.split("?", 1)[0], info.query)
        info.extra["bedrock_route"] = route
    return info.extra["bedrock_route"]


def served(route: Route | None) -> Operation | None:
    """The table row for a route, if the simulated Bedrock (this package) serves it."""
    if route is None:
        return None
    op = OPERATIONS.get(route.operation)
    return op if op is not None and op.api == route.api else None


@functools.lru_cache(maxsize=None)
def handler(op: Operation) -> Callable:
    if callable(op.handler):
        return op.handler
    module_name, _, function = op.handler.partition(":")
    module = importlib.import_module(f"{__package__}.{module_name}")
    return getattr(module, function)


def access(info) -> tuple[str, str | None] | None:
    """(IAM action, resource ARN or None) of a Bedrock request, for the IAM authorizer; None when unknown."""
    route = resolve(info)
    if route is None:
        return None
    region = info.region or "us-east-1"
    op = OPERATIONS.get(route.operation)
    if op is not None and op.api == route.api:
        return op.iam_action, op.resource(route.labels, region) if op.resource else None
    return f"bedrock:{_ACTION_OF.get(route.operation, route.operation)}", None


#: Operations AWS authorizes with another operation's action ("This operation requires permission for the
#: bedrock:RetrieveAndGenerate action").
_ACTION_OF = {"RetrieveAndGenerateStream": "RetrieveAndGenerate"}
