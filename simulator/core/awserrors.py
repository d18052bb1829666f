"""AWS-shaped error responses, in the wire format each service's protocol expects.

botocore reads the error code from ``x-amzn-ErrorType`` (JSON protocols) or from the XML body (query, ec2,
rest-xml). We look the protocol up in botocore's own service model, so an error from the local cloud parses into
the same exception class a learner would get from AWS.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

# Signing names whose botocore model is named differently.
_MODEL_FOR_SIGNING_NAME = {
    "monitoring": "cloudwatch",
    "execute-api": "apigateway",
    "email": "ses",
    "states": "stepfunctions",
}


@dataclass(frozen=True)
class ServiceShape:
    model_name: str
    protocol: str
    target_prefix: str | None


@functools.lru_cache(maxsize=64)
def _service_model(name: str):
    """botocore's model of the service ``name`` (None when botocore does not know it): the one copy every part of
    the cloud reads (request checks, error shapes, routes), from one loader - a copy of the course's models takes
    ~30 MiB. (moto keeps its own: its loader adds its own models, such as S3's PostObject, and ~/.aws/models.)"""
    try:
        return _botocore_session().get_service_model(name)
    except Exception:  # unknown to botocore
        return None


@functools.lru_cache(maxsize=1)
def _botocore_session():
    import botocore.session

    return botocore.session.get_session()


def service_model(name: str):
    """Like :func:`_service_model`, but an unknown service is an error (botocore's UnknownServiceError)."""
    model = _service_model(name)
    if model is None:
        from botocore.exceptions import UnknownServiceError

        raise UnknownServiceError(service_name=name, known_service_names="(botocore's)")
    return model


def service_shape(signing_name: str | None) -> ServiceShape:
    name = _MODEL_FOR_SIGNING_NAME.get(signing_name or "s3", signing_name or "s3")
    model = _service_model(name)
    if model is None:
        return ServiceShape(name, "json", None)
    protocol = model.metadata.get("protocol", "json")
    return ServiceShape(name, protocol, model.metadata.get("targetPrefix"))


@functools.lru_cache(maxsize=64)
def _rest_routes(model_name: str) -> list[tuple[str, re.Pattern[str], frozenset[str], str]]:
    model = _service_model(model_name)
    routes: list[tuple[str, re.Pattern[str], frozenset[str], str]] = []
    if model is None:
        return routes
    for op_name in model.operation_names:
        op_model = model.operation_model(op_name)
        http = op_model.http
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        pattern = "^" + re.sub(r"\\\{[^}]*?\\\+\\\}", ".+", re.sub(r"\\\{[^}+]*\\\}", "[^/]+", re.escape(path)))
        pattern = pattern.rstrip("/") + "/?$"
        keys = {part.split("=")[0] for part in query.split("&") if part}
        shape = op_model.input_shape
        if shape is not None:  # required query parameters tell operations on one path apart (uploadId...)
            keys |= {
                shape.members[m].serialization.get("name", m)
                for m in shape.required_members
                if shape.members[m].serialization.get("location") == "querystring"
            }
        routes.append((http.get("method", "POST"), re.compile(pattern), frozenset(keys), op_name))
    # Most specific first: required query keys, then longer templates.
    routes.sort(key=lambda r: (-len(r[2]), -len(r[1].pattern)))
    return routes


def operation_name(signing_name: str | None, method: str, path: str, query: dict, headers, form: dict) -> str | None:
    """Best guess at the API operation a request names (for messages and journaling decisions)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    action = query.get("Action") or form.get("Action")
    if action:
        return action
    shape = service_shape(signing_name)
    if shape.protocol.startswith("rest"):
        for verb, pattern, keys, op in _rest_routes(shape.model_name):
            if verb == method and pattern.match(path) and keys <= set(query):
                return op
    return None


def not_found_code(signing_name: str | None, operation: str | None) -> str:
    """The not-found error an operation's model declares (NoSuchEntity, NotFoundException...), else the usual one."""
    shape = service_shape(signing_name)
    model = _service_model(shape.model_name)
    if model is not None and operation in (model.operation_names if model else ()):
        for error in model.operation_model(operation).error_shapes:
            code = error.metadata.get("error", {}).get("code") or error.name
            if "NotFound" in code or code.startswith("NoSuch"):
                return code
    return "NoSuchKey" if shape.protocol == "rest-xml" else "ResourceNotFoundException"


def request_id() -> str:
    return str(uuid.uuid4())


def error_response(
    signing_name: str | None,
    code: str,
    message: str,
    status: int,
    *,
    sender: bool = True,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """An error response in the protocol of the service the request was signed for."""
    shape = service_shape(signing_name)
    rid = request_id()
    headers = {"x-amzn-RequestId": rid, **(extra_headers or {})}
    if shape.protocol in ("json", "rest-json"):
        headers["x-amzn-ErrorType"] = code
        body = json.dumps({"__type": code, "message": message, "Message": message})
        return Response(
            body,
            status=status,
            headers=headers,
            content_type="application/x-amz-json-1.1" if shape.protocol == "json" else "application/json",
        )
    if shape.protocol == "rest-xml":
        headers["x-amz-request-id"] = rid
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{rid}</RequestId></Error>"
        )
        return Response(body, status=status, headers=headers, content_type="application/xml")
    kind = "Sender" if sender else "Receiver"
    if shape.protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"</Errors><RequestID>{rid}</RequestID></Response>"
        )
    else:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
        )
    return Response(body, status=status, headers=headers, content_type="text/xml")


def not_implemented(signing_name: str | None, operation: str | None, detail: str = "") -> Response:
    """501: boto3 does not retry it, so the learner learns at once what the local cloud lacks."""
    service = signing_name or "s3"
    what = f"{service}:{operation}" if operation else f"this {service} request"
    message = f"The local cloud does not implement {what}."
    if detail:
        message += f" ({detail})"
    return error_response(signing_name, "NotImplemented", message, 501)


def internal_error(signing_name: str | None, exc: BaseException) -> Response:
    message = f"The local cloud failed while handling this request: {type(exc).__name__}: {exc}"
    return error_response(signing_name, "InternalFailure", message[:1000], 500, sender=False)
