"""SageMaker endpoints that answer: models as the SageMaker Python SDK creates them, endpoints that reach InService
on the clock, InvokeEndpoint in the serving containers' JSON, AWS's errors, and instance-hour costs."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"
TGI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
TEI = "683313688378.dkr.ecr.us-east-1.amazonaws.com/tei-cpu:2.0.1-tei1.2.3-cpu-py310-ubuntu22.04"
HF = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04"
LMI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _error(call) -> dict:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


@pytest.fixture
def sm(aws):
    iam = aws("iam")
    iam.create_role(RoleName="sagemaker-exec", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="sagemaker-exec", PolicyName="s3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::model-artifacts/*"}]}))
    return aws("sagemaker")


def deploy(sm, name: str, image: str, env: dict, instance: str = "ml.g5.2xlarge", tags: list | None = None, **container) -> None:
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, Tags=tags or [],
                    PrimaryContainer={"Image": image, "Environment": env, **container})
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": instance, "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)


def wait(sm, name: str, deadline: float = 30.0) -> dict:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        described = sm.describe_endpoint(EndpointName=name)
        if described["EndpointStatus"] not in ("Creating", "Updating"):
            return described
        time.sleep(0.1)
    raise AssertionError(f"endpoint {name} still {described['EndpointStatus']} after {deadline} s")


def invoke(aws, name: str, body: dict) -> object:
    out = aws("sagemaker-runtime").invoke_endpoint(EndpointName=name, ContentType="application/json", Body=json.dumps(body))
    assert out["InvokedProductionVariant"] == "AllTraffic"
    return json.loads(out["Body"].read())


def test_a_jumpstart_endpoint_reaches_in_service_and_answers(sm, aws):
    deploy(sm, "jumpstart-summarizer", TGI, {"HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "1", "MAX_INPUT_LENGTH": "4095",
                                             "MAX_TOTAL_TOKENS": "4096", "SAGEMAKER_PROGRAM": "inference.py"},
           tags=[{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "huggingface-llm-mistral-7b-instruct"},
                 {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "3.0.0"}],
           ModelDataSource={"S3DataSource": {"S3Uri": "s3://jumpstart-cache-prod-us-east-1/huggingface-llm/huggingface-llm-mistral-7b-instruct/artifacts/inference-prepack/v3.0.0/",
                                             "S3DataType": "S3Prefix", "CompressionType": "None"}})
    creating = sm.describe_endpoint(EndpointName="jumpstart-summarizer")
    assert creating["EndpointStatus"] == "Creating"
    early = _error(lambda: aws("sagemaker-runtime").invoke_endpoint(EndpointName="jumpstart-summarizer", Body=b"{}"))
    assert early["Error"]["Code"] == "ValidationError"
    ready = wait(sm, "jumpstart-summarizer")
    assert ready["EndpointStatus"] == "InService"
    assert ready["EndpointArn"] == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/jumpstart-summarizer"
    assert ready["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    out = invoke(aws, "jumpstart-summarizer", {"inputs": "<s>[INST] Summarize: Amazon Bedrock is a fully managed service "
                                               "that offers foundation models through one API. [/INST]",
                                               "parameters": {"max_new_tokens": 64, "temperature": 0.1, "details": True}})
    assert isinstance(out, list) and out[0]["generated_text"].strip()
    assert not out[0]["generated_text"].startswith("<s>[INST]")  # TGI returns only the new text
    assert out[0]["details"]["generated_tokens"] <= 64
    again = invoke(aws, "jumpstart-summarizer", {"inputs": "<s>[INST] Summarize: Amazon Bedrock is a fully managed service "
                                                 "that offers foundation models through one API. [/INST]",
                                                 "parameters": {"max_new_tokens": 64, "temperature": 0.1, "details": True}})
    assert again == out  # same request, same answer
    chat = invoke(aws, "jumpstart-summarizer", {"messages": [{"role": "system", "content": "You are concise."},
                                                             {"role": "user", "content": "What is Amazon SageMaker JumpStart?"}],
                                                "max_tokens": 80})
    assert chat["object"] == "chat.completion" and chat["choices"][0]["message"]["role"] == "assistant"
    assert chat["usage"]["completion_tokens"] <= 80 and chat["choices"][0]["message"]["content"]
    listed = sm.list_endpoints()["Endpoints"]
    assert [(e["EndpointName"], e["EndpointStatus"]) for e in listed] == [("jumpstart-summarizer", "InService")]
    tags = sm.list_tags(ResourceArn=sm.describe_model(ModelName="jumpstart-summarizer")["ModelArn"])["Tags"]
    assert {"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "huggingface-llm-mistral-7b-instruct"} in tags


def test_embedding_summarization_and_lmi_containers(sm, aws):
    deploy(sm, "embedder", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"}, instance="ml.m5.xlarge")
    deploy(sm, "summarizer", HF, {"HF_MODEL_ID": "philschmid/bart-large-cnn-samsum", "HF_TASK": "summarization"}, instance="ml.g5.xlarge")
    deploy(sm, "lmi-llama", LMI, {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct", "OPTION_ROLLING_BATCH": "lmi-dist"})
    for name in ("embedder", "summarizer", "lmi-llama"):
        assert wait(sm, name)["EndpointStatus"] == "InService"
    vectors = invoke(aws, "embedder", {"inputs": ["Quantos dias de férias eu tenho?", "How many vacation days do I get?"]})
    assert len(vectors) == 2 and len(vectors[0]) == 384
    assert abs(sum(v * v for v in vectors[0]) - 1.0) < 1e-3
    single = invoke(aws, "embedder", {"inputs": "one text"})
    assert len(single) == 1 and len(single[0]) == 384
    summary = invoke(aws, "summarizer", {"inputs": "Amazon Bedrock offers foundation models from several providers through "
                                         "a single API. Customers can customize models with their own data. Knowledge "
                                         "Bases connect models to company documents for retrieval augmented generation."})
    assert list(summary[0]) == ["summary_text"] and summary[0]["summary_text"]
    lmi = invoke(aws, "lmi-llama", {"inputs": "What is a foundation model?", "parameters": {"max_new_tokens": 50}})
    assert isinstance(lmi, dict) and lmi["generated_text"]


def test_llm_on_a_cpu_instance_fails_and_bad_input_gets_aws_errors(sm, aws):
    deploy(sm, "cpu-llm", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}, instance="ml.m5.xlarge")
    failed = wait(sm, "cpu-llm")
    assert failed["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in failed["FailureReason"] and "ml.m5.xlarge has no GPU" in failed["FailureReason"]
    bad_type = _error(lambda: sm.create_endpoint_config(EndpointConfigName="bad", ProductionVariants=[
        {"VariantName": "v", "ModelName": "cpu-llm", "InstanceType": "ml.g9.superlarge", "InitialInstanceCount": 1}]))
    assert bad_type["Error"]["Code"] == "ValidationException" and bad_type["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert bad_type["Error"]["Message"].startswith(
        "1 validation error detected: Value 'ml.g9.superlarge' at 'productionVariants.1.member.instanceType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [")
    assert "ml.g5.2xlarge" in bad_type["Error"]["Message"]
    missing = _error(lambda: sm.describe_endpoint(EndpointName="nope"))
    assert missing["Error"]["Message"] == 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".'
    dup = _error(lambda: sm.create_model(ModelName="cpu-llm", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": TGI}))
    assert "Cannot create already existing model" in dup["Error"]["Message"]
    no_role = _error(lambda: sm.create_model(ModelName="x", ExecutionRoleArn="arn:aws:iam::123456789012:role/ghost",
                                             PrimaryContainer={"Image": TGI}))
    assert "Could not assume role arn:aws:iam::123456789012:role/ghost" in no_role["Error"]["Message"]
    unknown = _error(lambda: aws("sagemaker-runtime").invoke_endpoint(EndpointName="ghost", Body=b"{}"))
    assert unknown["Error"]["Code"] == "ValidationError" and unknown["Error"]["Message"] == "Endpoint ghost of account 123456789012 not found."
    deploy(sm, "good-llm", TGI, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"})
    wait(sm, "good-llm")
    model_error = _error(lambda: aws("sagemaker-runtime").invoke_endpoint(EndpointName="good-llm", Body=b"not json"))
    assert model_error["Error"]["Code"] == "ModelError" and model_error["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert model_error["Error"]["Message"].startswith("Received client error (422) from primary with message")
    assert model_error["OriginalStatusCode"] == 422


def test_model_data_must_be_readable_by_the_execution_role(sm, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="model-artifacts")
    s3.create_bucket(Bucket="other-artifacts")
    s3.put_object(Bucket="model-artifacts", Key="flan/model.tar.gz", Body=b"tar")
    s3.put_object(Bucket="other-artifacts", Key="flan/model.tar.gz", Body=b"tar")
    deploy(sm, "readable", HF, {"HF_TASK": "text2text-generation"}, instance="ml.g5.xlarge",
           ModelDataUrl="s3://model-artifacts/flan/model.tar.gz")
    deploy(sm, "denied", HF, {"HF_TASK": "text2text-generation"}, instance="ml.g5.xlarge",
           ModelDataUrl="s3://other-artifacts/flan/model.tar.gz")
    deploy(sm, "missing", HF, {"HF_TASK": "text2text-generation"}, instance="ml.g5.xlarge",
           ModelDataUrl="s3://model-artifacts/nothing/model.tar.gz")
    assert wait(sm, "readable")["EndpointStatus"] == "InService"
    denied = wait(sm, "denied")
    assert denied["EndpointStatus"] == "Failed"
    assert denied["FailureReason"].startswith('Failed to download model data for container "container_1" from URL: '
                                              '"s3://other-artifacts/flan/model.tar.gz".')
    assert "s3:GetObject" in denied["FailureReason"]
    assert "no object at s3://model-artifacts/nothing/model.tar.gz" in wait(sm, "missing")["FailureReason"]


def test_instance_hours_accrue_while_the_endpoint_exists(sm, aws, cloud):
    deploy(sm, "billed", TEI, {"HF_MODEL_ID": "sentence-transformers/all-MiniLM-L6-v2"}, instance="ml.m5.xlarge")
    hosting = cloud.extension("sagemaker")
    [first] = hosting.costs(None)
    assert first["service"] == "Amazon SageMaker AI" and first["unit"] == "instance-hours"
    assert first["unitPriceUsd"] == 0.23 and first["end"] is None
    wait(sm, "billed")
    [later] = hosting.costs(None)
    assert later["quantity"] > first["quantity"]  # billing runs while it exists, called or not
    sm.delete_endpoint(EndpointName="billed")
    [closed] = hosting.costs(None)
    [still] = hosting.costs(None)
    assert closed["end"] is not None and closed == still  # deleting stops the clock
    assert closed["costUsd"] == pytest.approx(closed["quantity"] * 0.23, rel=1e-6)


def test_the_aws_cli_deploys_and_invokes(sm, aws_env, tmp_path):
    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"], env=aws_env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    cli("sagemaker", "create-model", "--model-name", "cli-embed", "--execution-role-arn", ROLE,
        "--primary-container", json.dumps({"Image": TEI, "Environment": {"HF_MODEL_ID": "BAAI/bge-large-en-v1.5"}}))
    cli("sagemaker", "create-endpoint-config", "--endpoint-config-name", "cli-embed", "--production-variants",
        json.dumps([{"VariantName": "AllTraffic", "ModelName": "cli-embed", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}]))
    cli("sagemaker", "create-endpoint", "--endpoint-name", "cli-embed", "--endpoint-config-name", "cli-embed")
    wait(sm, "cli-embed")
    out = tmp_path / "out.json"
    cli("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "cli-embed", "--content-type", "application/json",
        "--body", json.dumps({"inputs": "hello"}), str(out))
    assert len(json.loads(out.read_text())[0]) == 1024


def test_least_privilege_invoke_endpoint_and_pass_role(sm, aws, cloud):
    import boto3
    from botocore.config import Config

    iam = aws("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="app", PolicyName="invoke", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint",
         "Resource": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/allowed-endpoint"},
        {"Effect": "Allow", "Action": "sagemaker:CreateModel", "Resource": "*"}]}))
    creds = aws("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/app", RoleSessionName="app-session")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name="us-east-1")
    app = lambda service: session.client(service, endpoint_url=cloud.endpoint, config=Config(retries={"max_attempts": 1}))
    deploy(sm, "Allowed-Endpoint", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"}, instance="ml.m5.large")
    deploy(sm, "other-endpoint", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"}, instance="ml.m5.large")
    wait(sm, "Allowed-Endpoint")
    wait(sm, "other-endpoint")
    runtime = app("sagemaker-runtime")
    assert runtime.invoke_endpoint(EndpointName="Allowed-Endpoint", Body=json.dumps({"inputs": "x"}))["Body"].read()
    denied = _error(lambda: runtime.invoke_endpoint(EndpointName="other-endpoint", Body=json.dumps({"inputs": "x"})))
    assert ("sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:us-east-1:123456789012:endpoint/other-endpoint"
            in denied["Error"]["Message"])
    no_pass = _error(lambda: app("sagemaker").create_model(ModelName="m2", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": TEI}))
    assert f"iam:PassRole on resource: {ROLE}" in no_pass["Error"]["Message"]
