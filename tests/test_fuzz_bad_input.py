"""Bad input gets a 4xx in its protocol's shape, never a 500, a traceback or an HTML page.

Known cases (one per protocol and per AWS limit) are spelled out; then hypothesis throws malformed requests at
every operation of every service the cloud serves (every botocore model signed with a name the cloud answers, so
services added later are covered), at the admin routes the cloud registered and at API Gateway's execute routes.
After each request: no 5xx except one the operation's model declares (or 501 for what the cloud lacks), no
traceback or HTML, the cloud answers health, and a refused request left the journal as it was.
"""

from __future__ import annotations

import http.client
import json
import random
import re
from urllib.parse import quote, urlsplit

import botocore.auth
import botocore.credentials
import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gailab.simulator.core.admin import MOTO_SERVICES

_session = botocore.session.get_session()


def send(cloud, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
    parts = urlsplit(cloud.endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": parts.netloc, **headers, "Content-Length": str(len(body))}
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def sign(cloud, signing_name: str, method: str, path: str, headers: dict, body: bytes) -> dict:
    request = AWSRequest(method=method, url=cloud.endpoint + path, data=body, headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), signing_name, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _signing_name(model) -> str:
    return model.metadata.get("signingName") or model.metadata.get("endpointPrefix") or model.service_name


def served_models() -> list:
    """Every botocore model whose signing name the cloud answers (moto's services, Bedrock and its family...)."""
    names = set()
    for service in MOTO_SERVICES:
        names.add(_signing_name(_session.get_service_model(service)))
    names |= {"bedrock", "sagemaker"}
    models = []
    for service in _session.get_available_services():
        if not service.startswith(tuple(names | set(MOTO_SERVICES))):  # models are named after what signs them
            continue
        model = _session.get_service_model(service)
        if _signing_name(model) in names:
            models.append(model)
    return models


MODELS = served_models()
OPERATIONS = [(model, op) for model in MODELS for op in model.operation_names]


def _path_for(op_model, rng: random.Random) -> tuple[str, dict]:
    uri = op_model.http.get("requestUri", "/")
    path, _, query = uri.partition("?")

    def fill(match):
        greedy = match.group(0).endswith("+}")
        text = rng.choice(["x", "a b", "ação", "..", "%", "a/b", "0" * 300, "\u202e", ""])
        return quote(text, safe="/" if greedy else "")

    path = re.sub(r"\{[^}]+\}", fill, path) or "/"
    params = {}
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            params[key] = value
    return path, params


BODIES = {
    "empty": lambda rng: b"",
    "garbage": lambda rng: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))),
    "truncated-json": lambda rng: b'{"Name": "x", "List": [1, 2, {"a": ',
    "deep-json": lambda rng: b"[" * rng.choice([150, 5000, 100000]),
    "deep-object": lambda rng: b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "not-object": lambda rng: rng.choice([b"[]", b"42", b'"text"', b"null", b"true"]),
    "bad-utf8": lambda rng: b'{"Name": "\xff\xfe\xfa"}',
    "wrong-types": lambda rng: json.dumps({"Name": 5, "Description": ["x"], "Tags": "no", "Policy": {"a": 1},
                                           "MaxItems": "ten", "Enabled": "yes"}).encode(),
    "long-strings": lambda rng: json.dumps({k: "x" * 70000 for k in ("Name", "Description", "FunctionName",
                                                                      "KeyId", "name", "description")}).encode(),
    "bad-xml": lambda rng: rng.choice([b"<Tagging><TagSet>", b"<<<", b"<a>" * 5000, b"<?xml version='1.0'?><x>",
                                       b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>']),
    "form": lambda rng: b"Action=" + rng.choice([b"Nope", b"", b"\xff", b"CreateUser&UserName=\xff"]),
}
CONTENT_TYPES = ["application/json", "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/xml",
                 "text/plain", "application/x-www-form-urlencoded", "application/octet-stream", None]
AUTH = ["signed", "none", "garbage", "half", "bad-date"]


def _auth_header(kind: str, rng: random.Random) -> str | None:
    if kind == "garbage":
        return rng.choice(["AWS4-HMAC-SHA256 garbage", "Bearer abc", "AWS4-HMAC-SHA256 ", "\x00", "AWS4-HMAC-SHA256 a=b,,,"])
    if kind == "half":
        return "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request"
    if kind == "bad-date":
        return "AWS4-HMAC-SHA256 Credential=test/2025/us-east-1/lambda/aws4_request,SignedHeaders=host,Signature=00"
    return None


def _allowed_5xx(op_model, code: str | None) -> bool:
    if code == "NotImplemented":
        return True
    if op_model is None or not code:
        return False
    return any(shape.name == code or shape.metadata.get("error", {}).get("code") == code
               for shape in op_model.error_shapes)


def _error_code(headers: dict, body: bytes) -> str | None:
    if "x-amzn-errortype" in headers:
        return headers["x-amzn-errortype"].split(":")[0]
    found = re.search(rb"<Code>([^<]+)</Code>", body)
    return found.group(1).decode() if found else None


def _api_gateway_own_error(what: str, status: int, headers: dict, body: bytes) -> bool:
    """What API Gateway itself answers when an integration fails (a modelled response of the execute route)."""
    return (what.startswith("execute") and status in (500, 502)
            and headers.get("x-amzn-errortype") == "InternalServerErrorException"
            and json.loads(body) == {"message": "Internal server error"})


def assert_well_answered(cloud, status: int, headers: dict, body: bytes, op_model, records_before: int, what: str):
    code = _error_code(headers, body)
    assert (status < 500 or _allowed_5xx(op_model, code) or _api_gateway_own_error(what, status, headers, body)), (
        f"{what}: {status} {code} {body[:300]!r}")
    lowered = body[:2000].lower()
    assert b"traceback (most recent call last)" not in lowered, f"{what}: traceback in {body[:300]!r}"
    assert b"<html" not in lowered and b"<!doctype html" not in lowered, f"{what}: HTML page {body[:300]!r}"
    if status >= 400:
        assert cloud.journal.count == records_before, f"{what}: a refused request changed the journal"
    health_status, _, _ = send(cloud, "GET", "/_gailab/health", {}, b"")
    assert health_status == 200, f"{what}: the cloud stopped answering"


# -- known cases ----------------------------------------------------------------------------------------------------
KNOWN = [
    ("s3", "PUT", "/fuzz-bucket?tagging", {}, b"<Tagging><TagSet><Tag>", 400, "MalformedXML"),
    ("s3", "PUT", "/fuzz-bucket?cors", {}, b"<<<", 400, "MalformedXML"),
    ("s3", "POST", "/fuzz-bucket?delete", {}, b"<Delete><Object>", 400, "MalformedXML"),
    ("kms", "POST", "/", {"X-Amz-Target": "TrentService.CreateKey"}, b"{", 400, "SerializationException"),
    ("kms", "POST", "/", {"X-Amz-Target": "TrentService.CreateKey"}, b"[" * 100000, 400, "SerializationException"),
    ("kms", "POST", "/", {"X-Amz-Target": "TrentService.CreateKey"}, b'{"Description": "\xff"}', 400,
     "SerializationException"),
    ("kms", "POST", "/", {"X-Amz-Target": "TrentService.CreateKey"},
     json.dumps({"Description": "d" * 8193}).encode(), 400, "ValidationException"),
    ("kms", "POST", "/", {"X-Amz-Target": "TrentService.Frobnicate"}, b"{}", 400, "UnknownOperationException"),
    ("logs", "POST", "/", {"X-Amz-Target": "Logs_20140328.CreateLogGroup"}, b'{"logGroupName":', 400,
     "SerializationException"),
    ("lambda", "POST", "/2015-03-31/functions", {}, b'{"a":' * 50000, 400, "SerializationException"),
    ("apigateway", "POST", "/restapis", {}, b"{", 400, "SerializationException"),
    ("iam", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
     b"Action=Frobnicate&Version=2010-05-08", 400, "InvalidAction"),
    ("iam", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
     b"Action=CreateUser&UserName=\xff&Version=2010-05-08", 400, "MalformedQueryString"),
    ("monitoring", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
     b"Action=Nope&Version=2010-08-01", 400, "InvalidAction"),
    ("bedrock", "POST", "/model/amazon.nova-micro-v1:0/converse", {"Content-Type": "application/json"},
     b"[" * 100000, 400, "SerializationException"),
]


@pytest.mark.parametrize("service,method,path,headers,body,status,code", KNOWN,
                         ids=[f"{k[0]}-{k[6]}-{i}" for i, k in enumerate(KNOWN)])
def test_known_bad_input_gets_its_aws_error(cloud, aws, service, method, path, headers, body, status, code):
    aws("s3").create_bucket(Bucket="fuzz-bucket")
    before = cloud.journal.count
    got, answer_headers, answer = send(cloud, method, path, sign(cloud, service, method, path, headers, body), body)
    assert (got, _error_code(answer_headers, answer)) == (status, code), answer[:300]
    assert_well_answered(cloud, got, answer_headers, answer, None, before, f"{service} {path}")


@pytest.mark.parametrize("authorization,code", [
    ("AWS4-HMAC-SHA256 garbage", "AuthorizationHeaderMalformed"),
    ("Bearer abc", "AuthorizationHeaderMalformed"),
])
def test_garbage_signatures_on_s3_are_refused(cloud, authorization, code):
    status, headers, body = send(cloud, "GET", "/", {"Authorization": authorization}, b"")
    assert status == 400 and _error_code(headers, body) == code


def test_garbage_signature_on_a_json_service_is_incomplete_signature(cloud):
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request",
               "X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"}
    status, answer_headers, body = send(cloud, "POST", "/", headers, b"{}")
    assert status == 400 and answer_headers["x-amzn-errortype"] == "IncompleteSignatureException"
    assert b"requires 'Signature' parameter" in body


