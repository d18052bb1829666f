#!/usr/bin/env bash
# Your script for the lab api-gateway-rest. Fill in each TODO, then run: bash setup_api.sh
# Seu script para o lab api-gateway-rest. Complete cada TODO e rode: bash setup_api.sh
# (safe to run again: it reuses what exists / pode rodar de novo: reaproveita o que já existe)
set -euo pipefail
REGION=us-east-1
ACCOUNT=123456789012

API_ID=$(aws apigateway get-rest-apis --query "items[?name=='genai-api'].id | [0]" --output text)
if [ "$API_ID" = "None" ]; then
  API_ID=$(aws apigateway create-rest-api --name genai-api --query id --output text)
fi
ROOT_ID=$(aws apigateway get-resources --rest-api-id "$API_ID" --query "items[?path=='/'].id | [0]" --output text)
FUNCTION_ARN=$(aws lambda get-function --function-name genai-summarize --query Configuration.FunctionArn --output text)
echo "API $API_ID, root resource $ROOT_ID, function $FUNCTION_ARN"

# TODO 1: the resource /summarize under the root (aws apigateway create-resource --path-part summarize);
#         keep its id in RESOURCE_ID.
#         o recurso /summarize abaixo da raiz; guarde o id em RESOURCE_ID.

# TODO 2: the method POST on it, with no authorization (put-method --authorization-type NONE).
#         o método POST nele, sem autorização.

# TODO 3: the Lambda proxy integration (put-integration --type AWS_PROXY --integration-http-method POST
#         --uri "arn:aws:apigateway:$REGION:lambda:path/2015-03-31/functions/$FUNCTION_ARN/invocations").
#         a integração de proxy do Lambda.

# TODO 4: let only this API's POST /summarize invoke the function (aws lambda add-permission
#         --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$API_ID/*/POST/summarize").
#         deixe só o POST /summarize desta API invocar a função.

# TODO 5: deploy it to the stage prod (aws apigateway create-deployment --stage-name prod).
#         implante no estágio prod.
