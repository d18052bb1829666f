"""The one seam between gailab and moto.

**Patches.** Every change gailab makes to moto is declared in :data:`PATCHES`: the target (``module:Attr.path``),
the replacement (``module:name`` of ours, or a value), when it is installed (when moto first imports the target's
module, so the cloud starts fast), why, and the signature of moto's original, which
``tests/test_moto_seam.py`` pins: a moto upgrade that moves or reshapes a target fails there, in one test that
names what moved. :func:`install` applies them (idempotent: :data:`_applied` remembers each target's original);
a replacement that wraps moto's own code calls :func:`original`.

**Lookups.** Small functions read moto's backends for our services. Only moto's own not-found errors mean "not
found" here; anything else (a renamed attribute, a changed signature) propagates, so a moto change fails loudly
instead of turning into "not found".
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .home import ACCOUNT_ID
from .lazyimport import when_imported

_UNSET: Any = object()


@dataclass(frozen=True)
class Patch:
    #: ``"moto.module:Attr.path"``: what is replaced.
    target: str
    #: Why gailab replaces it (what moto does instead, what the course needs).
    why: str
    #: ``"gailab.module:name"`` of the replacement (resolved when installed) ...
    replacement: str = ""
    #: ... or a value to set (flags, module objects).
    value: Any = _UNSET
    #: ``str(inspect.signature(original))`` for callables; None for values (their presence is checked).
    signature: str | None = None
    #: The replacement is a factory called with moto's original (a property built from moto's getter...).
    factory: bool = False
    #: moto lacks the target: gailab adds it (the contract test says so when moto grows one).
    adds: bool = False

    @property
    def module(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def path(self) -> list[str]:
        return self.target.split(":", 1)[1].split(".")


PATCHES: list[Patch] = [
    # -- the server ------------------------------------------------------------------------------------------
    Patch(
        "moto.moto_server.werkzeug_app:DISABLE_GLOBAL_CORS",
        value=True,
        why="moto's server reflects any Origin in CORS headers, so any web page could read the cloud; only a "
        "bucket's own CORS configuration may add them (simulator/core/guard.py).",
    ),
    Patch(
        "moto.backends:list_of_moto_modules",
        replacement="gailab.simulator.core.motoseam:cached_moto_modules",
        signature="() -> collections.abc.Iterable[str]",
        why="moto lists and stats its own package folder twice per request to route it; the list never "
        "changes while we run (about 1 ms per request, a second per 1,000 replayed).",
    ),
    # -- determinism: the same IDs on replay (simulator/core/determinism.py) ---------------------------------
    Patch(
        "moto.moto_api._internal:mock_random.getrandbits",
        replacement="gailab.simulator.core.determinism:seeded_getrandbits",
        signature="(k, /)",
        why="moto draws every generated ID from one shared Random; a request's draws come from its own seed.",
    ),
    Patch(
        "moto.moto_api._internal:mock_random.random",
        replacement="gailab.simulator.core.determinism:seeded_random",
        signature="()",
        why="as getrandbits: uuid4, choice and friends draw through it.",
    ),
    Patch(
        "moto.kms.models:generate_master_key",
        replacement="gailab.simulator.core.determinism:generate_master_key",
        signature="() -> bytes",
        why="KMS key material comes from os.urandom; replay must rebuild the same keys "
        "so old ciphertexts still decrypt.",
    ),
    Patch(
        "moto.s3.models:os",
        replacement="gailab.simulator.core.determinism:seeded_os",
        why="multipart upload ids come from os.urandom; parts refer to them on replay.",
    ),
    Patch(
        "moto.sts.utils:os",
        replacement="gailab.simulator.core.determinism:seeded_os",
        why="STS session tokens come from os.urandom; replayed sessions keep theirs.",
    ),
    Patch(
        "moto.iam.models:os",
        replacement="gailab.simulator.core.determinism:seeded_os",
        why="virtual MFA seeds come from os.urandom.",
    ),
    Patch(
        "moto.core.base_backend:AccountSpecificBackend.__getitem__",
        replacement="gailab.simulator.core.determinism:unseeded_backend_getitem",
        signature="(self, region_name: str) -> ~SERVICE_BACKEND",
        why="moto creates a backend on first use, inside whichever request touches it first; creating it must "
        "not consume that request's seeded draws (replay may create it in another request).",
    ),
    # -- S3 -------------------------------------------------------------------------------------------------
    Patch(
        "moto.s3.models:FakeKey.value",
        replacement="gailab.simulator.core.s3values:value_property",
        factory=True,
        why="moto keeps every object body in memory (up to ~5 MB each); bodies of 64 KiB or more live in the "
        "journal's blob files instead, so memory and checkpoints stay small (simulator/core/s3values.py).",
    ),
    # -- Lambda ------------------------------------------------------------------------------------------------
    Patch(
        "moto.awslambda.models:LambdaFunction.invoke",
        replacement="gailab.simulator.awslambda.extension:invoke",
        signature="(self, body: 'str', request_headers: 'Any', response_headers: 'Any') -> 'str | bytes'",
        why="moto runs Lambda code in Docker (or not at all); Invoke runs it in our execution environments.",
    ),
    Patch(
        "moto.awslambda.models:LambdaFunction._invoke_lambda",
        replacement="gailab.simulator.awslambda.extension:invoke_lambda",
        signature="(self, event: 'str | None' = None) -> 'tuple[str, bool, str]'",
        why="moto's own triggers (SQS, SNS, EventBridge...) call it: they run real code too.",
    ),
    Patch(
        "moto.awslambda.models:LambdaStorage.put_function",
        replacement="gailab.simulator.awslambda.extension:put_function",
        signature="(self, fn: 'LambdaFunction') -> 'None'",
        why="CreateFunction with a role Lambda cannot assume is refused, as AWS does.",
    ),
    Patch(
        "moto.s3.models:S3Backend.put_bucket_notification_configuration",
        replacement="gailab.simulator.awslambda.triggers:put_bucket_notification_configuration",
        signature="(self, bucket_name: 'str', notification_config: 'dict[str, Any]') -> 'None'",
        why="S3 validates Lambda destinations (a permission for s3.amazonaws.com) when they are configured.",
    ),
    Patch(
        "moto.s3.notifications:_invoke_awslambda",
        replacement="gailab.simulator.awslambda.triggers:invoke_awslambda",
        signature="(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None",
        why="S3 events reach Lambda asynchronously, with retries; moto runs them inside PutObject.",
    ),
    Patch(
        "moto.awslambda.models:LambdaFunction.update_configuration",
        replacement="gailab.simulator.awslambda.extension:update_configuration",
        signature="(self, config_updates: 'dict[str, Any]') -> 'dict[str, Any]'",
        why="moto ignores EphemeralStorage in UpdateFunctionConfiguration; it sizes the environment's /tmp.",
    ),
    Patch(
        "moto.awslambda.policy:Policy.add_statement",
        replacement="gailab.simulator.awslambda.permissions:add_statement",
        signature="(self, raw: 'str', qualifier: 'str | None' = None) -> 'tuple[Any, str]'",
        why="AddPermission with a statement id the function's policy already has is a 409 "
        "ResourceConflictException in Lambda; moto appends a second statement with that id.",
    ),
    Patch(
        "moto.awslambda.policy:Policy.del_statement",
        replacement="gailab.simulator.awslambda.permissions:del_statement",
        signature="(self, sid: 'str', revision: 'str' = '') -> 'None'",
        why="RemovePermission of an id the policy lacks says which statement was not found, as Lambda does "
        "(moto says no policy is associated).",
    ),
    # -- IAM ------------------------------------------------------------------------------------------------
    Patch(
        "moto.iam.models:IAMBackend._init_aws_policies",
        replacement="gailab.simulator.iam.managed:init_aws_policies",
        signature="(self) -> 'list[ManagedPolicy]'",
        why="moto loads no AWS managed policy unless it loads all 4.7 MB; the course's come from a small file.",
    ),
    # -- CloudWatch (simulator/cloudwatch/patches.py) --------------------------------------------------------
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.put_metric_alarm",
        replacement="gailab.simulator.cloudwatch.patches:put_metric_alarm",
        signature="(self, name: str, namespace: str, metric_name: str, comparison_operator: str, evaluation_periods: "
        "int, period: int, threshold: float, statistic: str, description: str, dimensions: list[dict[str, str]], "
        "alarm_actions: list[str], metric_data_queries: list[moto.cloudwatch.models.MetricDataQuery] | None = None, "
        "datapoints_to_alarm: int | None = None, extended_statistic: str | None = None, ok_actions: list[str] | "
        "None = None, insufficient_data_actions: list[str] | None = None, unit: str | None = None, "
        "actions_enabled: bool = True, treat_missing_data: str | None = None, "
        "evaluate_low_sample_count_percentile: str | None = None, threshold_metric_id: str | None = None, "
        "rule: str | None = None, tags: list[dict[str, str]] | None = None) -> moto.cloudwatch.models.Alarm",
        why="alarms validate as AWS does, start INSUFFICIENT_DATA and keep their state when updated.",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.put_metric_data",
        replacement="gailab.simulator.cloudwatch.patches:put_metric_data",
        signature="(self, namespace: str, metric_data: list[dict[str, typing.Any]]) -> None",
        why="datapoints without a Timestamp take their journal record's time on replay; alarms evaluate.",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.set_alarm_state",
        replacement="gailab.simulator.cloudwatch.patches:set_alarm_state",
        signature="(self, alarm_name: str, reason: str, reason_data: str, state_value: str) -> None",
        why="SetAlarmState leaves a history item and runs the alarm's actions.",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.delete_alarms",
        replacement="gailab.simulator.cloudwatch.patches:delete_alarms",
        signature="(self, alarm_names: list[str]) -> None",
        why="DeleteAlarms leaves history items.",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.get_metric_statistics",
        replacement="gailab.simulator.cloudwatch.patches:get_metric_statistics",
        signature="(self, namespace: str, metric_name: str, start_time: datetime.datetime, end_time: "
        "datetime.datetime, period: int, stats: list[str], dimensions: list[dict[str, str]], unit: str | None = "
        "None) -> list[moto.cloudwatch.models.Statistics]",
        why="metrics are read by exact dimension set, with extended statistics (AWS's rule).",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.get_metric_data",
        replacement="gailab.simulator.cloudwatch.patches:get_metric_data",
        signature="(self, queries: list[dict[str, typing.Any]], start_time: datetime.datetime, end_time: "
        "datetime.datetime, scan_by: str = 'TimestampAscending') -> list[dict[str, typing.Any]]",
        why="MetricStat queries by exact dimension set.",
    ),
    Patch(
        "moto.cloudwatch.models:CloudWatchBackend.get_filtered_metrics",
        replacement="gailab.simulator.cloudwatch.patches:get_filtered_metrics",
        signature="(self, metric_name: str, namespace: str, dimensions: list[dict[str, str]]) -> "
        "list[moto.cloudwatch.models.MetricDatumBase]",
        why="ListMetrics lists each metric once, dimensionless ones included.",
    ),
    Patch(
        "moto.cloudwatch.responses:CloudWatchResponse.get_metric_statistics",
        replacement="gailab.simulator.cloudwatch.patches:response_get_metric_statistics",
        signature="(self) -> moto.core.responses.ActionResult",
        why="Statistics or ExtendedStatistics, as AWS requires one.",
    ),
    Patch(
        "moto.cloudwatch.responses:CloudWatchResponse.describe_alarm_history",
        replacement="gailab.simulator.cloudwatch.patches:describe_alarm_history",
        adds=True,
        why="moto has no DescribeAlarmHistory.",
    ),
    # -- API Gateway -----------------------------------------------------------------------------------------
    Patch(
        "moto.apigateway.models:RestAPI.create_deployment",
        replacement="gailab.simulator.apigateway.routing:create_deployment",
        signature="(self, name: str, description: str, stage_variables: Any = None) -> "
        "moto.apigateway.models.Deployment",
        why="a stage serves the API as it was deployed (a snapshot), and keeps its settings on redeploy.",
    ),
    Patch(
        "moto.apigatewayv2.responses:ApiGatewayV2Response.create_api",
        replacement="gailab.simulator.apigateway.httpapi:create_api",
        signature="(self) -> tuple[int, dict[str, typing.Any], str | bytes]",
        why="quick create (CreateApi with Target) makes the integration, route and $default stage, as AWS does.",
    ),
    Patch(
        "moto.apigateway.responses:APIGatewayResponse.import_rest_api",
        replacement="gailab.simulator.apigateway.openapi_import:import_rest_api",
        signature="(self) -> tuple[int, dict[str, typing.Any], str | bytes]",
        why="moto imports OpenAPI 3 only and needs info.description; API Gateway (and chalice deploy) send "
        "Swagger 2.0 without it, and a body that is no document must be a 400, not a 500.",
    ),
    Patch(
        "moto.apigateway.responses:APIGatewayResponse.put_rest_api",
        replacement="gailab.simulator.apigateway.openapi_import:put_rest_api",
        signature="(self) -> tuple[int, dict[str, typing.Any], str | bytes]",
        why="as ImportRestApi.",
    ),
]

_applied: dict[str, Any] = {}
_lock = threading.RLock()
_installed = False


def _resolve_owner(patch: Patch, module) -> tuple[Any, str]:
    owner = module
    for name in patch.path[:-1]:
        owner = getattr(owner, name)
    return owner, patch.path[-1]


_made: dict[str, Any] = {}  # replacements made by factories, by target


def _replacement(patch: Patch) -> Any:
    if patch.value is not _UNSET:
        return patch.value
    if patch.target in _made:
        return _made[patch.target]
    module_name, _, name = patch.replacement.partition(":")
    return getattr(importlib.import_module(module_name), name)


def _apply(patch: Patch, module) -> None:
    with _lock:
        if patch.target in _applied:
            return
        owner, attr = _resolve_owner(patch, module)
        if patch.adds:
            current = getattr(owner, attr, None)
        else:
            current = (
                owner.__dict__[attr] if isinstance(owner, type) and attr in owner.__dict__ else getattr(owner, attr)
            )
        _applied[patch.target] = current
        replacement = _replacement(patch)
        if patch.factory:
            replacement = _made[patch.target] = replacement()
        setattr(owner, attr, replacement)


def install() -> None:
    """Apply every patch, each when moto first imports its module (at once if it already has). Idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    for patch in PATCHES:
        when_imported(patch.module, functools.partial(_apply_when_imported, patch))


