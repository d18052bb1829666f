"""
[en] The guardrail and the invocation logs of the lab guardrails-privacy. Fill in each TODO, then run:
[pt-BR] A barreira de proteção (guardrail) e os logs de invocação do lab guardrails-privacy. Complete cada TODO e
[pt-BR] depois rode:

    eval "$(gailab env)"
    python guardrail.py
"""

import json

import boto3

bedrock = boto3.client("bedrock")
runtime = boto3.client("bedrock-runtime")
iam = boto3.client("iam")
kms = boto3.client("kms")
logs = boto3.client("logs")
lam = boto3.client("lambda")

# TODO 1: bedrock.create_guardrail(name="genai-guardrail", blockedInputMessaging=..., blockedOutputsMessaging=...,
# [en]         sensitiveInformationPolicyConfig={...EMAIL, PHONE and a CPF regex, all ANONYMIZE...},
# [en]         topicPolicyConfig={...a DENY topic on investment advice, defined by meaning, with examples...},
# [pt-BR]         sensitiveInformationPolicyConfig={...EMAIL, PHONE e uma regex de CPF, todos com ANONYMIZE...},
# [pt-BR]         topicPolicyConfig={...um tópico DENY sobre recomendação de investimentos, definido pelo sentido,
# [pt-BR]         com exemplos...},
#         contentPolicyConfig={...PROMPT_ATTACK...}, contextualGroundingPolicyConfig={...GROUNDING...}),
# [en]         then bedrock.create_guardrail_version(...). Try it: runtime.apply_guardrail(..., source="INPUT", ...).
# [pt-BR]         e depois bedrock.create_guardrail_version(...). Teste: runtime.apply_guardrail(..., source="INPUT", ...).

# [en] TODO 2: let genai-lambda-role call bedrock:ApplyGuardrail on the guardrail's ARN, and add GUARDRAIL_ID and
# [en]         GUARDRAIL_VERSION to genai-summarize's environment (keep MODEL_ID).
# [pt-BR] TODO 2: permita que o perfil genai-lambda-role chame bedrock:ApplyGuardrail no ARN do guardrail e acrescente
# [pt-BR]         GUARDRAIL_ID e GUARDRAIL_VERSION às variáveis de ambiente da função genai-summarize (mantenha o
# [pt-BR]         MODEL_ID).

# [en] TODO 3: the log group /genai/bedrock-invocations encrypted with alias/genai-lab (logs.create_log_group with
# [en]         kmsKeyId = the key's ARN), a role Bedrock assumes to write to it, and
# [pt-BR] TODO 3: o grupo de logs /genai/bedrock-invocations criptografado com alias/genai-lab (logs.create_log_group
# [pt-BR]         com kmsKeyId = o ARN da chave), um perfil que o Bedrock assume para gravar nele, e
#         bedrock.put_model_invocation_logging_configuration(loggingConfig={"cloudWatchConfig": {...},
#         "textDataDeliveryEnabled": True}).
