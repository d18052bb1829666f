"""
[en] Your script for the lab bedrock-first-call. Fill in each TODO, then run:
[pt-BR] Seu script para o lab bedrock-first-call. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python first_call.py
    gailab grade bedrock-first-call
"""

import json

import boto3

bedrock = boto3.client("bedrock", region_name="us-east-1")
runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# [en] TODO 1: list the models whose output modality is TEXT (bedrock.list_foundation_models) and print their ids.
# [pt-BR] TODO 1: liste os modelos cuja modalidade de saída é TEXT (bedrock.list_foundation_models) e imprima os IDs.

# [en] TODO 2: call a Claude model with runtime.invoke_model and the Messages API body:
# [pt-BR] TODO 2: chame um modelo Claude com runtime.invoke_model e o corpo da API Messages:
#   {"anthropic_version": "bedrock-2023-05-31", "max_tokens": ..., "temperature": ..., "messages": [...]}
# [en]   Keep temperature <= 0.3 and max_tokens <= 300. Keep the request id (answer["ResponseMetadata"]["RequestId"])
# [en]   and usage.input_tokens / usage.output_tokens.
# [pt-BR]   Mantenha temperature <= 0,3 e max_tokens <= 300. Guarde o ID da requisição
# [pt-BR]   (answer["ResponseMetadata"]["RequestId"]) e usage.input_tokens / usage.output_tokens.

# [en] TODO 3: call amazon.nova-micro-v1:0 (or a Titan text model) with runtime.converse. Keep its request id and usage.
# [pt-BR] TODO 3: chame amazon.nova-micro-v1:0 (ou um modelo de texto Titan) com runtime.converse. Guarde o ID da
# [pt-BR]         requisição e o usage.

# [en] TODO 4: compute each call's cost from the catalog's prices per 1,000 tokens
# [en]         ($AWS_ENDPOINT_URL/_gailab/bedrock/models) and write
# [pt-BR] TODO 4: calcule o custo de cada chamada com os preços por 1.000 tokens do catálogo
# [pt-BR]         ($AWS_ENDPOINT_URL/_gailab/bedrock/models) e grave
#   {"invocations": [{"requestId": ..., "modelId": ..., "inputTokens": n, "outputTokens": n, "costUsd": x}, ...]}
# [en]   to s3://genai-outputs/outputs/first-call.json
# [pt-BR]   em s3://genai-outputs/outputs/first-call.json
