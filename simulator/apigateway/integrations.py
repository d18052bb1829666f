"""Integrations: what a matched method does. AWS_PROXY and AWS to Lambda, AWS to other services (the Bedrock
runtime included), MOCK, HTTP and HTTP_PROXY. Each returns an :class:`Outcome` — the status, headers and body
API Gateway sends back — with API Gateway's own answers for broken wiring (500) and broken Lambda output (502).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from ..core.home import ACCOUNT_ID
from . import templates

_LAMBDA_URI = re.compile(r"^arn:aws:apigateway:(?P<region>[^:]+):lambda:path/[^/]+/functions/(?P<fn>.+?)/invocations$")
_SERVICE_URI = re.compile(r"^arn:aws:apigateway:(?P<region>[^:]+):(?P<service>[^:]+):(?P<kind>path|action)/(?P<rest>.*)$")
# API Gateway service subdomains whose SigV4 signing name differs.
_SIGNING = {"bedrock-runtime": "bedrock", "runtime.sagemaker": "sagemaker", "monitoring": "monitoring"}


@dataclass
class Outcome:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)
    #: Why API Gateway failed, for the access log and the execution log (never sent to the client).
    error: str | None = None
    latency_ms: float = 0.0


def internal_error(reason: str) -> Outcome:
    return Outcome(500, b'{"message": "Internal server error"}',
                   {"Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException"}, reason)


def bad_gateway(reason: str) -> Outcome:
    return Outcome(502, b'{"message": "Internal server error"}',
                   {"Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException"}, reason)


def substitute_stage_variables(text: str, stage_variables: dict) -> str:
    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", lambda m: str(stage_variables.get(m[1], "")), text or "")


# -- Lambda ---------------------------------------------------------------------------------------------------
def lambda_function(uri: str):
    """(moto LambdaFunction, function ARN) from an integration URI, or (None, reason)."""
    from ..core import motoseam

    found = _LAMBDA_URI.match(uri or "")
    if not found:
        return None, f"integration URI {uri!r} does not name a Lambda function"
    arn = found["fn"]
    parts = arn.split(":")
    region = parts[3] if arn.startswith("arn:") and len(parts) > 3 else found["region"]
    name = parts[6] if arn.startswith("arn:") and len(parts) > 6 else arn
    qualifier = parts[7] if arn.startswith("arn:") and len(parts) > 7 else None
    fn = motoseam.lambda_function(region, name, qualifier)
    if fn is None:
        return None, f"Lambda function {arn} does not exist"
    return fn, arn


def permission_allows(fn, source_arns: list[str], service: str = "apigateway.amazonaws.com") -> bool:
    """Whether the function's resource policy lets ``service`` invoke it from one of these source ARNs."""
    from ..iam.policy import matches

    statements = list(getattr(getattr(fn, "policy", None), "statements", None) or [])
    for statement in statements:
        if statement.get("Effect", "Allow") != "Allow":
            continue
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else principal
        services = services if isinstance(services, list) else [services]
        if service not in services and "*" not in services:
            continue
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if not any(isinstance(a, str) and matches(a, "lambda:InvokeFunction") for a in actions):
            continue
        condition = statement.get("Condition") or {}
        wanted = None
        for operator in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
            for key, value in (condition.get(operator) or {}).items():
                if key.lower() == "aws:sourcearn":
                    wanted = value if isinstance(value, list) else [value]
        if wanted is None or any(matches(w, s, ignore_case=False) for w in wanted for s in source_arns):
            return True
    return False


def run_lambda(fn, event: dict | str):
    from ..awslambda.extension import current

    ext = current()
    if ext is None:
        return None
    payload = event if isinstance(event, str) else json.dumps(event)
    return ext.runtime.invoke(fn, payload)


