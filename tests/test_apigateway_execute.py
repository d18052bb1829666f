"""API Gateway execute-api against the real server: URL forms, routing, integrations, permissions, logs."""

from __future__ import annotations

import json

import pytest

from cloudbuild import http
from gailab.simulator.awslambda.package import ensure_role, zip_handler

ECHO = """
import json

def handler(event, context):
    if event.get("path", "").endswith("/broken"):
        return {"body": {"not": "a string"}}
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Echo": "yes"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps({k: event[k] for k in ("resource", "path", "httpMethod", "pathParameters",
                                                   "queryStringParameters", "multiValueQueryStringParameters",
                                                   "stageVariables", "body", "isBase64Encoded")}
                           | {"stage": event["requestContext"]["stage"],
                              "requestId": event["requestContext"]["requestId"],
                              "header": event["headers"].get("X-Test"),
                              "multi": event["multiValueHeaders"].get("X-Test")}),
    }
"""




def _function(aws, name, source=ECHO):
    role = ensure_role(aws("iam"), "api-fn-role")
    return aws("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                         Handler="lambda_function.handler", Code={"ZipFile": zip_handler(source)},
                                         Timeout=5)["FunctionArn"]


def _uri(fn_arn):
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations"


def _resource(apigw, api_id, parent, part):
    return apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]


def _proxy_method(apigw, api_id, resource_id, verb, fn_arn):
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=_uri(fn_arn))


