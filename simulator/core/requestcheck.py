"""Bad input gets a 4xx in its protocol's shape before any service sees it (boto3 does not retry a 4xx; a 500
would be retried and then reported as the cloud's failure).

* a malformed ``Authorization`` header → ``IncompleteSignature`` (S3: ``AuthorizationHeaderMalformed``);
* a path that is not UTF-8 → ``InvalidURI`` (S3) / ``ValidationException``;
* AWS's size limits (Lambda Invoke 6 MB synchronous, 1 MB asynchronous, 256 KB InvokeAsync; 50 MB zipped code) →
  413 ``RequestEntityTooLargeException``, answered before the body is read into memory;
* JSON protocols: an unknown operation → ``UnknownOperationException``; a body that is not a UTF-8 JSON object, or
  nested deeper than :data:`MAX_DEPTH` → ``SerializationException``; values past the model's length and range
  constraints → ``ValidationException`` with AWS's wording;
* query protocol: no ``Action`` → ``MissingAction``, an unknown one → ``InvalidAction``, a body that is not UTF-8 →
  ``MalformedQueryString``;
* S3 (rest-xml): a configuration body that is not well-formed XML → ``MalformedXML``.

Everything is read from botocore's own service models, so a new operation or service is covered as it comes.
"""

from __future__ import annotations

import functools
import json
import re
import xml.parsers.expat
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote_to_bytes

from werkzeug.wrappers import Response

from . import awserrors, shapes

if TYPE_CHECKING:
    from .router import RequestInfo

MAX_DEPTH = 100
_CREDENTIAL = re.compile(r"^[^/\s]+/\d{8}/[^/\s]+/[^/\s]+/aws4_request$")
_LAMBDA_INVOKE = re.compile(r"^/20\d\d-\d\d-\d\d/functions/[^/]+/invocations/?$")
_LAMBDA_INVOKE_ASYNC = re.compile(r"^/20\d\d-\d\d-\d\d/functions/[^/]+/invoke-async/?$")
_LAMBDA_CODE = re.compile(r"^/20\d\d-\d\d-\d\d/functions(/[^/]+/code)?/?$")
_SIZE_LIMITS = (  # (path, method, limit in bytes, operation named in AWS's message)
    (_LAMBDA_INVOKE_ASYNC, "POST", 262_144, "InvokeAsync"),
    (_LAMBDA_CODE, None, 69_905_067, None),
)
MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema."


# -- before the body is read --------------------------------------------------------------------------------------
def too_large(environ: dict, length: int | None = None) -> tuple[str, int] | None:
    """``(operation, limit)`` when the body (declared, or ``length``) is past AWS's limit for this request."""
    if length is None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
    if length <= 262_144:
        return None
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "")
    if method == "POST" and _LAMBDA_INVOKE.match(path):
        asynchronous = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "") == "Event"
        limit = 1_048_576 if asynchronous else 6_291_456
        return ("InvokeFunction", limit) if length > limit else None
    for pattern, verb, limit, operation in _SIZE_LIMITS:
        if pattern.match(path) and (verb is None or verb == method) and length > limit:
            name = operation or ("CreateFunction" if method == "POST" else "UpdateFunctionCode")
            return name, limit
    return None


def too_large_response(operation: str, limit: int) -> Response:
    response = awserrors.error_response(
        "lambda",
        "RequestEntityTooLargeException",
        f"Request must be smaller than {limit} bytes for the {operation} operation",
        413,
    )
    response.headers["Connection"] = "close"
    return response


# -- after ---------------------------------------------------------------------------------------------------------
def check_envelope(info: "RequestInfo", *, signature: bool = True) -> Response | None:
    """A 4xx for a malformed signature (when ``Authorization`` is one) or path, else None (checked before the
    authorizers read the signature)."""
    return (_authorization(info) if signature else None) or _path(info)


def check_body(info: "RequestInfo", *, extension: bool) -> Response | None:
    """A 4xx for a body the operation's protocol cannot take, else None. ``extension``: one of our services takes
    the request (an unsigned one is then not read as S3)."""
    if info.service is None and extension:
        return None
    return _body(info)


def check_admin_body(info: "RequestInfo") -> Response | None:
    return _admin_body(info)


