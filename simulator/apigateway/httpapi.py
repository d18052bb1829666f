"""HTTP APIs (API Gateway v2): routes like ``GET /items/{id}``, ``ANY /{proxy+}`` and ``$default``, Lambda proxy
integrations with payload 2.0 (or 1.0), HTTP_PROXY. Served on the same URL forms as REST APIs; a ``$default``
stage serves at the root, without a stage segment.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, timezone

from ..core.home import ACCOUNT_ID
from . import integrations, routing


def find(api_id: str):
    from moto.apigatewayv2.models import apigatewayv2_backends

    api = apigatewayv2_backends[ACCOUNT_ID]["us-east-1"].apis.get(api_id)
    return api if api is not None and (api.protocol_type or "HTTP").upper() == "HTTP" else None


def all_apis():
    from moto.apigatewayv2.models import apigatewayv2_backends

    return [a for a in apigatewayv2_backends[ACCOUNT_ID]["us-east-1"].apis.values()
            if (a.protocol_type or "HTTP").upper() == "HTTP"]


def _not_found():
    return integrations.Outcome(404, b'{"message":"Not Found"}', {"Content-Type": "application/json"})


def _internal(reason: str):
    return integrations.Outcome(500, b'{"message":"Internal Server Error"}', {"Content-Type": "application/json"},
                                reason)


def _route(api, method: str, path: str):
    segments = [s for s in path.strip("/").split("/") if s]
    best = None
    default = None
    for route in api.routes.values():
        key = route.route_key or ""
        if key == "$default":
            default = route
            continue
        verb, _, template_path = key.partition(" ")
        if verb.upper() not in (method.upper(), "ANY"):
            continue
        scored = routing._score([s for s in template_path.strip("/").split("/") if s], segments)
        if scored is None:
            continue
        rank = scored[0] + (9, 1 if verb.upper() == method.upper() else 0)
        if best is None or rank > best[0]:
            best = (rank, route, template_path, scored[1])
    if best is not None:
        return best[1], best[2], best[3]
    if default is not None:
        return default, None, {}
    return None


def serve(info, api, target, endpoint: str) -> integrations.Outcome:
    full = ("/" + target.stage + (target.path if target.path != "/" else "")) if target.stage else target.path
    stages = api.stages or {}
    if target.stage and target.stage in stages:
        stage, path = stages[target.stage], target.path
    elif "$default" in stages:
        stage, path = stages["$default"], full or "/"
    else:
        return _not_found()
    found = _route(api, info.method, path)
    if found is None:
        return _not_found()
    route, route_path, params = found
    integration_id = (route.target or "").split("/", 1)[-1]
    integration = api.integrations.get(integration_id)
    if integration is None:
        return _internal(f"route {route.route_key} has no integration")
    kind = (integration.integration_type or "").upper()
    if kind == "HTTP_PROXY":
        return integrations.http(_AsRest(integration), _NoTemplates(), "", info.method, True, info.body,
                                 dict(info.headers.items()))
    if kind != "AWS_PROXY":
        return _internal(f"integration type {kind} is not supported for HTTP APIs by the local cloud")
    uri = integration.integration_uri or ""
    if uri.startswith("arn:aws:lambda:"):
        uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{uri}/invocations"
    fn, why = integrations.lambda_function(uri)
    if fn is None:
        return _internal(why)
    stage_name = stage.name
    base = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api.api_id}/{stage_name}"
    arns = [f"{base}/$default"] if route_path is None else [
        f"{base}/{info.method.upper()}{route_path}", f"{base}/{route.route_key.split(' ')[0].upper()}{route_path}"]
    if not integration.credentials_arn and not integrations.permission_allows(fn, arns):
        return _internal("Invalid permissions on Lambda function")
    version = integration.payload_format_version or "2.0"
    event = _event_v2(info, api, stage, route, path, params) if version == "2.0" else _event_v1(
        info, api, stage, route, route_path, path, params)
    invocation = integrations.run_lambda(fn, event)
    if invocation is None:
        return _internal("the Lambda runtime is not running")
    if invocation.errored:
        return _internal(f"Lambda function error: {invocation.payload[:300]}")
    if version != "2.0":
        outcome = integrations.proxy_response(invocation)
        if outcome.status == 502:
            return _internal(outcome.error or "malformed response")
        return outcome
    return _response_v2(invocation.payload)


class _AsRest:
    """An HTTP API integration seen through the REST integration's attribute names."""

    def __init__(self, integration):
        self.uri = integration.integration_uri
        self.http_method = integration.integration_method or "ANY"
        self.request_templates = None
        self.passthrough_behaviour = None
        self.integration_responses = None


class _NoTemplates:
    stage_variables: dict = {}
    path_params: dict = {}