@pytest.fixture
def proxied_api(cloud, aws):
    apigw = aws("apigateway")
    fn_arn = _function(aws, "api-echo")
    api_id = apigw.create_rest_api(name="genai-api")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    items = _resource(apigw, api_id, root, "items")
    item = _resource(apigw, api_id, items, "{id}")
    files = _resource(apigw, api_id, root, "files")
    rest = _resource(apigw, api_id, files, "{proxy+}")
    broken = _resource(apigw, api_id, root, "broken")
    _proxy_method(apigw, api_id, items, "POST", fn_arn)
    _proxy_method(apigw, api_id, item, "GET", fn_arn)
    _proxy_method(apigw, api_id, rest, "ANY", fn_arn)
    _proxy_method(apigw, api_id, broken, "GET", fn_arn)
    aws("lambda").add_permission(FunctionName="api-echo", StatementId="apigw", Action="lambda:InvokeFunction",
                                 Principal="apigateway.amazonaws.com",
                                 SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*/*/*")
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"env": "production"})
    return api_id


def test_each_url_form_reaches_the_lambda_with_the_proxy_event(cloud, aws, proxied_api):
    api_id = proxied_api
    port = cloud.endpoint.rsplit(":", 1)[1]
    forms = [
        (f"{cloud.endpoint}/_aws/execute-api/{api_id}/prod/items/42?x=1&x=2&y=3", {}),
        (f"{cloud.endpoint}/restapis/{api_id}/prod/_user_request_/items/42?x=1&x=2&y=3", {}),
        (f"{cloud.endpoint}/prod/items/42?x=1&x=2&y=3", {"Host": f"{api_id}.execute-api.localhost:{port}"}),
    ]
    for url, extra in forms:
        status, headers, body = http("GET", url, headers={"X-Test": "hello", **extra})
        assert status == 201, body
        assert headers["X-Echo"] == "yes" and headers["Set-Cookie"] == "a=1, b=2"
        event = json.loads(body)
        assert event["resource"] == "/items/{id}" and event["path"] == "/items/42"
        assert event["httpMethod"] == "GET" and event["pathParameters"] == {"id": "42"}
        assert event["queryStringParameters"] == {"x": "2", "y": "3"}
        assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": ["3"]}
        assert event["stageVariables"] == {"env": "production"} and event["stage"] == "prod"
        assert event["header"] == "hello" and event["multi"] == ["hello"]
        assert event["body"] is None and event["isBase64Encoded"] is False
    status, _, body = http("POST", f"{cloud.endpoint}/_aws/execute-api/{api_id}/prod/items",
                           body=b'{"text": "summarize me"}', headers={"Content-Type": "application/json"})
    event = json.loads(body)
    assert status == 201 and event["body"] == '{"text": "summarize me"}' and event["pathParameters"] is None


def test_greedy_proxy_any_method_and_aws_answers_for_wrong_routes(cloud, aws, proxied_api):
    base = f"{cloud.endpoint}/_aws/execute-api/{proxied_api}"
    for verb in ("GET", "PUT", "DELETE"):
        status, _, body = http(verb, f"{base}/prod/files/a/b/c.txt")
        event = json.loads(body)
        assert status == 201 and event["pathParameters"] == {"proxy": "a/b/c.txt"} and event["httpMethod"] == verb
    for url, verb in ((f"{base}/prod/nowhere", "GET"), (f"{base}/prod/items", "GET"), (f"{base}/dev/items/1", "GET"),
                      (f"{base}/prod/files", "GET")):
        status, headers, body = http(verb, url)
        assert status == 403, url
        assert json.loads(body) == {"message": "Missing Authentication Token"}
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # What is not deployed is not served: a new route answers only after CreateDeployment.
    apigw = aws("apigateway")
    root = next(r["id"] for r in apigw.get_resources(restApiId=proxied_api)["items"] if r["path"] == "/")
    later = _resource(apigw, proxied_api, root, "later")
    _proxy_method(apigw, proxied_api, later, "GET", aws("lambda").get_function(FunctionName="api-echo")[
        "Configuration"]["FunctionArn"])
    assert http("GET", f"{base}/prod/later")[0] == 403
    apigw.create_deployment(restApiId=proxied_api, stageName="prod")
    status, _, body = http("GET", f"{base}/prod/later")
    assert status == 201 and json.loads(body)["stageVariables"] == {"env": "production"}  # the stage keeps them
    status, _, body = http("GET", f"{base}/prod/broken")  # body is not a string: a malformed proxy response
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}
    listed = json.loads(http("GET", f"{cloud.endpoint}/_gailab/apis")[2])["apis"]
    assert [(a["apiId"], a["stage"], a["name"]) for a in listed] == [(proxied_api, "prod", "genai-api")]
    assert listed[0]["url"] == f"{cloud.endpoint}/_aws/execute-api/{proxied_api}/prod/"


def test_missing_lambda_permission_gives_internal_server_error(cloud, aws):
    apigw = aws("apigateway")
    fn_arn = _function(aws, "no-permission")
    api_id = apigw.create_rest_api(name="locked")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    hello = _resource(apigw, api_id, root, "hello")
    _proxy_method(apigw, api_id, hello, "GET", fn_arn)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{cloud.endpoint}/_aws/execute-api/{api_id}/dev/hello"
    status, _, body = http("GET", url)
    assert status == 500 and json.loads(body) == {"message": "Internal server error"}
    # A permission for another API does not help; one for this method does.
    lam = aws("lambda")
    lam.add_permission(FunctionName="no-permission", StatementId="other", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn="arn:aws:execute-api:us-east-1:123456789012:otherapi/*/GET/hello")
    assert http("GET", url)[0] == 500
    lam.add_permission(FunctionName="no-permission", StatementId="this", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*/GET/hello")
    assert http("GET", url)[0] == 201


def test_mock_integration_with_templates_and_access_logs(cloud, aws):
    apigw = aws("apigateway")
    api_id = apigw.create_rest_api(name="mocked")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    status_res = _resource(apigw, api_id, root, "status")
    apigw.put_method(restApiId=api_id, resourceId=status_res, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=status_res, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": $input.params(\'code\')}'})
    apigw.put_method_response(restApiId=api_id, resourceId=status_res, httpMethod="GET", statusCode="200")
    apigw.put_method_response(restApiId=api_id, resourceId=status_res, httpMethod="GET", statusCode="404")
    apigw.put_integration_response(
        restApiId=api_id, resourceId=status_res, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"ok": true, "stage": "$context.stage", "who": "$input.params(\'who\')"}'},
        responseParameters={"method.response.header.X-Mock": "'yes'"})
    apigw.put_integration_response(restApiId=api_id, resourceId=status_res, httpMethod="GET", statusCode="404",
                                   selectionPattern="404", responseTemplates={"application/json": '{"ok": false}'})
    apigw.create_deployment(restApiId=api_id, stageName="test")
    logs = aws("logs")
    logs.create_log_group(logGroupName="api-access")
    apigw.update_stage(restApiId=api_id, stageName="test", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:123456789012:log-group:api-access"},
        {"op": "replace", "path": "/accessLogSettings/format",
         "value": "$context.requestId $context.httpMethod $context.resourcePath $context.status"}])
    base = f"{cloud.endpoint}/_aws/execute-api/{api_id}/test/status"
    status, headers, body = http("GET", f"{base}?code=200&who=ana")
    assert status == 200 and json.loads(body) == {"ok": True, "stage": "test", "who": "ana"}, headers.get("x-gailab-integration-error")
    assert headers["X-Mock"] == "yes"
    status, _, body = http("GET", f"{base}?code=404")
    assert status == 404 and json.loads(body) == {"ok": False}
    events = logs.filter_log_events(logGroupName="api-access")["events"]
    assert [e["message"].split(" ", 1)[1] for e in events] == ["GET /status 200", "GET /status 404"]


def test_aws_integration_to_lambda_with_templates_and_error_mapping(cloud, aws):
    apigw = aws("apigateway")
    source = ("def handler(event, context):\n    if event.get('name') == 'bad':\n"
              "        raise ValueError('Invalid name: bad')\n    return {'greeting': 'hello ' + event['name']}\n")
    fn_arn = _function(aws, "greeter", source)
    aws("lambda").add_permission(FunctionName="greeter", StatementId="apigw", Action="lambda:InvokeFunction",
                                 Principal="apigateway.amazonaws.com")
    api_id = apigw.create_rest_api(name="non-proxy")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    greet = _resource(apigw, api_id, root, "greet")
    apigw.put_method(restApiId=api_id, resourceId=greet, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=greet, httpMethod="POST", type="AWS",
                          integrationHttpMethod="POST", uri=_uri(fn_arn),
                          requestTemplates={"application/json": '{"name": $input.json(\'$.user.name\')}'})
    apigw.put_method_response(restApiId=api_id, resourceId=greet, httpMethod="POST", statusCode="200")
    apigw.put_method_response(restApiId=api_id, resourceId=greet, httpMethod="POST", statusCode="400")
    apigw.put_integration_response(restApiId=api_id, resourceId=greet, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": '{"message": $input.json(\'$.greeting\')}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=greet, httpMethod="POST", statusCode="400",
                                   selectionPattern="Invalid name.*",
                                   responseTemplates={"application/json": '{"error": $input.json(\'$.errorMessage\')}'})
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    url = f"{cloud.endpoint}/_aws/execute-api/{api_id}/v1/greet"
    status, _, body = http("POST", url, json.dumps({"user": {"name": "ana"}}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body) == {"message": "hello ana"}
    status, _, body = http("POST", url, json.dumps({"user": {"name": "bad"}}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 400 and json.loads(body) == {"error": "Invalid name: bad"}


def test_aws_integration_straight_to_the_bedrock_runtime(cloud, aws):
    apigw = aws("apigateway")
    api_id = apigw.create_rest_api(name="direct-bedrock")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    ask = _resource(apigw, api_id, root, "ask")
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    apigw.put_method(restApiId=api_id, resourceId=ask, httpMethod="POST", authorizationType="NONE")
    template = ('{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, '
                '"messages": [{"role": "user", "content": $input.json(\'$.question\')}]}')
    apigw.put_integration(restApiId=api_id, resourceId=ask, httpMethod="POST", type="AWS",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:bedrock-runtime:path/model/{model}/invoke",
                          requestTemplates={"application/json": template})
    apigw.put_method_response(restApiId=api_id, resourceId=ask, httpMethod="POST", statusCode="200")
    apigw.put_integration_response(restApiId=api_id, resourceId=ask, httpMethod="POST", statusCode="200")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, body = http("POST", f"{cloud.endpoint}/_aws/execute-api/{api_id}/prod/ask",
                           json.dumps({"question": "What is a foundation model?"}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 200, body
    answer = json.loads(body)  # the simulated Bedrock's answer, in the Anthropic messages shape
    assert answer["type"] == "message" and answer["content"][0]["text"] and answer["usage"]["input_tokens"] > 0


def test_aws_iam_and_api_key_methods_are_guarded(cloud, aws):
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    apigw = aws("apigateway")
    api_id = apigw.create_rest_api(name="guarded")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    for part, auth, key in (("iam", "AWS_IAM", False), ("keyed", "NONE", True)):
        res = _resource(apigw, api_id, root, part)
        apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET", authorizationType=auth,
                         apiKeyRequired=key)
        apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=api_id, resourceId=res, httpMethod="GET", statusCode="200",
                                       responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    base = f"{cloud.endpoint}/_aws/execute-api/{api_id}/prod"
    assert http("GET", f"{base}/iam")[0] == 403  # unsigned: Missing Authentication Token

    def signed(access, secret, token=None):
        request = AWSRequest(method="GET", url=f"{base}/iam")
        SigV4Auth(boto3.session.Session(access, secret, token).get_credentials(), "execute-api",
                  "us-east-1").add_auth(request)
        return http("GET", f"{base}/iam", headers=dict(request.headers.items()))

    assert signed("test", "test")[0] == 200
    ensure_role(aws("iam"), "caller-role")
    creds = aws("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/caller-role",
                                   RoleSessionName="caller")["Credentials"]
    status, _, body = signed(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert status == 403 and "execute-api:Invoke" in json.loads(body)["Message"]
    assert http("GET", f"{base}/keyed")[0] == 403
    key = apigw.create_api_key(name="student", enabled=True)["value"]
    assert http("GET", f"{base}/keyed", headers={"x-api-key": "wrong"})[0] == 403
    status, _, body = http("GET", f"{base}/keyed", headers={"x-api-key": key})
    assert status == 200 and json.loads(body) == {"ok": True}


def test_test_invoke_method_runs_the_undeployed_method_with_the_aws_cli(cloud, aws, aws_env):
    import subprocess
    import sys

    apigw = aws("apigateway")
    fn_arn = _function(aws, "tested")
    aws("lambda").add_permission(FunctionName="tested", StatementId="apigw", Action="lambda:InvokeFunction",
                                 Principal="apigateway.amazonaws.com")
    api_id = apigw.create_rest_api(name="console-test")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    items = _resource(apigw, api_id, root, "items")
    item = _resource(apigw, api_id, items, "{id}")
    _proxy_method(apigw, api_id, item, "GET", fn_arn)
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", "test-invoke-method", "--rest-api-id", api_id,
                           "--resource-id", item, "--http-method", "GET", "--path-with-query-string", "/items/9?q=x",
                           "--headers", "X-Test=cli"], env=aws_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == 201 and "Method completed with status: 201" in answer["log"]
    event = json.loads(answer["body"])
    assert event["pathParameters"] == {"id": "9"} and event["queryStringParameters"] == {"q": "x"}
    assert event["header"] == "cli" and event["stage"] == "test-invoke-stage"


AUTHORIZER = """
def handler(event, context):
    token = event["authorizationToken"]
    if token == "boom":
        raise Exception("Unauthorized")
    effect = "Allow" if token == "let-me-in" else "Deny"
    return {"principalId": "student-1", "context": {"plan": "free"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
"""

CONTEXT_ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
"""


def test_lambda_token_authorizer_guards_a_method(cloud, aws):
    apigw = aws("apigateway")
    lam = aws("lambda")
    auth_arn = _function(aws, "token-authorizer", AUTHORIZER)
    fn_arn = _function(aws, "secured", CONTEXT_ECHO)
    api_id = apigw.create_rest_api(name="secured-api")["id"]
    authorizer = apigw.create_authorizer(restApiId=api_id, name="tokens", type="TOKEN", authorizerUri=_uri(auth_arn),
                                         identitySource="method.request.header.Authorization")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    secret = _resource(apigw, api_id, root, "secret")
    apigw.put_method(restApiId=api_id, resourceId=secret, httpMethod="GET", authorizationType="CUSTOM",
                     authorizerId=authorizer)
    apigw.put_integration(restApiId=api_id, resourceId=secret, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=_uri(fn_arn))
    for name in ("token-authorizer", "secured"):
        lam.add_permission(FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = f"{cloud.endpoint}/_aws/execute-api/{api_id}/prod/secret"
    assert http("GET", url)[0] == 401
    assert http("GET", url, headers={"Authorization": "boom"})[0] == 401
    status, _, body = http("GET", url, headers={"Authorization": "nope"})
    assert status == 403 and "explicit deny" in json.loads(body)["Message"]
    status, _, body = http("GET", url, headers={"Authorization": "let-me-in"})
    assert status == 200 and json.loads(body) == {"plan": "free", "principalId": "student-1"}