def _apply_when_imported(patch: Patch, module: Any) -> None:
    _apply(patch, module)


def original(target: str) -> Any:
    """moto's own object that ``target`` replaced (resolved from moto when the patch is not applied yet)."""
    found = _applied.get(target, _UNSET)  # a dict read needs no lock (called on every seeded draw)
    if found is not _UNSET:
        return found
    patch = next(p for p in PATCHES if p.target == target)
    owner, attr = _resolve_owner(patch, importlib.import_module(patch.module))
    if patch.adds:
        return getattr(owner, attr, None)
    return owner.__dict__[attr] if isinstance(owner, type) and attr in owner.__dict__ else getattr(owner, attr)


def installed(target: str) -> bool:
    return target in _applied


# -- imports -----------------------------------------------------------------------------------------------------
#: moto's modules that our background threads read (the CloudWatch alarm clock). A cloud imports them at start,
#: before any thread of its own runs: a module that a request thread is still importing is already in sys.modules,
#: half made ("partially initialized module"), and a thread that looked it up there would fail on it.
IMPORTED_AT_START = ("moto.cloudwatch.models",)


def import_at_start() -> None:
    """Import :data:`IMPORTED_AT_START` (a few ms; free in a supervisor's forked cloud, which has them preloaded)."""
    for name in IMPORTED_AT_START:
        importlib.import_module(name)


