"""TestInvokeMethod (the console's "Test" button, ``aws apigateway test-invoke-method``), which moto lacks.

It runs one method of the API as it is now (no deployment needed), with the request described in the body, and
answers status, body, headers and a short log, as API Gateway does.
"""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from ..core import awserrors
from ..core.router import RequestInfo
from . import routing

PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/(?P<verb>[^/]+)/?$")


def matches(info) -> bool:
    return info.service == "apigateway" and info.method == "POST" and PATH.match(info.path) is not None


def handle(ext, info) -> Response:
    info.journal = False
    found = PATH.match(info.path)
    api = routing.find_api(found["api"])
    resource = api.resources.get(found["resource"]) if api is not None else None
    verb = found["verb"].upper()
    method = (resource.resource_methods or {}).get(verb) if resource is not None else None
    if method is None:
        return awserrors.error_response("apigateway", "NotFoundException", "Invalid Method identifier specified", 404)
    try:
        spec = json.loads(info.body or b"{}")
    except ValueError:
        return awserrors.error_response("apigateway", "BadRequestException", "The request body is not JSON.", 400)
    resource_path = resource.get_path()
    path_query = spec.get("pathWithQueryString") or resource_path
    path, _, query = path_query.partition("?")
    body = spec.get("body") or ""
    headers = dict(spec.get("headers") or {})
    for key, values in (spec.get("multiValueHeaders") or {}).items():
        headers.setdefault(key, ", ".join(values))
    environ = EnvironBuilder(method=verb if verb != "ANY" else "GET", path=path, query_string=query,
                             headers=headers, data=body.encode()).get_environ()
    fake = RequestInfo(Request(environ), body.encode(), None, info.region, None, path_query)
    snapshot = routing.Snapshot(resource.id, resource_path, resource.resource_methods)
    matched = routing.match([snapshot], path, fake.method)
    params = matched[2] if matched else {}
    stage = SimpleNamespace(name="test-invoke-stage", variables=spec.get("stageVariables") or {},
                            access_log_settings=None)
    target = routing.Target(api.id, "test-invoke-stage", path, "test")
    started = time.perf_counter()
    context = ext._context(fake, api, stage, resource, resource_path, target, awserrors.request_id())
    outcome = ext._integrate(fake, api, stage, method, resource_path, params, target, context)
    latency = int((time.perf_counter() - started) * 1000)
    log = (f"Execution log for request {context['requestId']}\n"
           f"Starting execution for request: {context['requestId']}\n"
           f"HTTP Method: {verb}, Resource Path: {path}\n"
           + (f"Execution failed: {outcome.error}\n" if outcome.error else "")
           + f"Method completed with status: {outcome.status}\n")
    answer = {
        "status": outcome.status,
        "body": outcome.body.decode("utf-8", "replace"),
        "headers": {k: str(v) for k, v in outcome.headers.items()},
        "multiValueHeaders": {k: [str(v)] for k, v in outcome.headers.items()},
        "log": log,
        "latency": latency,
    }
    return Response(json.dumps(answer), status=200, content_type="application/json")
