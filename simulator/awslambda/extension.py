"""Plugs the runtime into moto: Invoke (all invocation types) and moto's own triggers run real code.

moto's ``LambdaFunction.invoke`` is what the Invoke API and every internal trigger (S3 notifications, SQS,
SNS, EventBridge...) call; :func:`invoke` and :func:`invoke_lambda` replace it and ``_invoke_lambda`` (declared in
``core/motoseam.py``) and route to the runtime of the cloud that is active. During journal replay no code runs: the effects of handlers are in the journal.
"""

from __future__ import annotations

import json
import logging
import threading

from moto.core.exceptions import JsonRESTError
from werkzeug.wrappers import Response

from ..core.admin import json_response
from ..core.extensions import Extension
from ..core import motoseam
from ..core.router import replaying
from . import containment
from .asyncq import EventQueue
from .runtime import Runtime, Throttled

log = logging.getLogger("gailab.simulator.lambda")

_current: "LambdaExtension | None" = None


class InvalidRequestContentException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidRequestContentException", message)


class TooManyRequestsException(JsonRESTError):
    code = 429

    def __init__(self, message: str):
        super().__init__("TooManyRequestsException", message)


def current() -> "LambdaExtension | None":
    return _current


def _parse(body) -> str:
    """The event as JSON text; AWS refuses a payload that is not JSON."""
    if body is None or body == "" or body == b"":
        return "{}"
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return json.dumps(body)
    try:
        json.loads(body)
    except ValueError as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from None
    return body


def invoke(self, body, request_headers, response_headers):
    """Replacement for moto's LambdaFunction.invoke."""
    ext = _current
    headers = request_headers or {}
    inv_type = headers.get("x-amz-invocation-type") or headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    event_json = _parse(body)
    if inv_type == "DryRun" or replaying() or ext is None:
        return ""
    if inv_type == "Event":
        ext.events.submit(self, event_json)
        return ""
    try:
        result = ext.runtime.invoke(self, event_json)
    except Throttled as exc:
        raise TooManyRequestsException(str(exc)) from None
    if result.errored:
        response_headers["x-amz-function-error"] = "Unhandled"
    response_headers["x-amz-log-result"] = result.log_tail
    response_headers["x-amz-executed-version"] = result.version
    return result.payload.encode("utf-8")


def invoke_lambda(self, event=None):
    """Replacement for moto's LambdaFunction._invoke_lambda: (payload, errored, logs)."""
    ext = _current
    if replaying() or ext is None:
        return "", False, ""
    result = ext.runtime.invoke(self, json.dumps(event if event is not None else {}))
    return result.payload, result.errored, result.log_text


def update_configuration(self, config_updates):
    """moto's UpdateFunctionConfiguration, plus EphemeralStorage (the size of the environment's /tmp)."""
    from ..core.motoseam import original

    result = original("moto.awslambda.models:LambdaFunction.update_configuration")(self, config_updates)
    storage = config_updates.get("EphemeralStorage")
    if isinstance(storage, dict) and "Size" in storage:
        self.ephemeral_storage = int(storage["Size"])
        result = self.get_configuration()
    return result


def put_function(storage, fn):
    """moto's LambdaStorage.put_function, refusing a role Lambda cannot assume (as CreateFunction does in AWS)."""
    from ..core.motoseam import original
    from ..iam import trust

    problem = trust.lambda_cannot_assume(fn.role)
    if problem:
        from moto.awslambda.exceptions import InvalidParameterValueException

        log.info("CreateFunction refused: %s", problem)
        raise InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")
    result = original("moto.awslambda.models:LambdaStorage.put_function")(storage, fn)
    if _current is not None:
        _current.lambda_in_use()
    return result


def _has_functions() -> bool:
    """Whether any account and region of moto's Lambda holds a function (without importing moto's Lambda)."""
    from ..core.motoseam import loaded

    models = loaded("moto.awslambda.models")
    if models is None:
        return False
    # LambdaStorage._functions, read (the public all() deep-copies every function); all() if moto renames it.
    return any(
        getattr(backend._lambdas, "_functions", None) or backend._lambdas.all()
        for regions in list(models.lambda_backends.values())
        for backend in list(regions.values())
    )


#: Seconds after a supervised restart before the spare worker starts (see LambdaExtension.ready).
PRESTART_AFTER_RESTART = 1.0


def preload() -> None:
    """For a supervisor that forks each cloud (core/server.py preload): what containment this machine offers, probed
    once there (a fork and an unshare) instead of in every restarted cloud."""
    containment.probe()


class LambdaExtension(Extension):
    """The Lambda runtime as a cloud extension: takes no request itself, changes how moto runs functions."""

    name = "lambda-runtime"

    def attach(self, cloud) -> None:
        global _current
        super().attach(cloud)
        self.runtime = Runtime(cloud)
        self.events = EventQueue(self.runtime, cloud.settings)
        _current = self
        # The spare worker (~45 MiB) starts with the first function (CreateFunction, or its replay), long before
        # the first Invoke: a cloud without functions - most labs, and a forked cloud that finds moto's Lambda
        # already imported by its supervisor - keeps none, and its own start stays as fast as moto's.

    def lambda_in_use(self) -> None:
        if not self.cloud.settings.get("lambda_prestart", True):
            return
        if not self.cloud.endpoint:
            # Not listening yet: a second cloud in this process (class regrades start one per submission) finds moto
            # already imported at attach. The spare worker's sandbox needs the cloud's port, so it starts at ready().
            self._prestart_when_ready = True
            return
        self.runtime.prestart()

    def ready(self) -> None:
        super().ready()
        if getattr(self, "_prestart_when_ready", False) or _has_functions():  # (a checkpoint brings functions back
            # without CreateFunction)
            self._prestart_when_ready = False
            if self.cloud.restarts:
                # Back from a kill: the requests waiting in the supervisor's backlog come first; a spare worker's
                # start (a Python importing boto3, ~0.3 s of CPU) would compete with them for the CPU.
                timer = threading.Timer(PRESTART_AFTER_RESTART, self.runtime.prestart)
                timer.daemon = True
                timer.start()
            else:
                self.runtime.prestart()

    def admin_routes(self):
        def status(info) -> Response:
            return json_response(
                {
                    "runtime": self.runtime.stats(),
                    "events": list(self.events.completed),
                    "environments": self.runtime.environments(),
                    "containment": {"mode": self.runtime.sandbox_mode, **containment.probe()},
                }
            )

        return {("GET", "/_gailab/lambda"): status}

    def reset(self) -> None:
        self.events.clear()
        self.runtime.kill_all()
        if motoseam.loaded("moto.awslambda.models") is not None and self.cloud.settings.get("lambda_prestart", True):
            self.runtime.prestart()

    def health(self) -> dict:
        return {"status": "ready", **self.runtime.stats()}

    def stop(self) -> None:
        global _current
        self.events.stop()
        self.runtime.stop()
        if _current is self:
            _current = None


def factory() -> LambdaExtension:
    return LambdaExtension()