def loaded(name: str) -> ModuleType | None:
    """moto's module ``name`` once it is wholly imported (its patches applied), else None: "nobody used that
    service yet" without importing it, and never a module another thread is still executing."""
    module = sys.modules.get(name)
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    return module


# -- replacements that live here -------------------------------------------------------------------------------
_module_list: tuple[str, ...] | None = None


def cached_moto_modules():
    global _module_list
    if _module_list is None:
        _module_list = tuple(original("moto.backends:list_of_moto_modules")())
    return iter(_module_list)


# -- lookups ---------------------------------------------------------------------------------------------------
def s3_bucket_cors(bucket_name: str) -> list[dict] | None:
    """A bucket's CORS rules (``origins``, ``methods``, ``headers``, ``expose``, ``max_age``); None: no bucket."""
    if loaded("moto.s3.models") is None:  # S3 never used: no bucket
        return None
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    try:
        bucket = s3_backends[ACCOUNT_ID]["aws"].get_bucket(bucket_name)
    except MissingBucket:
        return None
    return [
        {
            "origins": list(rule.allowed_origins or []),
            "methods": [str(m).upper() for m in rule.allowed_methods or []],
            "headers": list(rule.allowed_headers or []),
            "expose": list(rule.exposed_headers or []),
            "max_age": rule.max_age_seconds,
        }
        for rule in bucket.cors
    ]


