"""Least privilege: role sessions are judged against the role's policies; the learner's own keys are not."""

from __future__ import annotations

import json

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.iam.policy import evaluate

ACCOUNT = "123456789012"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
MODEL_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"


def _session_clients(cloud, aws, role_name):
    creds = aws("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role_name}",
                                   RoleSessionName="learner-test")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name="us-east-1")
    config = Config(retries={"max_attempts": 1})
    return lambda service: session.client(service, endpoint_url=cloud.endpoint, config=config)


def _error(call):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response


def test_role_session_denied_until_put_role_policy_grants_it(cloud, aws):
    iam = aws("iam")
    ensure_role(iam, "app-role")
    aws("s3").create_bucket(Bucket="genai-outputs")
    role = _session_clients(cloud, aws, "app-role")
    s3 = role("s3")
    denied = _error(lambda: s3.put_object(Bucket="genai-outputs", Key="a.txt", Body=b"x"))
    assert denied["Error"]["Code"] == "AccessDenied"
    assert denied["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert denied["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/learner-test is not authorized to perform: "
        "s3:PutObject on resource: \"arn:aws:s3:::genai-outputs/a.txt\" because no identity-based policy allows "
        "the s3:PutObject action")
    iam.put_role_policy(RoleName="app-role", PolicyName="write-outputs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:Get*"], "Resource": "arn:aws:s3:::genai-outputs/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::genai-outputs"}]}))
    s3.put_object(Bucket="genai-outputs", Key="a.txt", Body=b"x")
    assert s3.get_object(Bucket="genai-outputs", Key="a.txt")["Body"].read() == b"x"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="genai-outputs")["Contents"]] == ["a.txt"]
    assert _error(lambda: s3.delete_object(Bucket="genai-outputs", Key="a.txt"))["Error"]["Code"] == "AccessDenied"
    assert _error(lambda: s3.create_bucket(Bucket="other"))["Error"]["Code"] == "AccessDenied"
    # Other services are judged too, in their own error shape.
    lam = _error(lambda: role("lambda").list_functions())
    assert lam["Error"]["Code"] == "AccessDeniedException" and "lambda:ListFunctions" in lam["Error"]["Message"]
    assert _error(lambda: role("iam").list_roles())["Error"]["Code"] == "AccessDenied"
    # Who am I needs no permission; the learner's own credentials are never restricted.
    assert role("sts").get_caller_identity()["Arn"].endswith("assumed-role/app-role/learner-test")
    aws("s3").delete_object(Bucket="genai-outputs", Key="a.txt")


def test_explicit_deny_notaction_attached_policies_and_wildcards(cloud, aws):
    iam = aws("iam")
    ensure_role(iam, "mixed-role", {"deny-secret": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::data/secret-?.txt"}]}})
    managed = iam.create_policy(PolicyName="s3-data", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["s3:DeleteObject"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}))
    iam.attach_role_policy(RoleName="mixed-role", PolicyArn=managed["Policy"]["Arn"])
    aws("s3").create_bucket(Bucket="data")
    s3 = _session_clients(cloud, aws, "mixed-role")("s3")
    s3.put_object(Bucket="data", Key="public.txt", Body=b"ok")
    denied = _error(lambda: s3.put_object(Bucket="data", Key="secret-1.txt", Body=b"no"))
    assert "with an explicit deny in an identity-based policy" in denied["Error"]["Message"]
    s3.put_object(Bucket="data", Key="secret-12.txt", Body=b"? is one character")
    assert "s3:DeleteObject" in _error(lambda: s3.delete_object(Bucket="data", Key="public.txt"))["Error"]["Message"]


def test_conditions_are_evaluated_or_reported_never_silently_ignored(cloud, aws):
    iam = aws("iam")
    ensure_role(iam, "cond-role", {"p": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}})
    aws("s3").create_bucket(Bucket="cond")
    aws("s3").put_object(Bucket="cond", Key="k", Body=b"v")
    s3 = _session_clients(cloud, aws, "cond-role")("s3")
    assert s3.list_objects_v2(Bucket="cond")["KeyCount"] == 1
    denied = _error(lambda: s3.get_object(Bucket="cond", Key="k"))
    assert "does not evaluate these policy conditions" in denied["Error"]["Message"]
    assert "IpAddress aws:SourceIp" in denied["Error"]["Message"]
    assert "IpAddress aws:SourceIp" in denied["ResponseMetadata"]["HTTPHeaders"]["x-gailab-unevaluated-conditions"]


