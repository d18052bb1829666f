"""Builders shared by the local-cloud tests: a mixed set of mutations across services, and a check of it."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
import zipfile

TRUST_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
LOGS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}],
    }
)
TRUST_SAGEMAKER = TRUST_LAMBDA.replace("lambda.amazonaws.com", "sagemaker.amazonaws.com")


def handler_zip(source: str = "def handler(event, context):\n    return {'ok': True}\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def build_mixed_state(client) -> dict:
    """Create one of everything the durability tests restore; returns the IDs the cloud generated."""
    ids: dict = {}
    s3 = client("s3")
    s3.create_bucket(Bucket="genai-outputs")
    s3.put_bucket_versioning(Bucket="genai-outputs", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma: {texto}")
    second = s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Summarise: {text}")
    s3.put_object(Bucket="genai-outputs", Key="dados/ação e reação.txt", Body="olá".encode())
    ids["versions"] = [first["VersionId"], second["VersionId"]]

    kms = client("kms")
    key = kms.create_key(Description="lab key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/genai-lab", TargetKeyId=key["KeyId"])
    ids["key_id"], ids["key_arn"] = key["KeyId"], key["Arn"]
    ids["ciphertext"] = kms.encrypt(KeyId="alias/genai-lab", Plaintext=b"segredo")["CiphertextBlob"]
    s3.put_bucket_encryption(
        Bucket="genai-outputs",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]
        },
    )

    iam = client("iam")
    role = iam.create_role(RoleName="genai-lambda-role", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]
    iam.put_role_policy(RoleName="genai-lambda-role", PolicyName="logs", PolicyDocument=LOGS_POLICY)
    managed = iam.create_policy(PolicyName="genai-invoke", PolicyDocument=LOGS_POLICY)["Policy"]
    iam.attach_role_policy(RoleName="genai-lambda-role", PolicyArn=managed["Arn"])
    ids["role_id"], ids["role_arn"], ids["policy_id"] = role["RoleId"], role["Arn"], managed["PolicyId"]

    fn = client("lambda").create_function(
        FunctionName="genai-summarize",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="app.handler",
        Code={"ZipFile": handler_zip()},
        Timeout=30,
        MemorySize=256,
        Environment={"Variables": {"MODEL_ID": "anthropic.claude-3-haiku-20240307-v1:0"}},
    )
    ids["function_arn"], ids["code_sha"] = fn["FunctionArn"], fn["CodeSha256"]

    apigw = client("apigateway")
    api = apigw.create_rest_api(name="genai-api")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="summarize")
    apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="POST", authorizationType="NONE")
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn['FunctionArn']}/invocations"
    apigw.put_integration(
        restApiId=api["id"], resourceId=resource["id"], httpMethod="POST", type="AWS_PROXY",
        integrationHttpMethod="POST", uri=uri,
    )
    deployment = apigw.create_deployment(restApiId=api["id"], stageName="prod")
    ids.update(api_id=api["id"], root_id=root, resource_id=resource["id"], deployment_id=deployment["id"], uri=uri)

    cw = client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="genai-summarize-errors", Namespace="AWS/Lambda", MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "genai-summarize"}], Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    ids["alarm_arn"] = cw.describe_alarms(AlarmNames=["genai-summarize-errors"])["MetricAlarms"][0]["AlarmArn"]
    logs = client("logs")
    logs.create_log_group(logGroupName="/genai/app")
    logs.create_log_stream(logGroupName="/genai/app", logStreamName="s1")
    logs.put_log_events(logGroupName="/genai/app", logStreamName="s1", logEvents=[{"timestamp": int(time.time() * 1000), "message": "hello"}])
    return ids


def assert_mixed_state(client, ids: dict) -> None:
    """Everything :func:`build_mixed_state` made is there, with the same IDs and references."""
    s3 = client("s3")
    assert s3.get_object(Bucket="genai-outputs", Key="prompts/summary.txt")["Body"].read() == b"Summarise: {text}"
    versions = s3.list_object_versions(Bucket="genai-outputs", Prefix="prompts/")["Versions"]
    assert sorted(v["VersionId"] for v in versions) == sorted(ids["versions"])
    assert s3.get_object(Bucket="genai-outputs", Key="dados/ação e reação.txt")["Body"].read() == "olá".encode()
    assert s3.get_bucket_versioning(Bucket="genai-outputs")["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket="genai-outputs")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == ids["key_arn"]

    kms = client("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/genai-lab"] == ids["key_id"]
    assert kms.decrypt(CiphertextBlob=ids["ciphertext"])["Plaintext"] == b"segredo"

    iam = client("iam")
    role = iam.get_role(RoleName="genai-lambda-role")["Role"]
    assert (role["RoleId"], role["Arn"]) == (ids["role_id"], ids["role_arn"])
    assert iam.list_role_policies(RoleName="genai-lambda-role")["PolicyNames"] == ["logs"]
    attached = iam.list_attached_role_policies(RoleName="genai-lambda-role")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["genai-invoke"]
    assert iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]["PolicyId"] == ids["policy_id"]

    fn = client("lambda").get_function(FunctionName="genai-summarize")["Configuration"]
    assert (fn["FunctionArn"], fn["CodeSha256"], fn["Role"]) == (ids["function_arn"], ids["code_sha"], ids["role_arn"])
    assert fn["Environment"]["Variables"]["MODEL_ID"].startswith("anthropic.")

    apigw = client("apigateway")
    resources = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=ids["api_id"])["items"]}
    assert resources == {"/": ids["root_id"], "/summarize": ids["resource_id"]}
    integration = apigw.get_integration(restApiId=ids["api_id"], resourceId=ids["resource_id"], httpMethod="POST")
    assert (integration["type"], integration["uri"]) == ("AWS_PROXY", ids["uri"])
    stage = apigw.get_stage(restApiId=ids["api_id"], stageName="prod")
    assert stage["deploymentId"] == ids["deployment_id"]

    alarm = client("cloudwatch").describe_alarms(AlarmNames=["genai-summarize-errors"])["MetricAlarms"][0]
    assert (alarm["AlarmArn"], alarm["Threshold"], alarm["MetricName"]) == (ids["alarm_arn"], 1.0, "Errors")
    events = client("logs").get_log_events(logGroupName="/genai/app", logStreamName="s1")["events"]
    assert [e["message"] for e in events] == ["hello"]


def http(method, url, body=None, headers=None):
    """(status, headers, body) of a plain HTTP call; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers.items()), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()