def test_a_50_mb_lambda_payload_is_refused_with_aws_error(cloud, aws):
    lam = aws("lambda")
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName="anything", Payload=b'"' + b"x" * (50 * 1024 * 1024) + b'"')
    error = refused.value.response["Error"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Code"] == "RequestEntityTooLargeException"
    assert error["Message"] == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName="anything", InvocationType="Event", Payload=b'"' + b"x" * (2 * 1024 * 1024) + b'"')
    assert refused.value.response["Error"]["Message"] == (
        "Request must be smaller than 1048576 bytes for the InvokeFunction operation")
    assert cloud.journal.count == 0


def test_an_8193_character_kms_description_is_refused_through_boto3(cloud, aws):
    kms = aws("kms")
    with pytest.raises(ClientError) as refused:
        kms.create_key(Description="d" * 8193)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 8192" in refused.value.response["Error"]["Message"]
    assert kms.list_keys()["Keys"] == [] and kms.create_key(Description="d" * 8192)["KeyMetadata"]["KeyId"]


# -- hypothesis ---------------------------------------------------------------------------------------------------------
@st.composite
def requests(draw, admin_routes: list, execute_paths: list):
    rng = random.Random(draw(st.integers(0, 2**32)))
    kind = draw(st.sampled_from(["operation"] * 6 + ["admin", "execute"]))
    body_kind = draw(st.sampled_from(sorted(BODIES)))
    body = BODIES[body_kind](rng)
    ctype = draw(st.sampled_from(CONTENT_TYPES))
    headers = {"Content-Type": ctype} if ctype else {}
    op_model = None
    if kind == "operation":
        model, op_name = draw(st.sampled_from(OPERATIONS))
        op_model = model.operation_model(op_name)
        method = op_model.http.get("method", "POST")
        path, query = _path_for(op_model, rng)
        protocol = model.metadata.get("protocol")
        if protocol == "json" or "json" in (model.metadata.get("protocols") or []) and rng.random() < 0.5:
            headers["X-Amz-Target"] = f"{model.metadata.get('targetPrefix')}.{op_name}"
            method, path, query = "POST", "/", {}
        elif protocol in ("query", "ec2") or "query" in (model.metadata.get("protocols") or []):
            method, path = "POST", "/"
            if body_kind != "form":
                body = f"Action={op_name}&Version={model.api_version}&".encode() + body
        if query:
            path += "?" + "&".join(f"{k}={quote(v)}" if v else k for k, v in query.items())
        auth = draw(st.sampled_from(AUTH))
        if auth == "signed":
            headers = sign_for(model, method, path, headers, body)
        elif _auth_header(auth, rng) is not None:
            headers["Authorization"] = _auth_header(auth, rng)
        what = f"{model.service_name}.{op_name} {method} {path[:80]} body={body_kind} auth={auth} ctype={ctype}"
    elif kind == "admin":
        method, path = draw(st.sampled_from(admin_routes))
        headers.update(draw(st.sampled_from([{}, {"X-Gailab-Admin-Token": "nope"}, {"Origin": "https://evil.example"}])))
        what = f"admin {method} {path} body={body_kind} ctype={ctype}"
    else:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]))
        path = draw(st.sampled_from(execute_paths))
        what = f"execute {method} {path} body={body_kind} ctype={ctype}"
    return method, path, headers, body, op_model, what


