"""The checks library over real boto3 on the local cloud, and how the grader treats checks that hang or break."""

from __future__ import annotations

import json
import shutil
import textwrap

from gailab.labs.catalog import BUILTIN
from gailab.labs.checks import Context, iam, kms, s3, sagemaker, cloudwatch, awslambda, bedrock
from gailab.labs.grader import grade
from gailab.labs.manifest import load_lab
from gailab.labs.quiz import hash_answer, is_correct


def test_kms_key_resolution_by_id_arn_alias_and_alias_arn(cloud, aws):
    key = aws("kms").create_key()["KeyMetadata"]
    aws("kms").create_alias(AliasName="alias/genai-lab", TargetKeyId=key["KeyId"])
    ctx = Context(cloud.endpoint)
    refs = [key["KeyId"], key["Arn"], "alias/genai-lab", "arn:aws:kms:us-east-1:123456789012:alias/genai-lab"]
    assert {kms.describe(ctx, ref)["KeyId"] for ref in refs} == {key["KeyId"]}
    assert all(kms.same_key(ctx, ref, "alias/genai-lab") for ref in refs)
    assert kms.describe(ctx, "alias/nope") is None
    assert kms.key_manager(ctx, key["KeyId"]) == "CUSTOMER"
    assert kms.key_manager(ctx, "alias/aws/s3") == "AWS"  # moto says CUSTOMER; the alias tells the truth
    assert kms.alias_target(ctx, "genai-lab") == key["KeyId"]


def test_s3_helpers_read_the_configuration(cloud, aws):
    client = aws("s3")
    client.create_bucket(Bucket="lab-bucket-1")
    ctx = Context(cloud.endpoint)
    assert s3.bucket_exists(ctx, "lab-bucket-1") and not s3.bucket_exists(ctx, "lab-bucket-2")
    assert s3.default_encryption(ctx, "lab-bucket-1") is None
    client.put_bucket_encryption(Bucket="lab-bucket-1", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    assert s3.default_encryption(ctx, "lab-bucket-1") is None  # one read per grading run (a context)
    ctx = Context(cloud.endpoint)
    assert s3.default_encryption(ctx, "lab-bucket-1") == {"SSEAlgorithm": "AES256", "BucketKeyEnabled": False}
    assert s3.versioning(ctx, "lab-bucket-1") == "Off"
    assert s3.public_access_block(ctx, "lab-bucket-1") == dict.fromkeys(s3.PUBLIC_ACCESS_FLAGS, False)
    client.put_public_access_block(Bucket="lab-bucket-1", PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    assert s3.public_access_block(ctx, "lab-bucket-1")["BlockPublicAcls"] is True
    client.put_object(Bucket="lab-bucket-1", Key="k", Body=b"hello")
    assert s3.get_object(ctx, "lab-bucket-1", "k") == b"hello" and s3.get_object(ctx, "lab-bucket-1", "missing") is None


def test_iam_policies_and_least_privilege(cloud, aws):
    client = aws("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    client.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(trust))
    model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    client.put_role_policy(RoleName="r", PolicyName="invoke", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": model}]}))
    arn = client.create_policy(PolicyName="logs", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream",
                                                                               "logs:PutLogEvents"], "Resource": "*"}]}
    ))["Policy"]["Arn"]
    client.attach_role_policy(RoleName="r", PolicyArn=arn)
    ctx = Context(cloud.endpoint)
    assert iam.trusted_services(iam.role(ctx, "r")) == {"lambda.amazonaws.com"} and iam.role(ctx, "nope") is None
    docs = [doc for _, doc in iam.role_policies(ctx, "r")]
    assert len(docs) == 2
    assert iam.allows(docs, "bedrock:InvokeModel", model)
    assert not iam.allows(docs, "bedrock:InvokeModel", model.replace("haiku", "sonnet"))
    assert iam.allows(docs, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:x")
    assert iam.least_privilege_findings(docs) == []
    broad = [{"Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]},
             {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}]
    findings = iam.least_privilege_findings(broad)
    assert "Action 'bedrock:*' allows every action of bedrock" in findings
    assert "Resource '*' for bedrock:*" in findings and any("NotAction" in f for f in findings)
    deny = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                           {"Effect": "Deny", "Action": "bedrock:Invoke*", "Resource": "*"}]}]
    assert not iam.allows(deny, "bedrock:InvokeModel", model) and iam.allows(deny, "s3:GetObject", "x")