def proxy_response(invocation) -> Outcome:
    """The Lambda proxy response contract: a JSON object with statusCode, headers, body (a string)."""
    if invocation.errored:
        return bad_gateway(f"Lambda function error: {invocation.payload[:500]}")
    try:
        answer = json.loads(invocation.payload)
    except ValueError:
        return bad_gateway("Malformed Lambda proxy response: not JSON")
    if not isinstance(answer, dict):
        return bad_gateway("Malformed Lambda proxy response: not a JSON object")
    status = answer.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        return bad_gateway("Malformed Lambda proxy response: statusCode must be an integer HTTP status")
    body = answer.get("body")
    if body is not None and not isinstance(body, str):
        return bad_gateway("Malformed Lambda proxy response: body must be a string")
    headers = answer.get("headers") or {}
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        return bad_gateway("Malformed Lambda proxy response: headers must be objects")
    raw = (body or "").encode("utf-8")
    if answer.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body or "")
        except ValueError:
            return bad_gateway("Malformed Lambda proxy response: body is not base64")
    out_headers: dict = {"Content-Type": "application/json"}
    out_headers.update({str(k): str(v) for k, v in headers.items()})
    for key, values in multi.items():
        out_headers[str(key)] = ", ".join(str(v) for v in (values if isinstance(values, list) else [values]))
    return Outcome(status, raw, out_headers)


# -- non-proxy integrations -----------------------------------------------------------------------------------
def request_body(integration, data: templates.RequestData, content_type: str) -> tuple[str | None, str | None]:
    """(integration request body, error) after the request template, honouring passthroughBehavior."""
    found = integration.request_templates or {}
    ctype = (content_type or "application/json").split(";")[0].strip().lower() or "application/json"
    template = found.get(ctype)
    if template is None and not content_type:
        template = found.get("application/json")
    if template is None:
        behaviour = (integration.passthrough_behaviour or "WHEN_NO_MATCH").upper()
        if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and found):
            return None, "Unsupported Media Type"
        return data.body, None
    return templates.render(template, data), None


def select_response(integration, error_message: str | None, status_key: str | None):
    """The integration response whose selectionPattern matches (Lambda: its errorMessage; else the status);
    the default (no pattern) otherwise. A successful Lambda call always takes the default."""
    default = None
    subject = error_message if error_message is not None else status_key
    for response in (integration.integration_responses or {}).values():
        pattern = response.selection_pattern
        if not pattern:
            default = default or response
        elif subject is not None and re.fullmatch(pattern, subject, re.DOTALL):
            return response
    return default


def integration_response(integration, response, body: str, data: templates.RequestData,
                         upstream_headers: dict | None = None) -> Outcome:
    if response is None:
        return internal_error("no integration response matched")
    status = int(response.status_code)
    headers = {"Content-Type": "application/json"}
    for name, source in (response.response_parameters or {}).items():
        if not name.startswith("method.response.header."):
            continue
        header = name[len("method.response.header."):]
        if source.startswith("'") and source.endswith("'"):
            headers[header] = source[1:-1]
        elif source.startswith("integration.response.header.") and upstream_headers:
            headers[header] = upstream_headers.get(source[len("integration.response.header."):], "")
    templates_ = response.response_templates or {}
    template = templates_.get("application/json") if templates_ else None
    if template is None and templates_:
        template = next(iter(templates_.values()))
    if template:
        out_data = templates.RequestData(body, data.path_params, data.query, data.headers, data.context,
                                         data.stage_variables)
        body = templates.render(template, out_data)
    return Outcome(status, (body or "").encode("utf-8"), headers)


def mock(integration, data: templates.RequestData, content_type: str) -> Outcome:
    rendered, error = request_body(integration, data, content_type)
    if error:
        return Outcome(415, json.dumps({"message": error}).encode(), {"Content-Type": "application/json"}, error)
    status_key = "200"
    try:
        parsed = json.loads(rendered) if rendered else {}
        if isinstance(parsed, dict) and "statusCode" in parsed:
            status_key = str(parsed["statusCode"])
    except ValueError:
        return internal_error("the MOCK request template did not produce JSON with a statusCode")
    response = select_response(integration, None, status_key)
    return integration_response(integration, response, "", data)


