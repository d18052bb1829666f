"""
[en] Your script for the lab bedrock-vs-sagemaker. Fill in each TODO, then run:
[pt-BR] Seu script para o lab bedrock-vs-sagemaker. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python compare.py
    gailab grade bedrock-vs-sagemaker
"""

import json

import boto3

REGION = "us-east-1"
sm = boto3.client("sagemaker", region_name=REGION)
sm_runtime = boto3.client("sagemaker-runtime", region_name=REGION)
bedrock = boto3.client("bedrock", region_name=REGION)
runtime = boto3.client("bedrock-runtime", region_name=REGION)
iam = boto3.client("iam", region_name=REGION)
s3 = boto3.client("s3", region_name=REGION)

kms = boto3.client("kms", region_name=REGION)

# [en] TODO 0: only if you skipped the lab s3-genai-storage: a KMS key with the alias alias/genai-lab, and the bucket
# [en]         genai-outputs with default encryption SSE-KMS by that key (see the instructions).
# [pt-BR] TODO 0: só se você pulou o lab s3-genai-storage: uma chave do KMS com o alias alias/genai-lab e o bucket
# [pt-BR]         genai-outputs com criptografia padrão SSE-KMS por essa chave (veja as instruções).

# [en] TODO 1: role genai-sagemaker-role (trusts sagemaker.amazonaws.com); model, endpoint configuration (ml.g5.2xlarge,
# [en]         1 instance) and endpoint jumpstart-summarizer; wait for InService; invoke_endpoint once.
# [pt-BR] TODO 1: perfil genai-sagemaker-role (confia em sagemaker.amazonaws.com); modelo, configuração de endpoint
# [pt-BR]         (ml.g5.2xlarge, 1 instância) e endpoint jumpstart-summarizer; espere InService; chame invoke_endpoint
# [pt-BR]         uma vez.

# [en] TODO 2: upload train.jsonl to s3://genai-outputs/finetune/train.jsonl; role genai-bedrock-ft-role (trusts
# [en]         bedrock.amazonaws.com); create_model_customization_job on amazon.titan-text-express-v1; wait for Completed.
# [pt-BR] TODO 2: envie train.jsonl para s3://genai-outputs/finetune/train.jsonl; perfil genai-bedrock-ft-role (confia
# [pt-BR]         em bedrock.amazonaws.com); create_model_customization_job no amazon.titan-text-express-v1; espere
# [pt-BR]         Completed.

# [en] TODO 3: create_provisioned_model_throughput(modelId=<custom model ARN>, modelUnits=1); when InService, classify
# [en]         each ticket of test_tickets.json with invoke_model(modelId=<provisioned model ARN>, body={"inputText": ...}).
# [pt-BR] TODO 3: create_provisioned_model_throughput(modelId=<ARN do modelo personalizado>, modelUnits=1); quando
# [pt-BR]         estiver InService, classifique cada chamado do test_tickets.json com
# [pt-BR]         invoke_model(modelId=<ARN do modelo provisionado>, body={"inputText": ...}).

# [en] TODO 4: delete the endpoint and the Provisioned Throughput, read `gailab costs --format json`, and write
# [en]         s3://genai-outputs/reports/compare.json (see the instructions for its keys).
# [pt-BR] TODO 4: exclua o endpoint e o throughput provisionado, leia `gailab costs --format json` e grave
# [pt-BR]         s3://genai-outputs/reports/compare.json (as chaves estão nas instruções).
