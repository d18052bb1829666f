"""bedrock-vs-sagemaker graded on what ran and what billed: the reference solution passes; an endpoint or a
Provisioned Throughput left running at the end fails nothing-billing; an LLM on a CPU instance and an endpoint
configuration without an endpoint fail gpu-endpoint, each saying why; costs more than 5 % off the cost view fail."""

from __future__ import annotations

import copy
import json
import time

from gailab.labs.catalog import get_lab
from gailab.labs.grader import grade
from gailab.labs.solutions import solve

from labgrading import check_results

LAB = "bedrock-vs-sagemaker"
BUCKET, KEY = "genai-outputs", "reports/compare.json"
ENDPOINT = "jumpstart-summarizer"
TGI = ("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
       "2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _results(cloud, workspace) -> dict:
    return check_results(LAB, cloud.endpoint, workspace)


def _until(fetch, done, seconds=30.0):
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_solution_passes_and_what_is_left_billing_fails(cloud, aws, tmp_path):
    lab = get_lab(LAB)
    workspace = tmp_path / "ws"
    assert solve(lab, cloud.endpoint, workspace, with_prerequisites=True) == [LAB]  # no prerequisite: it makes its bucket
    report = grade(lab, endpoint=cloud.endpoint, workspace=workspace)
    assert report.passed and report.total == 100, report.to_text()
    assert json.loads((workspace / "answers.json").read_text()) == {
        "third-party": [1], "own-model": [2], "tools": [2, 0, 3, 1], "billing": [2, 0, 1]}

    # Costs are the cost view's, within 5 %.
    s3 = aws("s3")
    good = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    for factor, status in ((1.04, "pass"), (0.96, "pass"), (1.1, "fail"), (0.5, "fail")):
        data = copy.deepcopy(good)
        data["sagemaker"]["costUsd"] *= factor
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(data).encode())
        assert _results(cloud, workspace)["report-costs"].status == status, factor
    data = copy.deepcopy(good)
    data["sagemaker"]["billedPer"] = "token"
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(data).encode())
    results = _results(cloud, workspace)
    assert results["report-format"].status == "fail" and results["report-costs"].status == "skipped"
    assert "instance-hour" in results["report-format"].message("en")
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(good).encode())
    assert grade(lab, endpoint=cloud.endpoint, workspace=workspace).passed

    # An endpoint left running at the end: the cost view still bills its instance.
    sm = aws("sagemaker")
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT)
    left = _results(cloud, workspace)["nothing-billing"]
    assert left.status == "fail" and left.actual == [f"SageMaker endpoint {ENDPOINT} (1 x ml.g5.2xlarge)"]
    assert "still billing by the hour" in left.message("en")
    assert left.message("pt-BR") == f"ainda cobrando por hora: endpoint do SageMaker {ENDPOINT} (1 x ml.g5.2xlarge)"
    sm.delete_endpoint(EndpointName=ENDPOINT)
    assert _results(cloud, workspace)["nothing-billing"].status == "pass"

    # Provisioned Throughput left running.
    br = aws("bedrock")
    custom = br.list_custom_models()["modelSummaries"][0]["modelArn"]
    pt = br.create_provisioned_model_throughput(provisionedModelName="forgotten-pt", modelId=custom,
                                                modelUnits=1)["provisionedModelArn"]
    left = _results(cloud, workspace)["nothing-billing"]
    assert left.status == "fail" and left.actual == ["Provisioned Throughput forgotten-pt (1 MU)"]
    br.delete_provisioned_model_throughput(provisionedModelId=pt)

def test_an_llm_on_a_cpu_instance_and_a_configuration_without_endpoint_fail_saying_why(cloud, aws, tmp_path):
    aws("iam").create_role(RoleName="genai-sagemaker-role", AssumeRolePolicyDocument=TRUST)
    sm = aws("sagemaker")
    sm.create_model(ModelName=ENDPOINT, ExecutionRoleArn="arn:aws:iam::123456789012:role/genai-sagemaker-role",
                    PrimaryContainer={"Image": TGI, "Environment": {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}})

    def config(instance_type):
        sm.create_endpoint_config(EndpointConfigName=ENDPOINT, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": ENDPOINT, "InstanceType": instance_type,
            "InitialInstanceCount": 1}])

    config("ml.g5.2xlarge")  # right, but never deployed
    result = _results(cloud, tmp_path)["gpu-endpoint"]
    assert result.status == "fail" and "no endpoint jumpstart-summarizer was created from it" in result.message("en")
    assert "CreateEndpoint starts the instances" in result.hint("en")
    assert _results(cloud, tmp_path)["endpoint-call"].status == "skipped"

    sm.delete_endpoint_config(EndpointConfigName=ENDPOINT)
    config("ml.m5.xlarge")  # an LLM on a CPU instance
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT)
    _until(lambda: sm.describe_endpoint(EndpointName=ENDPOINT), lambda e: e["EndpointStatus"] != "Creating")
    failed = _results(cloud, tmp_path)["gpu-endpoint"]
    assert failed.status == "fail" and failed.actual["EndpointStatus"] == "Failed" and failed.actual["FailureReason"]
    assert "needs a GPU" in failed.hint("en")
    assert "precisa de GPU" in failed.hint("pt-BR")
    sm.delete_endpoint(EndpointName=ENDPOINT)  # deleted: the configuration still says what was asked for
    cpu = _results(cloud, tmp_path)["gpu-endpoint"]
    assert cpu.status == "fail" and "ml.m5.xlarge, a CPU instance" in cpu.message("en")
    assert cpu.actual == {ENDPOINT: ["ml.m5.xlarge"]}
