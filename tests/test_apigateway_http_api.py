"""HTTP APIs (API Gateway v2): routes, $default, Lambda proxy payload 2.0 and 1.0, permissions."""

from __future__ import annotations

import json

from cloudbuild import http
from gailab.simulator.awslambda.package import ensure_role, zip_handler



V2 = """
import json

def handler(event, context):
    if event.get("rawPath", "").endswith("/plain"):
        return {"just": "data"}
    return {"statusCode": 200, "headers": {"X-Version": event.get("version", "?")}, "cookies": ["s=1"],
            "body": json.dumps({"routeKey": event.get("routeKey"), "rawPath": event.get("rawPath"),
                                "path": event.get("path"), "pathParameters": event.get("pathParameters"),
                                "query": event.get("queryStringParameters"), "body": event.get("body"),
                                "stage": event["requestContext"]["stage"],
                                "method": event["requestContext"].get("http", {}).get("method")
                                          or event["requestContext"].get("httpMethod")})}
"""


def test_http_api_routes_payload_versions_and_permissions(cloud, aws):
    role = ensure_role(aws("iam"), "http-api-role")
    lam = aws("lambda")
    fn_arn = lam.create_function(FunctionName="http-fn", Runtime="python3.12", Role=role,
                                 Handler="lambda_function.handler", Code={"ZipFile": zip_handler(V2)})["FunctionArn"]
    v2 = aws("apigatewayv2")
    api_id = v2.create_api(Name="genai-http", ProtocolType="HTTP")["ApiId"]
    proxy2 = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=fn_arn,
                                   PayloadFormatVersion="2.0")["IntegrationId"]
    proxy1 = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=fn_arn,
                                   PayloadFormatVersion="1.0")["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{proxy2}")
    v2.create_route(ApiId=api_id, RouteKey="ANY /files/{proxy+}", Target=f"integrations/{proxy2}")
    v2.create_route(ApiId=api_id, RouteKey="POST /v1/echo", Target=f"integrations/{proxy1}")
    v2.create_route(ApiId=api_id, RouteKey="GET /plain", Target=f"integrations/{proxy2}")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = f"{cloud.endpoint}/_aws/execute-api/{api_id}"
    assert http("GET", f"{base}/items/7")[0] == 500  # no permission for apigateway.amazonaws.com yet
    lam.add_permission(FunctionName="http-fn", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*")
    status, headers, body = http("GET", f"{base}/items/7?a=1&a=2")
    event = json.loads(body)
    assert status == 200, (headers.get("x-gailab-integration-error"), body)
    assert status == 200 and headers["X-Version"] == "2.0" and headers["Set-Cookie"] == "s=1"
    assert event == {"routeKey": "GET /items/{id}", "rawPath": "/items/7", "path": None,
                     "pathParameters": {"id": "7"}, "query": {"a": "1,2"}, "body": None, "stage": "$default",
                     "method": "GET"}
    event = json.loads(http("DELETE", f"{base}/files/a/b.txt")[2])
    assert event["pathParameters"] == {"proxy": "a/b.txt"} and event["method"] == "DELETE"
    status, headers, body = http("POST", f"{base}/v1/echo", b'{"x": 1}', {"Content-Type": "application/json"})
    event = json.loads(body)
    assert status == 200 and headers["X-Version"] == "1.0" and event["path"] == "/v1/echo"
    assert event["body"] == '{"x": 1}' and event["method"] == "POST"
    status, _, body = http("GET", f"{base}/plain")  # no statusCode: payload 2.0 makes it a 200 JSON body
    assert status == 200 and json.loads(body) == {"just": "data"}
    status, _, body = http("GET", f"{base}/nowhere")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}
    listed = json.loads(http("GET", f"{cloud.endpoint}/_gailab/apis")[2])["apis"]
    assert {"apiId": api_id, "stage": "$default", "protocol": "HTTP"}.items() <= listed[0].items()
    assert listed[0]["url"] == f"{cloud.endpoint}/_aws/execute-api/{api_id}/"


def test_http_api_quick_create_with_the_aws_cli(cloud, aws, aws_env):
    import subprocess
    import sys

    role = ensure_role(aws("iam"), "quick-role")
    lam = aws("lambda")
    fn_arn = lam.create_function(FunctionName="quick", Runtime="python3.12", Role=role,
                                 Handler="lambda_function.handler",
                                 Code={"ZipFile": zip_handler("def handler(e, c):\n    return {'hi': e['rawPath']}\n")}
                                 )["FunctionArn"]
    done = subprocess.run([sys.executable, "-m", "awscli", "apigatewayv2", "create-api", "--name", "quick",
                           "--protocol-type", "HTTP", "--target", fn_arn], env=aws_env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    api_id = json.loads(done.stdout)["ApiId"]
    lam.add_permission(FunctionName="quick", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    status, _, body = http("GET", f"{cloud.endpoint}/_aws/execute-api/{api_id}/anything/at/all")
    assert status == 200 and json.loads(body) == {"hi": "/anything/at/all"}