_endpoint_holder: dict = {}


def sign_for(model, method, path, headers, body):
    return sign(_endpoint_holder["cloud"], _signing_name(model), method, path, headers, body)


def _execute_paths(cloud, aws) -> list[str]:
    apigw = aws("apigateway")
    api = apigw.create_rest_api(name="fuzz-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="ANY", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api, resourceId=root, httpMethod="ANY", statusCode="200")
    apigw.put_integration_response(restApiId=api, resourceId=root, httpMethod="ANY", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api, stageName="dev")
    return [f"/_aws/execute-api/{api}/dev/", f"/_aws/execute-api/{api}/dev/%ff/x", f"/_aws/execute-api/{api}/nostage",
            f"/restapis/{api}/dev/_user_request_/", "/_aws/execute-api/missing/dev/", "/restapis/x/y/_user_request_/z"]


def test_fuzzed_requests_never_break_the_cloud(cloud, aws):
    _endpoint_holder["cloud"] = cloud
    admin_routes = sorted(cloud.router.admin_routes)
    assert ("POST", "/_gailab/reset") in admin_routes and len(OPERATIONS) > 500
    execute_paths = _execute_paths(cloud, aws)

    @settings(max_examples=400, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(admin_routes, execute_paths))
    def fuzz(request):
        method, path, headers, body, op_model, what = request
        before = cloud.journal.count
        status, answer_headers, answer = send(cloud, method, path, headers, body)
        assert_well_answered(cloud, status, answer_headers, answer, op_model, before, what)

    fuzz()
