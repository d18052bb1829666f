"""Your script for the lab bedrock-first-call. Fill in each TODO, then run:
   Seu script para o lab bedrock-first-call. Complete cada TODO e rode:

    eval "$(gailab env)"
    python first_call.py
    gailab grade bedrock-first-call
"""

import json

import boto3

bedrock = boto3.client("bedrock", region_name="us-east-1")
runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# TODO 1: list the models whose output modality is TEXT (bedrock.list_foundation_models) and print their ids.
#         liste os modelos cuja modalidade de saída é TEXT (bedrock.list_foundation_models) e imprima os ids.

# TODO 2: call a Claude model with runtime.invoke_model and the Messages body:
#         chame um modelo Claude com runtime.invoke_model e o corpo da Messages API:
#   {"anthropic_version": "bedrock-2023-05-31", "max_tokens": ..., "temperature": ..., "messages": [...]}
#   Keep temperature <= 0.3 and max_tokens <= 300. Keep the request id (answer["ResponseMetadata"]["RequestId"])
#   and usage.input_tokens / usage.output_tokens.
#   Mantenha temperature <= 0,3 e max_tokens <= 300. Guarde o request id (answer["ResponseMetadata"]["RequestId"])
#   e usage.input_tokens / usage.output_tokens.

# TODO 3: call amazon.nova-micro-v1:0 (or a Titan text model) with runtime.converse. Keep its request id and usage.
#         chame amazon.nova-micro-v1:0 (ou um modelo de texto Titan) com runtime.converse. Guarde o request id e o usage.

# TODO 4: compute each call's cost from the catalog's prices per 1,000 tokens
#         ($AWS_ENDPOINT_URL/_gailab/bedrock/models) and write
#   {"invocations": [{"requestId": ..., "modelId": ..., "inputTokens": n, "outputTokens": n, "costUsd": x}, ...]}
#   to s3://genai-outputs/outputs/first-call.json
#         calcule o custo de cada chamada com os preços por 1.000 tokens do catálogo e grave esse JSON em
#         s3://genai-outputs/outputs/first-call.json
