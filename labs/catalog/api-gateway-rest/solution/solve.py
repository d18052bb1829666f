"""Reference solution of api-gateway-rest (boto3): the proxy-aware handler, then the REST API genai-api with
POST /summarize proxied to genai-summarize, the invoke permission scoped to this API, and the stage prod.
Safe to run twice."""

import os
import shutil
from pathlib import Path

import boto3

from gailab.labs.deploy import deploy_from_env

REGION, ACCOUNT = "us-east-1", "123456789012"
FUNCTION, API = "genai-summarize", "genai-api"

apigw = boto3.client("apigateway", region_name=REGION)
lam = boto3.client("lambda", region_name=REGION)

# 1. The handler that speaks the proxy integration's contract, deployed as the app's Ctrl+D does.
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
shutil.copy(Path(__file__).with_name("lambda_function.py"), workspace / "lambda_function.py")
deploy_from_env()

# 2. The REST API, its resource and method, and the Lambda proxy integration.
api_id = next((a["id"] for a in apigw.get_rest_apis()["items"] if a["name"] == API), None)
if api_id is None:
    api_id = apigw.create_rest_api(name=API, endpointConfiguration={"types": ["REGIONAL"]})["id"]
resources = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=api_id)["items"]}
resource_id = resources.get("/summarize") or apigw.create_resource(
    restApiId=api_id, parentId=resources["/"], pathPart="summarize")["id"]
try:
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="POST", authorizationType="NONE")
except apigw.exceptions.ConflictException:
    pass
function_arn = lam.get_function(FunctionName=FUNCTION)["Configuration"]["FunctionArn"]
apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="POST", type="AWS_PROXY",
                      integrationHttpMethod="POST",
                      uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations")

# 3. Only this API's POST /summarize may invoke the function.
source_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*/POST/summarize"
try:
    lam.remove_permission(FunctionName=FUNCTION, StatementId="apigateway-genai-api")
except lam.exceptions.ResourceNotFoundException:
    pass
lam.add_permission(FunctionName=FUNCTION, StatementId="apigateway-genai-api", Action="lambda:InvokeFunction",
                   Principal="apigateway.amazonaws.com", SourceArn=source_arn)

# 4. A deployment on the stage prod: what is not deployed is not served.
apigw.create_deployment(restApiId=api_id, stageName="prod")
print(f"api-gateway-rest solved: POST {os.environ.get('AWS_ENDPOINT_URL', '')}/restapis/{api_id}/prod/_user_request_/summarize")
