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
#   Keep temperature <= 0.3 and max_tokens <= 300. Read usage.input_tokens / usage.output_tokens.
#   Mantenha temperature <= 0.3 e max_tokens <= 300. Leia usage.input_tokens / usage.output_tokens.

# TODO 3: call amazon.nova-micro-v1:0 (or a Titan text model) with runtime.converse. Read usage.
#         chame amazon.nova-micro-v1:0 (ou um modelo de texto Titan) com runtime.converse. Leia o usage.

# TODO 4: write {"invocations": [{"modelId": ..., "inputTokens": n, "outputTokens": n}, ...]}
#   to s3://genai-outputs/outputs/first-call.json
#         grave esse JSON em s3://genai-outputs/outputs/first-call.json
