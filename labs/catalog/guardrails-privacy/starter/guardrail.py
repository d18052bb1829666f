"""The guardrail and the invocation logs of the lab guardrails-privacy. Fill in each TODO, then run:
   O guardrail e os logs de invocação do lab guardrails-privacy. Complete cada TODO e rode:

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
#         sensitiveInformationPolicyConfig={...EMAIL, PHONE and a CPF regex, all ANONYMIZE...},
#         topicPolicyConfig={...a DENY topic on investment advice, defined by meaning, with examples...},
#         contentPolicyConfig={...PROMPT_ATTACK...}, contextualGroundingPolicyConfig={...GROUNDING...}),
#         then bedrock.create_guardrail_version(...). Try it: runtime.apply_guardrail(..., source="INPUT", ...).

# TODO 2: let genai-lambda-role call bedrock:ApplyGuardrail on the guardrail's ARN, and add GUARDRAIL_ID and
#         GUARDRAIL_VERSION to genai-summarize's environment (keep MODEL_ID).
#         deixe a genai-lambda-role chamar bedrock:ApplyGuardrail no ARN do guardrail e acrescente GUARDRAIL_ID e
#         GUARDRAIL_VERSION ao ambiente da genai-summarize (mantenha o MODEL_ID).

# TODO 3: the log group /genai/bedrock-invocations encrypted with alias/genai-lab (logs.create_log_group with
#         kmsKeyId = the key's ARN), a role Bedrock assumes to write to it, and
#         bedrock.put_model_invocation_logging_configuration(loggingConfig={"cloudWatchConfig": {...},
#         "textDataDeliveryEnabled": True}).