def _authorization(info: "RequestInfo") -> Response | None:
    auth = info.headers.get("Authorization")
    if auth is None:
        return None
    scheme, _, rest = auth.strip().partition(" ")
    if scheme == "AWS" and ":" in rest:  # signature version 2 (old S3 clients): left to S3
        return None
    problems = []
    service = None
    if scheme != "AWS4-HMAC-SHA256":
        problems.append(f"Unsupported Authorization type {scheme[:40]!r}; requests are signed with AWS4-HMAC-SHA256.")
    else:
        params = {}
        for part in rest.split(","):
            key, sep, value = part.strip().partition("=")
            if sep:
                params[key.strip()] = value.strip()
        for key in ("Credential", "Signature", "SignedHeaders"):
            if not params.get(key):
                problems.append(f"Authorization header requires '{key}' parameter.")
        credential = params.get("Credential", "")
        if credential and not _CREDENTIAL.match(credential):
            problems.append(
                'The Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
            )
        elif credential:
            service = credential.split("/")[3]
    if not problems:
        return None
    service = service or _guess_service(info)
    shape = awserrors.service_shape(service)
    if shape.protocol == "rest-xml":
        return awserrors.error_response(
            service, "AuthorizationHeaderMalformed", "The authorization header is malformed; " + " ".join(problems), 400
        )
    code = "IncompleteSignatureException" if shape.protocol in ("json", "rest-json") else "IncompleteSignature"
    message = "The request signature does not conform to AWS standards. " + " ".join(problems)
    return awserrors.error_response(service, code, message, 400)


def _guess_service(info: "RequestInfo") -> str:
    """The service a request meant, for the shape of an error about its signature."""
    target = info.headers.get("X-Amz-Target", "")
    if target:
        prefix = target.rsplit(".", 1)[0]
        found = _service_for_target_prefix().get(prefix)
        if found:
            return found
    return "s3"


@functools.lru_cache(maxsize=1)
def _service_for_target_prefix() -> dict[str, str]:
    from .admin import MOTO_SERVICES

    found = {}
    for name in MOTO_SERVICES + ["sagemaker-runtime"]:
        shape = awserrors.service_shape(name)
        if shape.target_prefix:
            found[shape.target_prefix] = name
    return found


def _path(info: "RequestInfo") -> Response | None:
    raw_path = info.raw_uri.split("?", 1)[0]
    try:
        unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        service = info.service or "s3"
        if awserrors.service_shape(service).protocol == "rest-xml":
            return awserrors.error_response(service, "InvalidURI", "Couldn't parse the specified URI.", 400)
        return awserrors.error_response(service, "ValidationException", "The request path is not valid UTF-8.", 400)
    return None


def _body(info: "RequestInfo") -> Response | None:
    service = info.service
    if service is None:
        if info.headers.get("X-Amz-Target") or info.query.get("Action") or info.form().get("Action"):
            return None  # unsigned JSON or query calls (STS web identity, Cognito): moto answers them
        service = "s3"
    shape = awserrors.service_shape(service)
    model = awserrors._service_model(shape.model_name)
    if model is None:
        return None
    protocol = _protocol_of(info, model)
    if protocol == "unreadable":
        ctype = info.headers.get("Content-Type") or "none"
        return awserrors.error_response(
            service,
            "SerializationException",
            f"The request's Content-Type ({ctype[:80]}) is not one {model.service_name} reads: send form data "
            "(application/x-www-form-urlencoded) or JSON (application/x-amz-json-1.0 with X-Amz-Target).",
            400,
        )
    if protocol == "json":
        return _json_protocol(info, service, model)
    if protocol in ("query", "ec2"):
        return _query_protocol(info, service, model)
    if protocol == "rest-xml" and info.method == "POST":
        problem = _s3_form_post(info, service)
        if problem is not None:
            return problem
    if protocol == "rest-xml" and _rest_operation(shape.model_name, info) is None:
        return awserrors.error_response(
            service, "MethodNotAllowed", "The specified method is not allowed against this resource.", 405
        )
    # Several models may share a signing name (API Gateway v1 and v2; Bedrock and its runtimes).
    for name in [shape.model_name] + [n for n in _models_signed_as(service) if n != shape.model_name]:
        operation = _rest_operation(name, info)
        if operation is None:
            continue
        found = awserrors._service_model(name)
        if protocol == "rest-json":
            return _rest_json(info, service, found, operation)
        if protocol == "rest-xml":
            return _rest_xml(info, service, found, operation)
    return None


@functools.lru_cache(maxsize=32)
def _models_signed_as(signing_name: str) -> tuple[str, ...]:
    session = awserrors._botocore_session()
    found = []
    # Models signed with a name are named after it (apigateway, apigatewayv2; bedrock, bedrock-runtime...): load
    # only those, not all of botocore's.
    for name in session.get_available_services():
        if not name.startswith(signing_name):
            continue
        model = awserrors._service_model(name)
        if (
            model is not None
            and (model.metadata.get("signingName") or model.metadata.get("endpointPrefix")) == signing_name
        ):
            found.append(name)
    return tuple(found)