BEDROCK_HANDLER = """
import json, os, boto3
from botocore.exceptions import ClientError

def handler(event, context):
    client = boto3.client("bedrock-runtime")
    try:
        client.invoke_model(modelId=os.environ["MODEL_ID"], body=json.dumps({
            "anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
            "messages": [{"role": "user", "content": "Say hi"}]}))
    except ClientError as exc:
        return {"error": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"]}
    return {"error": None}
"""


def test_handler_bedrock_call_denied_then_allowed_on_the_model_arn(cloud, aws):
    iam = aws("iam")
    role = ensure_role(iam, "genai-lambda-role", {"logs": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:*:*:*"}]}})
    lam = aws("lambda")
    lam.create_function(FunctionName="genai-summarize", Runtime="python3.12", Role=role,
                        Handler="lambda_function.handler", Code={"ZipFile": zip_handler(BEDROCK_HANDLER)},
                        Environment={"Variables": {"MODEL_ID": MODEL}}, Timeout=10)
    first = json.loads(lam.invoke(FunctionName="genai-summarize")["Payload"].read())
    assert first["error"] == "AccessDeniedException"
    assert first["message"].startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/genai-lambda-role/genai-summarize is not authorized to "
        f"perform: bedrock:InvokeModel on resource: {MODEL_ARN}")
    # Granting another model is not enough; granting this model's ARN is.
    iam.put_role_policy(RoleName="genai-lambda-role", PolicyName="bedrock", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                "Resource": MODEL_ARN.replace("haiku", "sonnet")}]}))
    assert json.loads(lam.invoke(FunctionName="genai-summarize")["Payload"].read())["error"] == "AccessDeniedException"
    iam.put_role_policy(RoleName="genai-lambda-role", PolicyName="bedrock", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                "Resource": MODEL_ARN}]}))
    after = json.loads(lam.invoke(FunctionName="genai-summarize")["Payload"].read())
    assert after["error"] is None, after


def test_policy_evaluation_rules():
    allow_all = ("a", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    deny_bedrock = ("d", {"Statement": {"Effect": "Deny", "Action": "BEDROCK:Invoke*", "Resource": "*"}})
    assert evaluate([allow_all], "s3:GetObject", "arn:aws:s3:::b/k").allowed
    decision = evaluate([allow_all, deny_bedrock], "bedrock:InvokeModel", MODEL_ARN)
    assert not decision.allowed and decision.explicit_deny and decision.policy == "d"
    not_resource = ("n", {"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::private*"}]})
    assert evaluate([not_resource], "s3:GetObject", "arn:aws:s3:::public/x").allowed
    assert not evaluate([not_resource], "s3:GetObject", "arn:aws:s3:::private/x").allowed
    assert not evaluate([], "s3:GetObject", "arn:aws:s3:::b/k").allowed
    conditional_deny = ("c", {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                             "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}}]})
    decision = evaluate([allow_all, conditional_deny], "s3:GetObject", "arn:aws:s3:::b/k")
    assert not decision.allowed and decision.unevaluated == ["c: DateGreaterThan aws:CurrentTime"]
    if_exists = ("e", {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                      "Condition": {"StringEqualsIfExists": {"s3:prefix": "home/"}}}]})
    assert evaluate([if_exists], "s3:ListBucket", "arn:aws:s3:::b").allowed


def test_actions_are_named_for_apis_sharing_a_signing_name(cloud, aws):
    ensure_role(aws("iam"), "narrow-role", {"list": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "bedrock:ListFoundationModels", "Resource": "*"}]}})
    role = _session_clients(cloud, aws, "narrow-role")
    assert role("bedrock").list_foundation_models()["modelSummaries"]
    retrieve = _error(lambda: role("bedrock-agent-runtime").retrieve(
        knowledgeBaseId="KB12345678", retrievalQuery={"text": "q"}))
    assert retrieve["Error"]["Code"] == "AccessDeniedException" and "bedrock:Retrieve " in retrieve["Error"]["Message"]
    endpoint = _error(lambda: role("sagemaker-runtime").invoke_endpoint(EndpointName="ep", Body=b"{}"))
    assert "sagemaker:InvokeEndpoint on resource" in endpoint["Error"]["Message"]