def aws_lambda(integration, data, content_type) -> Outcome:
    fn, why = lambda_function(integration.uri)
    if fn is None:
        return internal_error(why)
    rendered, error = request_body(integration, data, content_type)
    if error:
        return Outcome(415, json.dumps({"message": error}).encode(), {"Content-Type": "application/json"}, error)
    try:
        json.loads(rendered or "{}")
    except ValueError:
        rendered = json.dumps(rendered)
    invocation = run_lambda(fn, rendered or "{}")
    if invocation is None:
        return internal_error("the Lambda runtime is not running")
    error_message = None
    if invocation.errored:
        try:
            error_message = str(json.loads(invocation.payload).get("errorMessage", ""))
        except (ValueError, AttributeError):
            error_message = invocation.payload
    response = select_response(integration, error_message, None)
    if response is None and invocation.errored:
        return bad_gateway(f"Lambda function error not mapped: {invocation.payload[:300]}")
    return integration_response(integration, response, invocation.payload, data)


def aws_service(integration, data, content_type, endpoint: str) -> Outcome:
    """An AWS service integration: call the local cloud itself, signed as that service."""
    found = _SERVICE_URI.match(integration.uri or "")
    if not found:
        return internal_error(f"integration URI {integration.uri!r} is not an AWS service URI")
    service = found["service"]
    signing = _SIGNING.get(service, service.split(".")[0])
    rendered, error = request_body(integration, data, content_type)
    if error:
        return Outcome(415, json.dumps({"message": error}).encode(), {"Content-Type": "application/json"}, error)
    method = (integration.http_method or "POST").upper()
    if found["kind"] == "path":
        url = endpoint + "/" + substitute_stage_variables(found["rest"], data.stage_variables).lstrip("/")
        body = (rendered or "").encode("utf-8")
        headers = {"Content-Type": "application/json"}
    else:
        action, _, query = found["rest"].partition("&")
        url = endpoint + "/"
        body = f"Action={action}&{query}".rstrip("&").encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, upstream_body, upstream_headers = _signed_call(method, url, body, headers, signing, found["region"],
                                                           integration.credentials)
    response = select_response(integration, None, str(status))
    if response is None:
        return internal_error(f"no integration response for status {status}")
    return integration_response(integration, response, upstream_body.decode("utf-8", "replace"), data,
                                upstream_headers)


def _signed_call(method, url, body, headers, signing, region, role_arn):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    if role_arn and ":role/" in role_arn:
        from ..awslambda.runtime import unseeded
        from moto.sts.models import sts_backends

        with unseeded():
            session = sts_backends[ACCOUNT_ID]["aws"].assume_role(
                region_name=region, role_session_name="BackplaneAssumeRoleSession", role_arn=role_arn,
                policy=None, duration=900, external_id=None)
        creds = Credentials(session.access_key_id, session.secret_access_key, session.session_token)
    else:
        creds = Credentials("test", "test")
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(creds, signing, region).add_auth(request)
    prepared = urllib.request.Request(url, data=body if method not in ("GET", "HEAD") else None, method=method,
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=60) as reply:
            return reply.status, reply.read(), dict(reply.headers.items())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers.items())


def http(integration, data, content_type, method: str, proxy: bool, raw_body: bytes, headers: dict) -> Outcome:
    url = substitute_stage_variables(integration.uri or "", data.stage_variables)
    for name, value in data.path_params.items():
        url = url.replace("{" + name + "}", value)
    if proxy:
        body = raw_body
        send_headers = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        verb = method if (integration.http_method or "ANY").upper() == "ANY" else integration.http_method
    else:
        rendered, error = request_body(integration, data, content_type)
        if error:
            return Outcome(415, json.dumps({"message": error}).encode(), {"Content-Type": "application/json"}, error)
        body = (rendered or "").encode()
        send_headers = {"Content-Type": "application/json"}
        verb = integration.http_method or "GET"
    request = urllib.request.Request(url, data=body if verb.upper() not in ("GET", "HEAD") else None,
                                     method=verb.upper(), headers=send_headers)
    try:
        with urllib.request.urlopen(request, timeout=29) as reply:
            status, payload, reply_headers = reply.status, reply.read(), dict(reply.headers.items())
    except urllib.error.HTTPError as exc:
        status, payload, reply_headers = exc.code, exc.read(), dict(exc.headers.items())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return internal_error(f"HTTP integration failed: {exc}")
    if proxy:
        return Outcome(status, payload, {k: v for k, v in reply_headers.items()
                                         if k.lower() not in ("transfer-encoding", "connection", "content-length")})
    response = select_response(integration, None, str(status))
    return integration_response(integration, response, payload.decode("utf-8", "replace"), data, reply_headers)