def lookup(getter: Callable[[], Any], *not_found: type[BaseException]) -> Any:
    """``getter()``, or None when it raises one of moto's not-found errors given (and only those)."""
    try:
        return getter()
    except not_found:
        return None


def lambda_function(region: str, name: str, qualifier: str | None = None):
    """A Lambda function (or version/alias) by name or ARN; None when moto has no such function."""
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    try:
        return lambda_backends[ACCOUNT_ID][region].get_function(name, qualifier)
    except UnknownFunctionException:
        return None


def iam_role_by_arn(arn: str):
    from moto.iam.exceptions import NoSuchEntity, NotFoundException
    from moto.iam.models import iam_backends

    try:
        return iam_backends[ACCOUNT_ID]["aws"].get_role_by_arn(arn)
    except (NotFoundException, NoSuchEntity):
        return None


def iam_user_and_groups(name: str) -> list:
    """The user and its groups (what carries its policies); empty when there is no such user."""
    from moto.iam.exceptions import NoSuchEntity, NotFoundException
    from moto.iam.models import iam_backends

    iam = iam_backends[ACCOUNT_ID]["aws"]
    try:
        return [iam.get_user(name), *iam.get_groups_for_user(name)]
    except (NotFoundException, NoSuchEntity):
        return []


def iam_managed_policy(arn: str):
    from moto.iam.exceptions import NoSuchEntity, NotFoundException
    from moto.iam.models import iam_backends

    try:
        return iam_backends[ACCOUNT_ID]["aws"].get_policy(arn)
    except (NotFoundException, NoSuchEntity):
        return None


def kms_key_id(key_id: str, region: str) -> str | None:
    """The raw key id any KMS identifier names (id, ARN, alias, alias ARN); None when it names no key."""
    from moto.kms.models import kms_backends

    backend = kms_backends[ACCOUNT_ID][region]
    alias = backend.get_alias_name(key_id)
    if alias.startswith("alias/"):
        found = backend.get_key_id_from_alias(alias)
        return None if found is None else backend.get_key_id(found)
    resolved = backend.get_key_id(key_id)
    return resolved if resolved in backend.keys else None


def s3_bucket(name: str):
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    try:
        return s3_backends[ACCOUNT_ID]["aws"].get_bucket(name)
    except MissingBucket:
        return None