def _headers(info) -> tuple[dict, list[str]]:
    joined: dict = {}
    cookies: list[str] = []
    for key, value in info.headers.items():
        if key.lower() == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        lower = key.lower()
        joined[lower] = f"{joined[lower]},{value}" if lower in joined else value
    return joined, cookies


def _body(info):
    if not info.body:
        return None, False
    try:
        return info.body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(info.body).decode(), True


def _event_v2(info, api, stage, route, path, params) -> dict:
    now = datetime.now(timezone.utc)
    headers, cookies = _headers(info)
    query: dict = {}
    for key, value in info.request.args.items(multi=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    body, is_b64 = _body(info)
    event = {
        "version": "2.0", "routeKey": route.route_key, "rawPath": path,
        "rawQueryString": info.request.query_string.decode("latin-1"), "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID, "apiId": api.api_id, "domainName": f"{api.api_id}.execute-api.localhost",
            "domainPrefix": api.api_id,
            "http": {"method": info.method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": info.request.remote_addr or "127.0.0.1",
                     "userAgent": info.headers.get("User-Agent", "")},
            "requestId": base64.b32encode(uuid.uuid4().bytes)[:16].decode(), "routeKey": route.route_key,
            "stage": stage.name, "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if stage.stage_variables:
        event["stageVariables"] = dict(stage.stage_variables)
    if body is not None:
        event["body"] = body
    return event


def _event_v1(info, api, stage, route, route_path, path, params) -> dict:
    single = {k: v for k, v in info.headers.items()}
    multi: dict = {}
    for k, v in info.headers.items():
        multi.setdefault(k, []).append(v)
    query = dict(info.request.args.items()) or None
    mquery: dict = {}
    for k, v in info.request.args.items(multi=True):
        mquery.setdefault(k, []).append(v)
    body, is_b64 = _body(info)
    return {
        "version": "1.0", "resource": route_path or "$default", "path": path, "httpMethod": info.method,
        "headers": single, "multiValueHeaders": multi, "queryStringParameters": query,
        "multiValueQueryStringParameters": mquery or None, "pathParameters": params or None,
        "stageVariables": dict(stage.stage_variables) or None,
        "requestContext": {"accountId": ACCOUNT_ID, "apiId": api.api_id, "stage": stage.name,
                           "httpMethod": info.method, "path": path, "requestId": str(uuid.uuid4()),
                           "routeKey": route.route_key, "resourcePath": route_path or "$default"},
        "body": body, "isBase64Encoded": is_b64,
    }


def _response_v2(payload: str) -> integrations.Outcome:
    """Payload 2.0: a JSON object with statusCode is a full response; anything else is a 200 JSON body."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return _internal("the function returned something that is not JSON")
    if not (isinstance(answer, dict) and "statusCode" in answer):
        body = answer if isinstance(answer, str) else json.dumps(answer)
        return integrations.Outcome(200, body.encode(), {"Content-Type": "application/json"})
    status = answer.get("statusCode")
    if not isinstance(status, int) or isinstance(status, bool):
        return _internal("statusCode must be an integer")
    body = answer.get("body") or ""
    if not isinstance(body, str):
        body = json.dumps(body)
    raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    headers = {"Content-Type": "application/json"}
    headers.update({str(k): str(v) for k, v in (answer.get("headers") or {}).items()})
    outcome = integrations.Outcome(status, raw, headers)
    cookies = answer.get("cookies") or []
    if cookies:
        outcome.headers["Set-Cookie"] = ", ".join(cookies)
    return outcome


def create_api(self):
    """moto's CreateApi, plus quick create (``Target``): an HTTP API with its integration, route and $default
    stage in one call, as API Gateway does it."""
    from ..core.motoseam import original

    status, headers, body = original("moto.apigatewayv2.responses:ApiGatewayV2Response.create_api")(self)
    try:
        params = json.loads(self.body or "{}")
    except ValueError:
        return status, headers, body
    target = params.get("target")
    if status != 200 or not target or (params.get("protocolType") or "").upper() != "HTTP":
        return status, headers, body
    api = self.apigatewayv2_backend.get_api(json.loads(body)["apiId"])
    kind = "HTTP_PROXY" if target.startswith(("http://", "https://")) else "AWS_PROXY"
    integration = api.create_integration(
        connection_type="INTERNET", description="", integration_method="ANY" if kind == "HTTP_PROXY" else "POST",
        integration_type=kind, integration_uri=target, payload_format_version="2.0" if kind == "AWS_PROXY" else "1.0",
        credentials_arn=params.get("credentialsArn"))
    api.create_route(api_key_required=False, authorization_scopes=[], route_key=params.get("routeKey") or "$default",
                     target=f"integrations/{integration.id}")
    api.create_stage({"stageName": "$default", "autoDeploy": True})
    return status, headers, json.dumps(api.to_json())