def _protocol_of(info: "RequestInfo", model) -> str:
    """The protocol this request speaks, among those the service accepts (CloudWatch takes CBOR, JSON and query)."""
    protocols = model.metadata.get("protocols") or [model.metadata.get("protocol")]
    if len(protocols) == 1:
        return protocols[0]
    # As AWS (and moto) read it: the Content-Type says which.
    ctype = info.headers.get("Content-Type", "").lower()
    if ctype.startswith(("application/x-amz-json", "application/json")) and "json" in protocols:
        return "json"
    if ctype.startswith("application/x-www-form-urlencoded") and "query" in protocols:
        return "query"
    if info.path.startswith("/service/") or info.headers.get("Smithy-Protocol"):
        return "smithy-rpc-v2-cbor"
    return "unreadable"


def _s3_form_post(info: "RequestInfo", service: str) -> Response | None:
    """POST on a bucket with no subresource is S3's browser form upload: multipart/form-data with a key field."""
    parts = [p for p in info.path.split("/") if p]
    if len(parts) != 1 or _rest_operation("s3", info) is not None:
        return None
    ctype = info.headers.get("Content-Type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        return awserrors.error_response(
            service,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold (Bucket POST must be of the "
            "enclosure-type multipart/form-data)",
            412,
        )
    if b'name="key"' not in info.body:
        return awserrors.error_response(
            service,
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            400,
        )
    return None


def _rest_operation(model_name: str, info: "RequestInfo") -> str | None:
    query = set(info.query)
    for verb, pattern, keys, op in awserrors._rest_routes(model_name):
        if verb == info.method and pattern.match(info.path) and keys <= query:
            return op
    return None


# -- JSON --------------------------------------------------------------------------------------------------------------
class _TooDeep(Exception):
    pass


def parse_json(body: bytes) -> object:
    """json.loads that refuses deep nesting before Python's recursion limit would (RecursionError)."""
    depth = _max_depth(body)
    if depth > MAX_DEPTH:
        raise _TooDeep(f"The request body is nested {depth} levels deep; the limit is {MAX_DEPTH}.")
    try:
        return json.loads(body)
    except RecursionError:
        raise _TooDeep(f"The request body is nested deeper than {MAX_DEPTH} levels.") from None


def _max_depth(body: bytes) -> int:
    """Nesting depth of brackets outside strings (a fast byte scan; exact for JSON)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _json_document(info: "RequestInfo", service: str) -> tuple[object, Response | None]:
    if not info.body.strip():
        return {}, None
    try:
        document = parse_json(info.body)
    except _TooDeep as exc:
        return None, _serialization(service, str(exc))
    except ValueError as exc:  # includes UnicodeDecodeError
        return None, _serialization(service, f"The request body is not valid JSON: {exc}")
    if not isinstance(document, dict):
        return None, _serialization(
            service,
            "Start of structure or map found where not expected: the request body "
            f"must be a JSON object, not {type(document).__name__}.",
        )
    return document, None


def _serialization(service: str, message: str) -> Response:
    return awserrors.error_response(service, "SerializationException", message, 400)


def _json_protocol(info: "RequestInfo", service: str, model) -> Response | None:
    target = info.headers.get("X-Amz-Target")
    if not target:
        return None  # moto answers with its own routing error
    operation = target.rsplit(".", 1)[-1]
    if operation not in model.operation_names:
        return awserrors.error_response(
            service,
            "UnknownOperationException",
            f"The operation {operation} is not known to {model.service_name}.",
            400,
        )
    document, problem = _json_document(info, service)
    if problem is not None:
        return problem
    return _validate(service, model.operation_model(operation).input_shape, document)


def _rest_json(info: "RequestInfo", service: str, model, operation: str | None) -> Response | None:
    if operation is None:
        return None  # a route of ours (Bedrock runtime, API Gateway execution) or unknown: its handler decides
    input_shape = model.operation_model(operation).input_shape
    if input_shape is None:
        return None
    payload = input_shape.serialization.get("payload")
    if payload and input_shape.members[payload].type_name in ("blob", "string"):
        return None  # raw bytes (Invoke, ImportRestApi...): the service reads them
    document, problem = _json_document(info, service)
    if problem is not None:
        return problem
    if payload:
        return _validate(service, input_shape.members[payload], document)
    body_members = {k: v for k, v in input_shape.members.items() if not v.serialization.get("location")}
    required = [k for k in input_shape.required_members if k in body_members]
    return _validate_members(service, body_members, document, required)


# -- validation against the model (simulator/core/shapes.py says it in AWS's words) ------------------------------
def _by_member(shape, value, depth: int = 0):
    """A JSON body keyed as on the wire (``name`` for member ``Name`` in API Gateway v2...) keyed by member."""
    if depth > MAX_DEPTH:
        return value
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                out[name] = _by_member(member, value[wire], depth + 1)
        return out
    if kind == "list" and isinstance(value, list):
        return [_by_member(shape.member, item, depth + 1) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _by_member(shape.value, v, depth + 1) for k, v in value.items()}
    return value


def _validate(service: str, shape, value) -> Response | None:
    if shape is None or shape.type_name != "structure":
        return None
    return _validation_response(service, shapes.problems(shape, _by_member(shape, value)))


def _validate_members(service: str, members: dict, value, required=()) -> Response | None:
    found: list[str] = []
    for name in required:
        wire = members[name].serialization.get("name", name)
        if value.get(wire) is None:
            found.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
    for name, member in members.items():
        wire = member.serialization.get("name", name)
        if value.get(wire) is not None:
            found += shapes.problems(member, _by_member(member, value[wire]), name)
    return _validation_response(service, found)


def _validation_response(service: str, found: list[str], code: str = "ValidationException") -> Response | None:
    if not found:
        return None
    return awserrors.error_response(service, code, _lower_first(shapes.message(found[:10])), 400)


def _lower_first(message: str) -> str:
    """AWS's front end names members lowerCamelCase in these messages (``at 'description'``)."""
    return re.sub(
        r" at '([^']*)'", lambda m: " at '" + ".".join(p[:1].lower() + p[1:] for p in m[1].split(".")) + "'", message
    )


# -- query --------------------------------------------------------------------------------------------------------------
def _query_protocol(info: "RequestInfo", service: str, model) -> Response | None:
    if info.body:
        try:
            text = info.body.decode("utf-8")
            form = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except UnicodeDecodeError:
            return awserrors.error_response(
                service, "MalformedQueryString", "The query string contains a syntax error: it is not UTF-8.", 400
            )
    else:
        form = {}
    action = form.get("Action") or info.query.get("Action")
    if not action:
        return awserrors.error_response(
            service, "MissingAction", "The request is missing an action or a required parameter.", 400
        )
    if action not in model.operation_names:
        return awserrors.error_response(
            service,
            "InvalidAction",
            f"The action or operation requested is invalid. Verify that the action is "
            f"typed correctly. (Action={action[:100]})",
            400,
        )
    params = {**info.query, **form}
    shape = model.operation_model(action).input_shape
    if shape is None:
        return None
    found = []
    for name in shape.required_members:
        member = shape.members[name]
        wire = member.serialization.get("name", name)
        if member.type_name in ("string", "integer", "long", "boolean", "timestamp", "blob") and wire not in params:
            found.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        wire = member.serialization.get("name", name)
        if member.type_name == "string" and wire in params:  # form values are text: only strings are checked
            found += shapes.problems(member, params[wire], name)
    return _validation_response(service, found, "ValidationError")


# -- XML ----------------------------------------------------------------------------------------------------------------
def _rest_xml(info: "RequestInfo", service: str, model, operation: str | None) -> Response | None:
    if operation is None or not info.body.strip():
        return None
    input_shape = model.operation_model(operation).input_shape
    payload = input_shape.serialization.get("payload") if input_shape is not None else None
    if not payload or input_shape.members[payload].type_name != "structure":
        return None  # object bodies are bytes
    if not well_formed_xml(info.body):
        return awserrors.error_response(service, "MalformedXML", MALFORMED_XML, 400)
    return None


def well_formed_xml(body: bytes) -> bool:
    """Well-formed XML of sane depth, without DTDs (no entity expansion)."""
    parser = xml.parsers.expat.ParserCreate()
    state = {"depth": 0, "bad": False}

    def start(name, attrs):
        state["depth"] += 1
        if state["depth"] > MAX_DEPTH:
            state["bad"] = True
            raise ValueError("too deep")

    def end(name):
        state["depth"] -= 1

    def doctype(*args):
        state["bad"] = True
        raise ValueError("DTD")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except (xml.parsers.expat.ExpatError, ValueError):
        return False
    return not state["bad"]


# -- admin ----------------------------------------------------------------------------------------------------------------
def _admin_body(info: "RequestInfo") -> Response | None:
    if info.method in ("GET", "HEAD") or not info.body.strip():
        return None
    try:
        parse_json(info.body)
    except _TooDeep as exc:
        return awserrors.error_response("gailab", "SerializationException", str(exc), 400)
    except ValueError as exc:
        return awserrors.error_response("gailab", "SerializationException", f"The body is not valid JSON: {exc}", 400)
    return None
