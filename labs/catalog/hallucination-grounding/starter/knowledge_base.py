"""
[en] The Knowledge Base part of the lab hallucination-grounding. Fill in each TODO, then run:
[pt-BR] A parte da base de conhecimento do lab hallucination-grounding. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python knowledge_base.py
"""

import json
import time

import boto3

REGION, ACCOUNT = "us-east-1", "123456789012"
EMBED_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"
MODEL_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-micro-v1:0"

iam = boto3.client("iam")
agent = boto3.client("bedrock-agent")
agent_runtime = boto3.client("bedrock-agent-runtime")

# [en] TODO 1: the service role genai-kb-role: trust bedrock.amazonaws.com; allow s3:ListBucket on genai-outputs,
# [en]         s3:GetObject on genai-outputs/docs/*, kms:Decrypt on the lab key and bedrock:InvokeModel on EMBED_ARN.
# [pt-BR] TODO 1: o perfil de serviço genai-kb-role: confia em bedrock.amazonaws.com; permite s3:ListBucket no
# [pt-BR]         genai-outputs, s3:GetObject em genai-outputs/docs/*, kms:Decrypt na chave do lab e bedrock:InvokeModel
# [pt-BR]         em EMBED_ARN.

# TODO 2: agent.create_knowledge_base(name="genai-kb", roleArn=..., knowledgeBaseConfiguration={"type": "VECTOR",
#         "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBED_ARN}}, storageConfiguration={...})
# [en]         (an OpenSearch Serverless collection ARN, index name and field mapping; see the instructions)
# [pt-BR]         (o ARN de uma coleção do OpenSearch Serverless, o nome do índice e o mapeamento de campos; veja as
# [pt-BR]         instruções)

# [en] TODO 3: agent.create_data_source(...) on arn:aws:s3:::genai-outputs with inclusionPrefixes ["docs/"] and a
# [en]         vectorIngestionConfiguration.chunkingConfiguration; then start_ingestion_job and poll get_ingestion_job
# [en]         until COMPLETE.
# [pt-BR] TODO 3: agent.create_data_source(...) em arn:aws:s3:::genai-outputs com inclusionPrefixes ["docs/"] e uma
# [pt-BR]         vectorIngestionConfiguration.chunkingConfiguration; depois start_ingestion_job e consulte
# [pt-BR]         get_ingestion_job até COMPLETE.

# TODO 4: agent_runtime.retrieve_and_generate(input={"text": "..."}, retrieveAndGenerateConfiguration={"type":
#         "KNOWLEDGE_BASE", "knowledgeBaseConfiguration": {"knowledgeBaseId": ..., "modelArn": MODEL_ARN}})
# [en]         and print the answer and each citation's S3 location.
# [pt-BR]         e imprima a resposta e a localização no S3 de cada citação.