def test_cloudwatch_alarm_and_sagemaker_endpoint_config(cloud, aws):
    aws("cloudwatch").put_metric_alarm(
        AlarmName="genai-summarize-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": "genai-summarize"}], Period=60, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
    ctx = Context(cloud.endpoint)
    alarm = cloudwatch.alarm(ctx, "genai-summarize-errors")
    assert alarm["MetricName"] == "Errors" and alarm["Period"] == 60
    assert cloudwatch.dimensions(alarm) == {"FunctionName": "genai-summarize"}
    assert cloudwatch.alarm(ctx, "nope") is None and cloudwatch.log_lines(ctx, "/no/group") is None
    from cloudbuild import TRUST_SAGEMAKER

    aws("iam").create_role(RoleName="sm", AssumeRolePolicyDocument=TRUST_SAGEMAKER)
    sm = aws("sagemaker")
    sm.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
                    PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest"})
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[
        {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}])
    config = sagemaker.endpoint_config(ctx, "c")
    assert sagemaker.instance_types(config) == ["ml.g5.xlarge"] and sagemaker.is_gpu("ml.g5.xlarge")
    assert not sagemaker.is_gpu("ml.m5.large") and sagemaker.endpoint(ctx, "missing") is None
    assert awslambda.function(ctx, "missing") is None


def test_bedrock_ledger_helpers(cloud, aws):
    runtime = aws("bedrock-runtime")
    runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": "oi"}]}],
                     inferenceConfig={"maxTokens": 50, "temperature": 0.1})
    ctx = Context(cloud.endpoint)
    [record] = bedrock.invocations(ctx, operation="Converse")
    assert record["modelId"] == "amazon.nova-micro-v1:0" and record["inputTokens"] > 0
    assert bedrock.temperature(record) == 0.1 and bedrock.max_tokens(record) == 50
    assert bedrock.base_model("us.anthropic.claude-3-haiku-20240307-v1:0") == "anthropic.claude-3-haiku-20240307-v1:0"
    assert bedrock.provider("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0") == "amazon"


def test_quiz_hashes_are_salted():
    a, b = hash_answer("lab", "q1", [2]), hash_answer("lab", "q1", [2])
    assert a != b and is_correct("lab", "q1", a, [2]) and is_correct("lab", "q1", b, [2])
    assert not is_correct("lab", "q1", a, [1]) and not is_correct("lab", "q2", a, [2])
    assert is_correct("lab", "q", hash_answer("lab", "q", [3, 1]), [1, 3])


def test_a_hanging_check_times_out_and_a_crashing_check_is_a_lab_error(cloud, tmp_path):
    lab_dir = tmp_path / "s3-genai-storage"
    shutil.copytree(BUILTIN / "s3-genai-storage", lab_dir, ignore=shutil.ignore_patterns("__pycache__"))
    checks = lab_dir / "checks.py"
    checks.write_text(checks.read_text() + textwrap.dedent("""
        import threading
        @check("kms-alias")
        def kms_alias(ctx):
            threading.Event().wait(5)  # stands for a call that never answers

        @check("bucket-exists")
        def bucket_exists(ctx):
            return 1 / 0
    """))
    lab = load_lab(lab_dir)
    report = grade(lab, endpoint=cloud.endpoint, timeout=0.3)
    by_id = {r.check_id: r for r in report.results}
    assert by_id["kms-alias"].status == "error" and by_id["kms-alias"].error_kind == "cloud"
    assert "did not finish within 0.3 s" in by_id["kms-alias"].message("en")
    assert by_id["bucket-exists"].status == "error" and by_id["bucket-exists"].error_kind == "lab"
    assert "ZeroDivisionError" in by_id["bucket-exists"].message("en")
    assert by_id["bucket-exists"].duration_ms >= 0  # the grader went on after the hanging check
    # a check that depends on one that could not run is not evaluated either (no second error for one cause)
    assert by_id["bucket-versioning"].status == "skipped" and by_id["bucket-versioning"].blocked_by == "bucket-exists"
    assert report.exit_code() == 2 and report.duration_ms < 4000


def test_the_grader_sends_texts_of_its_own_never_the_instructions_examples():
    """What the stack labs' live checks send a learner's function and API is not in any file a learner reads or
    starts from (instructions, manifest, starter, solution, mistakes), and each run carries a mark of its own, so a
    function that answers the instructions' example from memory or returns a cached answer fails."""
    from gailab.labs.checks import probes

    published = "\n".join(path.read_text(encoding="utf-8", errors="replace")
                          for path in BUILTIN.rglob("*") if path.is_file() and "__pycache__" not in path.parts)
    for text in probes.SAMPLE_TEXTS:
        for sentence in text.split(". "):
            assert sentence.strip(" .") not in published, sentence
    probed = [lab for lab in ("lambda-prompt-function", "api-gateway-rest", "genai-app-architecture")
              if "probes.sample_text()" in (BUILTIN / lab / "checks.py").read_text()]
    assert len(probed) == 3
    samples = [probes.sample_text() for _ in range(200)]
    assert len({mark for _, mark in samples}) == 200
    assert all(text.endswith(f"({mark})") and text[:-len(mark) - 3] in probes.SAMPLE_TEXTS for text, mark in samples)
    assert len({text[:40] for text, _ in samples}) > 1  # not always the same text
