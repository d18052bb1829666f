"""Reference solution of guardrails-privacy (boto3). Builds on lambda-prompt-function (genai-summarize, its role
genai-lambda-role, the key alias/genai-lab). Safe to run twice.

1. the guardrail genai-guardrail: e-mail, phone and CPF anonymised, a denied topic (investment advice), prompt
   attacks, contextual grounding;
2. genai-summarize passes every text through it (ApplyGuardrail, then Converse with guardrailConfig);
3. model invocation logging to /genai/bedrock-invocations, a log group encrypted with the lab key.
"""

import json
import os
import shutil
from pathlib import Path

import boto3

from gailab.labs.deploy import deploy_from_env
from gailab.labs.quiz import answer_from_env

REGION, ACCOUNT = "us-east-1", "123456789012"
NAME, FUNCTION, ROLE = "genai-guardrail", "genai-summarize", "genai-lambda-role"
LOG_GROUP, LOGGING_ROLE = "/genai/bedrock-invocations", "genai-bedrock-logging-role"

bedrock = boto3.client("bedrock", region_name=REGION)
iam = boto3.client("iam", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
lam = boto3.client("lambda", region_name=REGION)
logs = boto3.client("logs", region_name=REGION)

# 1. The guardrail.
policy = dict(
    blockedInputMessaging="Desculpe, não posso ajudar com esse pedido.",
    blockedOutputsMessaging="Desculpe, a resposta foi bloqueada pelas políticas da empresa.",
    sensitiveInformationPolicyConfig={
        "piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}, {"type": "PHONE", "action": "ANONYMIZE"}],
        "regexesConfig": [{"name": "CPF", "description": "CPF, com ou sem pontos e hífen",
                           "pattern": r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", "action": "ANONYMIZE"}],
    },
    topicPolicyConfig={"topicsConfig": [{
        "name": "Aconselhamento de investimentos", "type": "DENY",
        "definition": "Recomendações personalizadas sobre onde aplicar dinheiro: quais ações, fundos, títulos ou "
                      "criptomoedas comprar ou vender.",
        "examples": ["Em quais ações devo investir este ano?", "Vale a pena comprar bitcoin agora?",
                     "Qual fundo você me recomenda para a minha reserva?"],
    }]},
    contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
    contextualGroundingPolicyConfig={"filtersConfig": [{"type": "GROUNDING", "threshold": 0.75},
                                                       {"type": "RELEVANCE", "threshold": 0.5}]},
)
found = next((g for g in bedrock.list_guardrails()["guardrails"] if g["name"] == NAME), None)
if found:
    guardrail_id = found["id"]
    bedrock.update_guardrail(guardrailIdentifier=guardrail_id, name=NAME, **policy)
else:
    guardrail_id = bedrock.create_guardrail(name=NAME, **policy)["guardrailId"]
version = bedrock.create_guardrail_version(guardrailIdentifier=guardrail_id, description="lab")["version"]

# 2. The function calls Bedrock through the guardrail: the role may apply it, the handler uses it.
key_arn = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]["Arn"]
guardrail_arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/{guardrail_id}"
iam.put_role_policy(RoleName=ROLE, PolicyName="apply-guardrail", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": guardrail_arn}]}))
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
shutil.copy(Path(__file__).with_name("lambda_function.py"), workspace / "lambda_function.py")
deploy_from_env()
config = lam.get_function_configuration(FunctionName=FUNCTION)
variables = dict(config.get("Environment", {}).get("Variables", {}), GUARDRAIL_ID=guardrail_id,
                 GUARDRAIL_VERSION=version)
lam.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": variables})
lam.get_waiter("function_updated_v2").wait(FunctionName=FUNCTION)

# 3. Invocation logging into a log group encrypted with the lab key, written by a role Bedrock assumes.
try:
    logs.create_log_group(logGroupName=LOG_GROUP, kmsKeyId=key_arn)
except logs.exceptions.ResourceAlreadyExistsException:
    logs.associate_kms_key(logGroupName=LOG_GROUP, kmsKeyId=key_arn)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
try:
    iam.create_role(RoleName=LOGGING_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
except iam.exceptions.EntityAlreadyExistsException:
    pass
iam.put_role_policy(RoleName=LOGGING_ROLE, PolicyName="write-invocation-logs", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}:log-stream:aws/bedrock/modelinvocations"}]}))
bedrock.put_model_invocation_logging_configuration(loggingConfig={
    "cloudWatchConfig": {"logGroupName": LOG_GROUP, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/{LOGGING_ROLE}"},
    "textDataDeliveryEnabled": True, "imageDataDeliveryEnabled": False, "embeddingDataDeliveryEnabled": False})

# A try: a CPF goes in, only {CPF} reaches the model and the logs.
answer = json.loads(lam.invoke(FunctionName=FUNCTION, Payload=json.dumps(
    {"text": "A cliente de CPF 123.456.789-09 (ana@exemplo.com.br) pediu a segunda via da fatura."}))["Payload"].read())
print("guarded:", answer)

answer_from_env()
