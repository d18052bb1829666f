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

import importlib
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
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

    @property
    def module(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def path(self) -> list[str]:
        return self.target.split(":", 1)[1].split(".")


PATCHES: list[Patch] = [
    # -- the server ------------------------------------------------------------------------------------------
    Patch("moto.moto_server.werkzeug_app:DISABLE_GLOBAL_CORS", value=True,
          why="moto's server reflects any Origin in CORS headers, so any web page could read the cloud; only a "
              "bucket's own CORS configuration may add them (simulator/core/guard.py)."),
    Patch("moto.backends:list_of_moto_modules", replacement="gailab.simulator.core.motoseam:cached_moto_modules",
          signature="() -> collections.abc.Iterable[str]",
          why="moto lists and stats its own package folder twice per request to route it; the list never "
              "changes while we run (about 1 ms per request, a second per 1,000 replayed)."),
    # -- determinism: the same IDs on replay (simulator/core/determinism.py) ---------------------------------
    Patch("moto.moto_api._internal:mock_random.getrandbits",
          replacement="gailab.simulator.core.determinism:seeded_getrandbits", signature="(k, /)",
          why="moto draws every generated ID from one shared Random; a request's draws come from its own seed."),
    Patch("moto.moto_api._internal:mock_random.random", replacement="gailab.simulator.core.determinism:seeded_random",
          signature="()", why="as getrandbits: uuid4, choice and friends draw through it."),
    Patch("moto.kms.models:generate_master_key", replacement="gailab.simulator.core.determinism:generate_master_key",
          signature="() -> bytes", why="KMS key material comes from os.urandom; replay must rebuild the same keys "
                                       "so old ciphertexts still decrypt."),
    Patch("moto.s3.models:os", replacement="gailab.simulator.core.determinism:seeded_os",
          why="multipart upload ids come from os.urandom; parts refer to them on replay."),
    Patch("moto.sts.utils:os", replacement="gailab.simulator.core.determinism:seeded_os",
          why="STS session tokens come from os.urandom; replayed sessions keep theirs."),
    Patch("moto.iam.models:os", replacement="gailab.simulator.core.determinism:seeded_os",
          why="virtual MFA seeds come from os.urandom."),
    Patch("moto.core.base_backend:AccountSpecificBackend.__getitem__",
          replacement="gailab.simulator.core.determinism:unseeded_backend_getitem",
          signature="(self, region_name: str) -> ~SERVICE_BACKEND",
          why="moto creates a backend on first use, inside whichever request touches it first; creating it must "
              "not consume that request's seeded draws (replay may create it in another request)."),
    # -- S3 -------------------------------------------------------------------------------------------------
    Patch("moto.s3.models:FakeKey.value", replacement="gailab.simulator.core.s3values:value_property", factory=True,
          why="moto keeps every object body in memory (up to ~5 MB each); bodies of 64 KiB or more live in the "
              "journal's blob files instead, so memory and checkpoints stay small (simulator/core/s3values.py)."),
    # -- Lambda ------------------------------------------------------------------------------------------------
    Patch("moto.awslambda.models:LambdaFunction.update_configuration",
          replacement="gailab.simulator.awslambda.extension:update_configuration",
          signature="(self, config_updates: 'dict[str, Any]') -> 'dict[str, Any]'",
          why="moto ignores EphemeralStorage in UpdateFunctionConfiguration; it sizes the environment's /tmp."),
    # -- API Gateway -----------------------------------------------------------------------------------------
    Patch("moto.apigateway.responses:APIGatewayResponse.import_rest_api",
          replacement="gailab.simulator.apigateway.openapi_import:import_rest_api", signature="(self) -> tuple[int, dict[str, "
          "typing.Any], str | bytes]",
          why="moto imports OpenAPI 3 only and needs info.description; API Gateway (and chalice deploy) send "
              "Swagger 2.0 without it, and a body that is no document must be a 400, not a 500."),
    Patch("moto.apigateway.responses:APIGatewayResponse.put_rest_api",
          replacement="gailab.simulator.apigateway.openapi_import:put_rest_api", signature="(self) -> tuple[int, dict[str, "
          "typing.Any], str | bytes]",
          why="as ImportRestApi."),
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
        current = owner.__dict__[attr] if isinstance(owner, type) and attr in owner.__dict__ else getattr(owner, attr)
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
        when_imported(patch.module, lambda module, patch=patch: _apply(patch, module))


def original(target: str) -> Any:
    """moto's own object that ``target`` replaced (resolved from moto when the patch is not applied yet)."""
    found = _applied.get(target, _UNSET)  # a dict read needs no lock (called on every seeded draw)
    if found is not _UNSET:
        return found
    patch = next(p for p in PATCHES if p.target == target)
    owner, attr = _resolve_owner(patch, importlib.import_module(patch.module))
    return owner.__dict__[attr] if isinstance(owner, type) and attr in owner.__dict__ else getattr(owner, attr)


def installed(target: str) -> bool:
    return target in _applied


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
    if "moto.s3.models" not in sys.modules:  # S3 never used: no bucket
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
