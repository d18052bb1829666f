"""ImportRestApi and PutRestApi take Swagger 2.0 and OpenAPI 3 as API Gateway does (what chalice deploy sends)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from botocore.exceptions import ClientError

from gailab.simulator.awslambda.package import ensure_role, zip_handler

HANDLER = ("import json\ndef handler(event, context):\n"
           "    return {'statusCode': 200, 'body': json.dumps({'path': event['path'], "
           "'name': (event.get('pathParameters') or {}).get('name')})}\n")


def _function(aws) -> str:
    lam = aws("lambda")
    arn = lam.create_function(FunctionName="chalice-app", Runtime="python3.12", Role=ensure_role(aws("iam"), "app-role"),
                              Handler="lambda_function.handler", Code={"ZipFile": zip_handler(HANDLER)})["FunctionArn"]
    lam.add_permission(FunctionName="chalice-app", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def swagger(uri: str) -> dict:
    """The shape chalice writes: Swagger 2.0, no info.description, lower-case aws_proxy, path-level parameters."""
    integration = {"responses": {"default": {"statusCode": "200"}}, "uri": uri, "passthroughBehavior": "when_no_match",
                   "httpMethod": "POST", "contentHandling": "CONVERT_TO_TEXT", "type": "aws_proxy"}
    return {
        "swagger": "2.0", "info": {"version": "1.0", "title": "chalice-app"}, "schemes": ["https"],
        "paths": {
            "/": {"get": {"consumes": ["application/json"], "produces": ["application/json"],
                          "responses": {"200": {"description": "200 response",
                                                "schema": {"$ref": "#/definitions/Empty"}}},
                          "x-amazon-apigateway-integration": integration}},
            "/hello/{name}": {"parameters": [{"name": "name", "in": "path", "required": True, "type": "string"}],
                              "get": {"responses": {"200": {"description": "ok"}},
                                      "x-amazon-apigateway-integration": integration}},
        },
        "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
        "x-amazon-apigateway-binary-media-types": ["application/octet-stream"],
    }


def test_swagger_2_without_a_description_imports_and_serves(cloud, aws):
    apigw = aws("apigateway")
    api = apigw.import_rest_api(body=json.dumps(swagger(_function(aws))).encode())
    assert api["name"] == "chalice-app" and "description" not in api
    assert api["binaryMediaTypes"] == ["application/octet-stream"]
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
    assert paths == ["/", "/hello", "/hello/{name}"]
    apigw.create_deployment(restApiId=api["id"], stageName="api")
    with urllib.request.urlopen(f"{cloud.endpoint}/_aws/execute-api/{api['id']}/api/hello/ana") as reply:
        assert json.loads(reply.read()) == {"path": "/hello/ana", "name": "ana"}


def test_openapi_3_in_yaml_through_the_aws_cli_and_put_rest_api_overwrites(cloud, aws, aws_env, tmp_path):
    uri = _function(aws)
    document = tmp_path / "api.yaml"
    document.write_text(f"""openapi: 3.0.1
info:
  title: yaml-api
  description: from YAML
  version: '1'
paths:
  /items:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: AWS_PROXY
        httpMethod: POST
        uri: {uri}
""")
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", "import-rest-api", "--body",
                           f"fileb://{document}"], env=aws_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    api = json.loads(done.stdout)
    assert api["name"] == "yaml-api" and api["description"] == "from YAML"
    apigw = aws("apigateway")
    methods = {r["path"]: sorted(r.get("resourceMethods", {})) for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert methods["/items"] == ["ANY"]
    apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(swagger(uri)).encode())
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
    assert paths == ["/", "/hello", "/hello/{name}"]


@pytest.mark.parametrize("body,words", [
    (b"", "empty"),
    (b"[1, 2]", "OpenAPI 3.x or Swagger 2.0 document"),
    (b'{"openapi": "2.5", "info": {"title": "x"}, "paths": {}}', "API Gateway imports OpenAPI 3.x"),
    (b'{"swagger": "2.0", "paths": {}}', "info.title"),
    (b"key: [unclosed", "neither JSON nor YAML"),
])
def test_a_body_that_is_no_api_document_is_a_bad_request(cloud, aws, body, words):
    with pytest.raises(ClientError) as refused:
        aws("apigateway").import_rest_api(body=body)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert words in refused.value.response["Error"]["Message"]
    assert aws("apigateway").get_rest_apis()["items"] == []