def test_permissions_boundary_and_session_policy_narrow_a_role(cloud, aws):
    iam = aws("iam")
    boundary = iam.create_policy(PolicyName="only-get", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}))["Policy"]["Arn"]
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}), PermissionsBoundary=boundary)
    iam.put_role_policy(RoleName="bounded", PolicyName="all-s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    aws("s3").create_bucket(Bucket="bounded-data")
    aws("s3").put_object(Bucket="bounded-data", Key="k", Body=b"v")
    s3 = _session_clients(cloud, aws, "bounded")("s3")
    assert s3.get_object(Bucket="bounded-data", Key="k")["Body"].read() == b"v"
    denied = _error(lambda: s3.put_object(Bucket="bounded-data", Key="k2", Body=b"v"))
    assert "because no permissions boundary allows the s3:PutObject action" in denied["Error"]["Message"]
    creds = aws("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/bounded", RoleSessionName="narrow",
                                   Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                                       {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Credentials"]
    narrow = boto3.client("s3", endpoint_url=cloud.endpoint, region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
    assert narrow.list_objects_v2(Bucket="bounded-data")["KeyCount"] == 1
    denied = _error(lambda: narrow.get_object(Bucket="bounded-data", Key="k"))
    assert "because no session policy allows the s3:GetObject action" in denied["Error"]["Message"]


def test_function_logs_need_the_roles_logs_permissions(cloud, aws):
    import base64

    iam = aws("iam")
    role = ensure_role(iam, "quiet-role")
    lam = aws("lambda")
    lam.create_function(FunctionName="quiet", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler("def handler(e, c):\n    print('hello logs')\n")})
    response = lam.invoke(FunctionName="quiet", LogType="Tail")
    assert "hello logs" in base64.b64decode(response["LogResult"]).decode()  # the tail comes with the answer
    logs = aws("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/quiet")["logGroups"]
    assert groups == []  # as in AWS: the role may not write logs, so none are written
    iam.attach_role_policy(RoleName="quiet-role",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    lam.invoke(FunctionName="quiet")
    messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/quiet")["events"]]
    assert "hello logs" in messages and any(m.startswith("REPORT RequestId:") for m in messages)


def test_iam_user_keys_are_judged_by_user_and_group_policies(cloud, aws):
    iam = aws("iam")
    iam.create_user(UserName="analyst")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="analyst")
    iam.put_group_policy(GroupName="readers", PolicyName="list", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    s3 = boto3.client("s3", endpoint_url=cloud.endpoint, region_name="us-east-1",
                      aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert s3.list_buckets()["Buckets"] == []
    denied = _error(lambda: s3.create_bucket(Bucket="nope"))
    assert denied["Error"]["Message"].startswith(
        "User: arn:aws:iam::123456789012:user/analyst is not authorized to perform: s3:CreateBucket")
    iam.put_user_policy(UserName="analyst", PolicyName="create", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"}]}))
    s3.create_bucket(Bucket="nope")


def test_sse_kms_objects_need_the_key_too(cloud, aws):
    iam, s3, kms = aws("iam"), aws("s3"), aws("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/genai-lab", TargetKeyId=key_arn)
    s3.create_bucket(Bucket="genai-outputs")
    s3.put_bucket_encryption(Bucket="genai-outputs", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/genai-lab"}}]})
    ensure_role(iam, "writer-role", {"s3": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::genai-outputs/*"}]}})
    role_s3 = _session_clients(cloud, aws, "writer-role")("s3")
    denied = _error(lambda: role_s3.put_object(Bucket="genai-outputs", Key="r.json", Body=b"{}"))
    assert denied["Error"]["Code"] == "AccessDenied"
    assert f"kms:GenerateDataKey on resource: \"{key_arn}\"" in denied["Error"]["Message"]
    iam.put_role_policy(RoleName="writer-role", PolicyName="kms-write", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key_arn}]}))
    role_s3.put_object(Bucket="genai-outputs", Key="r.json", Body=b"{}")
    assert "kms:Decrypt" in _error(lambda: role_s3.get_object(Bucket="genai-outputs", Key="r.json"))["Error"]["Message"]
    iam.put_role_policy(RoleName="writer-role", PolicyName="kms-read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]}))
    assert role_s3.get_object(Bucket="genai-outputs", Key="r.json")["Body"].read() == b"{}"
    # SSE-S3 asked for explicitly needs no key grant.
    iam.delete_role_policy(RoleName="writer-role", PolicyName="kms-write")
    role_s3.put_object(Bucket="genai-outputs", Key="plain.json", Body=b"{}", ServerSideEncryption="AES256")


def test_creating_a_function_needs_pass_role(cloud, aws):
    iam = aws("iam")
    execution = ensure_role(iam, "fn-exec-role")
    ensure_role(iam, "deployer", {"lambda": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "*"}]}})
    lam = _session_clients(cloud, aws, "deployer")("lambda")

    def create():
        return lam.create_function(FunctionName="deployed", Runtime="python3.12", Role=execution,
                                   Handler="lambda_function.handler",
                                   Code={"ZipFile": zip_handler("def handler(e, c):\n    return 1\n")})

    denied = _error(create)
    assert f"iam:PassRole on resource: {execution}" in denied["Error"]["Message"]
    iam.put_role_policy(RoleName="deployer", PolicyName="pass", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": execution}]}))
    assert create()["FunctionName"] == "deployed"
