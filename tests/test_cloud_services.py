"""Every service the course uses answers through the one endpoint, with only AWS_ENDPOINT_URL set."""

from __future__ import annotations

import json
import subprocess
import sys

from cloudbuild import TRUST_LAMBDA, TRUST_SAGEMAKER, assert_mixed_state, build_mixed_state, handler_zip


def test_mixed_state_round_trips_through_boto3(aws):
    ids = build_mixed_state(aws)
    assert_mixed_state(aws, ids)


def test_s3_public_access_block_and_sts(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="lab-bucket")
    config = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    s3.put_public_access_block(Bucket="lab-bucket", PublicAccessBlockConfiguration=config)
    assert s3.get_public_access_block(Bucket="lab-bucket")["PublicAccessBlockConfiguration"] == config
    assert aws("sts").get_caller_identity()["Account"] == "123456789012"


def test_lambda_update_and_list(aws):
    iam = aws("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    lam = aws("lambda")
    lam.create_function(FunctionName="f1", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": handler_zip()})
    lam.update_function_configuration(FunctionName="f1", Timeout=45, MemorySize=512)
    lam.update_function_code(FunctionName="f1", ZipFile=handler_zip("def handler(e, c):\n    return 2\n"))
    config = lam.get_function_configuration(FunctionName="f1")
    assert (config["Timeout"], config["MemorySize"]) == (45, 512)
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["f1"]


def test_sagemaker_model_endpoint_config_endpoint(aws):
    aws("iam").create_role(RoleName="sm", AssumeRolePolicyDocument=TRUST_SAGEMAKER)
    sm = aws("sagemaker")
    sm.create_model(
        ModelName="jumpstart-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/hf:latest"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="jumpstart-config",
        ProductionVariants=[{"VariantName": "v1", "ModelName": "jumpstart-model", "InstanceType": "ml.g5.xlarge",
                             "InitialInstanceCount": 1}],
    )
    sm.create_endpoint(EndpointName="jumpstart-summarizer", EndpointConfigName="jumpstart-config")
    endpoint = sm.describe_endpoint(EndpointName="jumpstart-summarizer")
    assert endpoint["EndpointConfigName"] == "jumpstart-config"
    variant = sm.describe_endpoint_config(EndpointConfigName="jumpstart-config")["ProductionVariants"][0]
    assert variant["InstanceType"] == "ml.g5.xlarge"


def _aws_cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awscli", *args], env=env, capture_output=True, text=True, timeout=60)


def test_aws_cli_reaches_the_cloud_with_only_the_env(aws_env, aws, tmp_path):
    made = _aws_cli(aws_env, "s3", "mb", "s3://cli-bucket")
    assert made.returncode == 0, made.stderr
    prompt = tmp_path / "summary.txt"
    prompt.write_text("Resuma: {texto}")
    copied = _aws_cli(aws_env, "s3", "cp", str(prompt), "s3://cli-bucket/prompts/summary.txt")
    assert copied.returncode == 0, copied.stderr
    assert aws("s3").get_object(Bucket="cli-bucket", Key="prompts/summary.txt")["Body"].read() == b"Resuma: {texto}"
    key = json.loads(_aws_cli(aws_env, "kms", "create-key").stdout)["KeyMetadata"]["KeyId"]
    assert _aws_cli(aws_env, "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", key).returncode == 0
    aliases = json.loads(_aws_cli(aws_env, "kms", "list-aliases").stdout)["Aliases"]
    assert {"alias/cli": key}.items() <= {a["AliasName"]: a.get("TargetKeyId") for a in aliases}.items()
    role = _aws_cli(aws_env, "iam", "create-role", "--role-name", "cli-role",
                    "--assume-role-policy-document", TRUST_LAMBDA)
    assert role.returncode == 0, role.stderr
    alarms = _aws_cli(aws_env, "cloudwatch", "describe-alarms")
    assert json.loads(alarms.stdout)["MetricAlarms"] == []
    apis = _aws_cli(aws_env, "apigateway", "create-rest-api", "--name", "cli-api")
    assert json.loads(apis.stdout)["name"] == "cli-api"
