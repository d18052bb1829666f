#!/usr/bin/env bash
# [en] Your script for the lab api-gateway-rest. Fill in each TODO, then run: bash setup_api.sh
# [en] (safe to run again: it reuses what exists)
# [pt-BR] Seu script para o lab api-gateway-rest. Complete cada TODO e depois rode: bash setup_api.sh
# [pt-BR] (pode rodar de novo: ele reaproveita o que já existe)
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

# [en] TODO 1: the resource /summarize under the root (aws apigateway create-resource --path-part summarize);
# [en]         keep its id in RESOURCE_ID.
# [pt-BR] TODO 1: o recurso /summarize abaixo da raiz (aws apigateway create-resource --path-part summarize);
# [pt-BR]         guarde o ID dele em RESOURCE_ID.

# [en] TODO 2: the method POST on it, with no authorization (put-method --authorization-type NONE).
# [pt-BR] TODO 2: o método POST nele, sem autorização (put-method --authorization-type NONE).

# [en] TODO 3: the Lambda proxy integration (put-integration --type AWS_PROXY --integration-http-method POST
# [pt-BR] TODO 3: a integração de proxy do Lambda (put-integration --type AWS_PROXY --integration-http-method POST
#         --uri "arn:aws:apigateway:$REGION:lambda:path/2015-03-31/functions/$FUNCTION_ARN/invocations").

# [en] TODO 4: let only this API's POST /summarize invoke the function (aws lambda add-permission
# [pt-BR] TODO 4: permita que só o POST /summarize desta API invoque a função (aws lambda add-permission
#         --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$API_ID/*/POST/summarize").

# [en] TODO 5: deploy it to the stage prod (aws apigateway create-deployment --stage-name prod).
# [pt-BR] TODO 5: implante a API no estágio prod (aws apigateway create-deployment --stage-name prod).
