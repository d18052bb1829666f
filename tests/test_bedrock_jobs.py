"""Batch inference, provisioned throughput and model customization on the simulated Bedrock, with real boto3 and
the aws CLI: statuses over time, S3 inputs and outputs through the service role, the ledger and the cost view,
AWS's errors, and a restart after kill -9 with the same IDs and states."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

TITAN = "amazon.titan-text-express-v1"
NOVA = "amazon.nova-micro-v1:0"
BEDROCK_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}]}
S3_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                                                     "Resource": ["arn:aws:s3:::genai-jobs", "arn:aws:s3:::genai-jobs/*"]}]}
TICKETS = {
    "faturamento": ["Fui cobrado duas vezes na fatura deste mês", "O boleto veio com valor errado na cobrança",
                    "Quero o reembolso de uma cobrança indevida no cartão", "A fatura mostra um plano que não contratei",
                    "Meu pagamento foi debitado mas a fatura continua em aberto", "Preciso da segunda via do boleto da fatura",
                    "A cobrança do cartão veio com juros indevidos", "Estorno da cobrança duplicada ainda não apareceu"],
    "acesso": ["Não consigo entrar na minha conta com a senha", "Esqueci a senha e o e-mail de recuperação não chega",
               "Minha conta foi bloqueada após tentativas de login", "O aplicativo pede código de verificação que não recebo",
               "Login falha com senha correta no site", "Quero trocar a senha de acesso da conta",
               "A autenticação em dois fatores não aceita meu código", "Conta bloqueada, não consigo acessar o painel"],
    "entrega": ["Meu pedido está atrasado e a entrega não chegou", "O rastreio da encomenda parou há uma semana",
                "A transportadora entregou o pacote no endereço errado", "O produto chegou quebrado na entrega",
                "Quero mudar o endereço de entrega do pedido", "A entrega foi marcada como feita mas não recebi",
                "Pedido extraviado pela transportadora", "Quando chega minha encomenda? O prazo de entrega passou"],
}


def _wait(fetch, done, seconds=40.0):
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def _role(aws, name="genai-bedrock-jobs", policy=S3_ACCESS):
    iam = aws("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(BEDROCK_TRUST))["Role"]["Arn"]
    if policy:
        iam.put_role_policy(RoleName=name, PolicyName="s3", PolicyDocument=json.dumps(policy))
    return arn


def _bucket(aws):
    aws("s3").create_bucket(Bucket="genai-jobs")
    return aws("s3")


def _jsonl(rows) -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n").encode("utf-8")


def _training_rows():
    return [{"prompt": f"Classifique o chamado: {text}", "completion": label}
            for label, texts in TICKETS.items() for text in texts]


def _costs(cloud):
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/costs", timeout=30) as reply:
        return json.loads(reply.read())["lines"]


# -- batch inference ----------------------------------------------------------------------------------------------
def _batch_records(n):
    return [{"recordId": f"CALL{i:07d}", "modelInput": {"inputText": f"Resuma em uma frase o chamado {i}: cliente pede "
                                                        f"ajuda com a fatura número {1000 + i}.",
                                                        "textGenerationConfig": {"maxTokenCount": 80, "temperature": 0}}}
            for i in range(n)]


def test_a_batch_job_over_20_records_writes_20_outputs_at_half_the_on_demand_price(cloud, aws, monkeypatch):
    monkeypatch.setitem(cloud.settings, "bedrock_batch_min_records", 20)
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    records = _batch_records(20)
    s3.put_object(Bucket="genai-jobs", Key="batch/in/chamados.jsonl", Body=_jsonl(records))
    job_arn = br.create_model_invocation_job(
        jobName="resumos-noturnos", roleArn=role, modelId=TITAN,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://genai-jobs/batch/in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://genai-jobs/batch/out/"}})["jobArn"]
    job_id = job_arn.rsplit("/", 1)[-1]
    assert job_arn == f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}" and len(job_id) == 12
    seen = {br.get_model_invocation_job(jobIdentifier=job_arn)["status"]}
    job = _wait(lambda: seen.add(br.get_model_invocation_job(jobIdentifier=job_id)["status"]) or
                br.get_model_invocation_job(jobIdentifier=job_id), lambda j: j["status"] == "Completed")
    assert job["status"] == "Completed", job
    assert "Submitted" in seen and "InProgress" in seen
    assert (job["totalRecordCount"], job["successRecordCount"], job["errorRecordCount"]) == (20, 20, 0)
    out = s3.get_object(Bucket="genai-jobs", Key=f"batch/out/{job_id}/chamados.jsonl.out")["Body"].read().decode()
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["recordId"] for x in lines] == [r["recordId"] for r in records]
    assert all(x["modelOutput"]["results"][0]["outputText"] for x in lines)
    manifest = json.loads(s3.get_object(Bucket="genai-jobs", Key=f"batch/out/{job_id}/manifest.json.out")["Body"].read())
    assert manifest["totalRecordCount"] == 20 and manifest["inputTokenCount"] > 0
    # The same 20 calls on demand cost twice as much.
    runtime = aws("bedrock-runtime")
    for r in records:
        runtime.invoke_model(modelId=TITAN, body=json.dumps(r["modelInput"]))
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations", timeout=30) as reply:
        ledger = json.loads(reply.read())["invocations"]
    batch = [r for r in ledger if r.get("mode") == "batch"]
    on_demand = [r for r in ledger if "mode" not in r]
    assert len(batch) == 20 and all(r["jobArn"] == job_arn for r in batch)
    assert [r["outputTokens"] for r in batch] == [r["outputTokens"] for r in on_demand]
    assert sum(r["costUsd"] for r in batch) == pytest.approx(sum(r["costUsd"] for r in on_demand) / 2, rel=1e-6)
    # A grader re-running the batch records gets the same calls at the same (batch) price.
    from gailab.simulator.bedrock import state as bedrock_state
    from gailab.simulator.bedrock.verify import differences

    full = bedrock_state.of(cloud).ledger.records
    assert all(differences(r) == [] for r in full if r.get("mode") == "batch")
    lines = _costs(cloud)
    batch_lines = [line for line in lines if "(batch)" in line["item"]]
    assert sum(line["costUsd"] for line in batch_lines) == pytest.approx(sum(r["costUsd"] for r in batch), abs=1e-6)
    listed = br.list_model_invocation_jobs(statusEquals="Completed")["invocationJobSummaries"]
    assert [j["jobArn"] for j in listed] == [job_arn]


def test_a_converse_batch_job_answers_in_converse_shape(cloud, aws, monkeypatch):
    monkeypatch.setitem(cloud.settings, "bedrock_batch_min_records", 2)
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    rows = [{"recordId": "a", "modelInput": {"messages": [{"role": "user", "content": [{"text": "Traduza para o inglês: bom dia"}]}]}},
            {"recordId": "b", "modelInput": {"messages": "not a list"}}]
    s3.put_object(Bucket="genai-jobs", Key="conv/in.jsonl", Body=_jsonl(rows))
    job = br.create_model_invocation_job(
        jobName="conversas", roleArn=role, modelId=NOVA, modelInvocationType="Converse",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://genai-jobs/conv/in.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://genai-jobs/conv/out"}})["jobArn"]
    done = _wait(lambda: br.get_model_invocation_job(jobIdentifier=job), lambda j: j["status"] == "PartiallyCompleted")
    assert done["status"] == "PartiallyCompleted" and (done["successRecordCount"], done["errorRecordCount"]) == (1, 1)
    key = f"conv/out/{job.rsplit('/', 1)[-1]}/in.jsonl.out"
    first, second = [json.loads(x) for x in s3.get_object(Bucket="genai-jobs", Key=key)["Body"].read().decode().splitlines()]
    assert first["modelOutput"]["output"]["message"]["role"] == "assistant"
    assert second["error"]["errorCode"] == 400 and "modelOutput" not in second


def test_batch_jobs_refuse_and_fail_as_aws_does(cloud, aws):
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    s3.put_object(Bucket="genai-jobs", Key="small/in.jsonl", Body=_jsonl(_batch_records(5)))
    args = dict(roleArn=role, modelId=TITAN, inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://genai-jobs/small/"}},
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://genai-jobs/out/"}})
    job = br.create_model_invocation_job(jobName="pequeno", **args)["jobArn"]
    failed = _wait(lambda: br.get_model_invocation_job(jobIdentifier=job), lambda j: j["status"] == "Failed")
    assert failed["status"] == "Failed" and "at least 100" in failed["message"]
    with pytest.raises(ClientError) as bad:
        br.create_model_invocation_job(jobName="x", **{**args, "modelId": "amazon.nope-v9"})
    assert bad.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        br.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    untrusted = aws("iam").create_role(RoleName="lambda-only", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    with pytest.raises(ClientError) as trust:
        br.create_model_invocation_job(jobName="y", **{**args, "roleArn": untrusted})
    assert "bedrock.amazonaws.com" in trust.value.response["Error"]["Message"]
    blind = _role(aws, "no-s3", policy=None)
    job = br.create_model_invocation_job(jobName="sem-acesso", **{**args, "roleArn": blind})["jobArn"]
    failed = _wait(lambda: br.get_model_invocation_job(jobIdentifier=job), lambda j: j["status"] == "Failed")
    assert "s3:GetObject" in failed["message"]


def test_a_batch_job_on_sse_kms_data_fails_until_its_role_may_use_the_key(cloud, aws, monkeypatch):
    """As in AWS: the service role needs kms:Decrypt on the key of SSE-KMS input and kms:GenerateDataKey on the key
    that encrypts the output (the bucket's default here), or the job fails with an access error."""
    monkeypatch.setitem(cloud.settings, "bedrock_batch_min_records", 2)
    s3, br, iam = _bucket(aws), aws("bedrock"), aws("iam")
    key = aws("kms").create_key(Description="batch data")["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket="genai-jobs", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    s3.put_object(Bucket="genai-jobs", Key="kms/in.jsonl", Body=_jsonl(_batch_records(2)))
    assert s3.head_object(Bucket="genai-jobs", Key="kms/in.jsonl")["SSEKMSKeyId"] == key
    role = _role(aws)
    args = dict(roleArn=role, modelId=TITAN, inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://genai-jobs/kms/"}},
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://genai-jobs/kms-out/"}})

    def run(name):
        job = br.create_model_invocation_job(jobName=name, **args)["jobArn"]
        return _wait(lambda: br.get_model_invocation_job(jobIdentifier=job),
                     lambda j: j["status"] in ("Completed", "Failed"))

    no_key = run("sem-chave")
    assert no_key["status"] == "Failed" and f"kms:Decrypt on {key}" in no_key["message"], no_key
    assert "s3://genai-jobs/kms/in.jsonl" in no_key["message"]

    def grant(*actions):
        iam.put_role_policy(RoleName="genai-bedrock-jobs", PolicyName="kms", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": key}]}))

    grant("kms:Decrypt")  # reads the input, but cannot encrypt the output with the bucket's key
    decrypt_only = run("so-leitura")
    assert decrypt_only["status"] == "Failed" and f"kms:GenerateDataKey on {key}" in decrypt_only["message"]
    grant("kms:Decrypt", "kms:GenerateDataKey")
    done = run("com-chave")
    assert done["status"] == "Completed" and done["successRecordCount"] == 2, done
    out = f"kms-out/{done['jobArn'].rsplit('/', 1)[-1]}/in.jsonl.out"
    assert len(s3.get_object(Bucket="genai-jobs", Key=out)["Body"].read().decode().splitlines()) == 2


# -- customization and provisioned throughput ---------------------------------------------------------------------
def _fine_tune(aws, s3, role, name="classificador-chamados", rows=None):
    s3.put_object(Bucket="genai-jobs", Key="ft/train.jsonl", Body=_jsonl(rows or _training_rows()))
    br = aws("bedrock")
    return br.create_model_customization_job(
        jobName=f"{name}-job", customModelName=name, roleArn=role, baseModelIdentifier=TITAN,
        customizationType="FINE_TUNING", hyperParameters={"epochCount": "2", "learningRate": "0.00001"},
        trainingDataConfig={"s3Uri": "s3://genai-jobs/ft/train.jsonl"}, outputDataConfig={"s3Uri": "s3://genai-jobs/ft/out/"},
    )["jobArn"]


def test_a_fine_tuned_model_answers_with_its_labels_through_provisioned_throughput(cloud, aws):
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    job_arn = _fine_tune(aws, s3, role)
    job_id = job_arn.rsplit("/", 1)[-1]
    assert job_arn == f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{TITAN}/{job_id}"
    first = br.get_model_customization_job(jobIdentifier=job_arn)
    assert first["status"] == "InProgress" and first["hyperParameters"]["epochCount"] == "2"
    assert first["hyperParameters"]["batchSize"] == "1"  # AWS's default filled in
    job = _wait(lambda: br.get_model_customization_job(jobIdentifier=job_arn), lambda j: j["status"] == "Completed")
    assert job["status"] == "Completed" and job["statusDetails"]["trainingDetails"]["status"] == "Completed"
    model_arn = job["outputModelArn"]
    assert model_arn.startswith(f"arn:aws:bedrock:us-east-1:123456789012:custom-model/{TITAN}/")
    assert job["trainingMetrics"]["trainingLoss"] > 0
    metrics = s3.get_object(Bucket="genai-jobs", Key=f"ft/out/model-customization-job-{job_id}/training_artifacts/"
                                                     "step_wise_training_metrics.csv")["Body"].read().decode()
    assert metrics.splitlines()[0] == "step_number,epoch_number,training_loss,perplexity" and len(metrics.splitlines()) > 2
    assert [m["modelArn"] for m in br.list_custom_models()["modelSummaries"]] == [model_arn]
    assert br.get_custom_model(modelIdentifier="classificador-chamados")["modelArn"] == model_arn
    runtime = aws("bedrock-runtime")
    ask = {"inputText": "Classifique o chamado: fui cobrado em dobro no cartão este mês"}
    with pytest.raises(ClientError) as on_demand:
        runtime.invoke_model(modelId=model_arn, body=json.dumps(ask))
    assert on_demand.value.response["Error"]["Code"] == "ValidationException"
    assert on_demand.value.response["Error"]["Message"] == "The provided model identifier is invalid."
    pt_arn = br.create_provisioned_model_throughput(provisionedModelName="chamados-pt", modelId=model_arn,
                                                    modelUnits=1)["provisionedModelArn"]
    assert br.get_provisioned_model_throughput(provisionedModelId=pt_arn)["status"] == "Creating"
    pt = _wait(lambda: br.get_provisioned_model_throughput(provisionedModelId=pt_arn), lambda p: p["status"] == "InService")
    assert pt["status"] == "InService" and pt["modelArn"] == model_arn and "commitmentDuration" not in pt
    for question, label in (("Classifique o chamado: fui cobrado em dobro no cartão este mês", "faturamento"),
                            ("Classifique o chamado: não consigo fazer login, a senha não funciona", "acesso"),
                            ("Classifique o chamado: a encomenda não chegou e o rastreio parou", "entrega")):
        answer = json.loads(runtime.invoke_model(modelId=pt_arn, body=json.dumps({"inputText": question}))["body"].read())
        assert answer["results"][0]["outputText"].strip() == label, (question, answer)
    # A grader re-running these calls against the cloud's Bedrock state gets the same answers.
    from gailab.simulator.bedrock import state as bedrock_state
    from gailab.simulator.bedrock.verify import differences

    bedrock = bedrock_state.of(cloud)
    served = [r for r in bedrock.ledger.records if r.get("mode") == "provisioned"]
    assert len(served) == 3 and all(differences(r, bedrock) == [] for r in served)
    # The base model, untrained, does not answer with the labels.
    base = json.loads(runtime.invoke_model(modelId=TITAN, body=json.dumps(ask))["body"].read())
    assert base["results"][0]["outputText"].strip() not in TICKETS
    lines = _costs(cloud)
    hours = next(line for line in lines if line["item"].startswith("provisioned throughput chamados-pt"))
    storage = next(line for line in lines if line["item"] == "custom model storage classificador-chamados")
    training = next(line for line in lines if line["item"].startswith("model customization classificador-chamados-job"))
    assert hours["unit"] == "model-unit-hours" and hours["unitPriceUsd"] == 20.5 and hours["costUsd"] > 0
    assert storage["unitPriceUsd"] == 1.95 and training["unitPriceUsd"] == pytest.approx(0.008 / 1000)
    assert training["quantity"] > 0
    # Hours accrue while it exists; deleting stops the clock.
    later = _wait(lambda: next(line for line in _costs(cloud) if line["item"] == hours["item"]),
                  lambda line: line["quantity"] > hours["quantity"], seconds=10)
    assert later["quantity"] > hours["quantity"]
    with pytest.raises(ClientError) as in_use:
        br.delete_custom_model(modelIdentifier=model_arn)
    assert in_use.value.response["Error"]["Code"] == "ValidationException"
    br.delete_provisioned_model_throughput(provisionedModelId=pt_arn)
    stopped = next(line for line in _costs(cloud) if line["item"] == hours["item"])
    # Computed from the deletion time: later views show the same hours.
    assert next(line for line in _costs(cloud) if line["item"] == hours["item"])["quantity"] == stopped["quantity"]
    with pytest.raises(ClientError) as gone:
        runtime.invoke_model(modelId=pt_arn, body=json.dumps(ask))
    assert gone.value.response["Error"]["Code"] == "ValidationException"


def test_fine_tuning_on_sse_kms_data_needs_the_key_too(cloud, aws):
    """The customization job's role reads SSE-KMS training data with kms:Decrypt and writes its encrypted output
    with kms:GenerateDataKey, as the bedrock-vs-sagemaker lab's role is told to."""
    s3, br, iam = _bucket(aws), aws("bedrock"), aws("iam")
    key = aws("kms").create_key(Description="training data")["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket="genai-jobs", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    role = _role(aws)

    def failure(name):
        job = _fine_tune(aws, s3, role, name=name)
        done = _wait(lambda: br.get_model_customization_job(jobIdentifier=job),
                     lambda j: j["status"] in ("Completed", "Failed"))
        return done["status"], done.get("failureMessage", "")

    status, message = failure("sem-chave")
    assert status == "Failed" and f"kms:Decrypt on {key}" in message, message
    iam.put_role_policy(RoleName="genai-bedrock-jobs", PolicyName="kms", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}]}))
    status, message = failure("so-leitura")
    assert status == "Failed" and f"kms:GenerateDataKey on {key}" in message, message
    iam.put_role_policy(RoleName="genai-bedrock-jobs", PolicyName="kms", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                                                "Resource": key}]}))
    assert failure("com-chave") == ("Completed", "")


def test_a_malformed_training_record_fails_the_job_naming_its_line(cloud, aws):
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    rows = _training_rows()[:4]
    body = _jsonl(rows[:2]) + b'{"prompt": "Classifique: boleto", "answer": "faturamento"}\n' + _jsonl(rows[2:])
    s3.put_object(Bucket="genai-jobs", Key="ft/train.jsonl", Body=body)
    job = br.create_model_customization_job(
        jobName="ruim", customModelName="ruim", roleArn=role, baseModelIdentifier=TITAN,
        trainingDataConfig={"s3Uri": "s3://genai-jobs/ft/train.jsonl"}, outputDataConfig={"s3Uri": "s3://genai-jobs/ft/out/"})["jobArn"]
    failed = _wait(lambda: br.get_model_customization_job(jobIdentifier=job), lambda j: j["status"] == "Failed")
    assert failed["status"] == "Failed" and failed["statusDetails"]["validationDetails"]["status"] == "Failed"
    assert "s3://genai-jobs/ft/train.jsonl line 3" in failed["failureMessage"]
    assert '"prompt" and "completion"' in failed["failureMessage"]
    assert br.list_custom_models()["modelSummaries"] == []


def test_customization_refuses_bad_hyperparameters_and_models_that_cannot_be_tuned(cloud, aws):
    s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
    s3.put_object(Bucket="genai-jobs", Key="ft/train.jsonl", Body=_jsonl(_training_rows()))
    args = dict(roleArn=role, trainingDataConfig={"s3Uri": "s3://genai-jobs/ft/train.jsonl"},
                outputDataConfig={"s3Uri": "s3://genai-jobs/ft/out/"})
    with pytest.raises(ClientError) as epochs:
        br.create_model_customization_job(jobName="a", customModelName="a", baseModelIdentifier=TITAN,
                                          hyperParameters={"epochCount": "40"}, **args)
    assert epochs.value.response["Error"]["Code"] == "ValidationException"
    assert "epochCount" in epochs.value.response["Error"]["Message"] and "between 1 and 10" in epochs.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as unknown:
        br.create_model_customization_job(jobName="b", customModelName="b", baseModelIdentifier=TITAN,
                                          hyperParameters={"dropout": "0.1"}, **args)
    assert "dropout" in unknown.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as claude:
        br.create_model_customization_job(jobName="c", customModelName="c",
                                          baseModelIdentifier="anthropic.claude-3-5-sonnet-20240620-v1:0", **args)
    assert "doesn't support FINE_TUNING" in claude.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as premier_cpt:
        br.create_model_customization_job(jobName="d", customModelName="d", customizationType="CONTINUED_PRE_TRAINING",
                                          baseModelIdentifier="amazon.titan-text-premier-v1:0", **args)
    assert "CONTINUED_PRE_TRAINING" in premier_cpt.value.response["Error"]["Message"]


def test_provisioned_throughput_quotas_and_commitments(cloud, aws, monkeypatch):
    br, runtime = aws("bedrock"), aws("bedrock-runtime")
    with pytest.raises(ClientError) as no_commitment:
        br.create_provisioned_model_throughput(provisionedModelName="titan-pt", modelId=TITAN, modelUnits=1)
    assert "OneMonth or SixMonths" in no_commitment.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as quota:
        br.create_provisioned_model_throughput(provisionedModelName="titan-pt", modelId=TITAN, modelUnits=1,
                                               commitmentDuration="OneMonth")
    assert quota.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    monkeypatch.setitem(cloud.settings, "bedrock_provisioned_commitment_units", 2)
    pt = br.create_provisioned_model_throughput(provisionedModelName="titan-pt", modelId=TITAN, modelUnits=2,
                                                commitmentDuration="SixMonths")["provisionedModelArn"]
    described = br.get_provisioned_model_throughput(provisionedModelId="titan-pt")
    assert described["provisionedModelArn"] == pt and described["commitmentDuration"] == "SixMonths"
    assert described["commitmentExpirationTime"] > described["creationTime"]
    with pytest.raises(ClientError) as not_ready:
        runtime.invoke_model(modelId=pt, body=json.dumps({"inputText": "Olá"}))
    assert not_ready.value.response["Error"]["Code"] == "ModelNotReadyException"
    _wait(lambda: br.get_provisioned_model_throughput(provisionedModelId=pt), lambda p: p["status"] == "InService")
    answer = json.loads(runtime.invoke_model(modelId=pt, body=json.dumps({"inputText": "Explique o que é um token."}))["body"].read())
    assert answer["results"][0]["outputText"]
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations", timeout=30) as reply:
        record = json.loads(reply.read())["invocations"][-1]
    assert record["mode"] == "provisioned" and record["provisionedModelArn"] == pt and record["costUsd"] == 0
    line = next(x for x in _costs(cloud) if x["item"].startswith("provisioned throughput titan-pt"))
    assert line["unitPriceUsd"] == 14.8 and "2 MU, SixMonths" in line["item"]
    with pytest.raises(ClientError) as committed:
        br.delete_provisioned_model_throughput(provisionedModelId=pt)
    assert "commitment" in committed.value.response["Error"]["Message"]


def test_jobs_custom_models_and_provisioned_models_survive_kill_9(tmp_path):
    from gailab.simulator import CloudProcess

    home = tmp_path / "home"
    first = CloudProcess(home).start()
    config = Config(retries={"max_attempts": 1, "mode": "standard"})

    def factory(endpoint):
        return lambda service: boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                                            aws_access_key_id="test", aws_secret_access_key="test", config=config)

    try:
        aws = factory(first.endpoint)
        s3, role, br = _bucket(aws), _role(aws), aws("bedrock")
        s3.put_object(Bucket="genai-jobs", Key="batch/in/a.jsonl", Body=_jsonl(_batch_records(100)))  # AWS's minimum
        batch = br.create_model_invocation_job(
            jobName="noturno", roleArn=role, modelId=TITAN,
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://genai-jobs/batch/in/"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://genai-jobs/batch/out/"}})["jobArn"]
        tuning = _fine_tune(aws, s3, role)
        done = _wait(lambda: br.get_model_customization_job(jobIdentifier=tuning), lambda j: j["status"] == "Completed")
        pt = br.create_provisioned_model_throughput(provisionedModelName="pt", modelId=done["outputModelArn"],
                                                    modelUnits=1)["provisionedModelArn"]
        finished = _wait(lambda: br.get_model_invocation_job(jobIdentifier=batch), lambda j: j["status"] == "Completed")
        before = {"batch": finished, "tuning": done, "pt": br.get_provisioned_model_throughput(provisionedModelId=pt),
                  "models": br.list_custom_models()["modelSummaries"]}
        out_key = f"batch/out/{batch.rsplit('/', 1)[-1]}/a.jsonl.out"
        output = s3.get_object(Bucket="genai-jobs", Key=out_key)["Body"].read()
    finally:
        first.kill()
    second = CloudProcess(home).start()
    try:
        aws = factory(second.endpoint)
        br = aws("bedrock")
        after = br.get_model_invocation_job(jobIdentifier=batch)
        after.pop("ResponseMetadata"), before["batch"].pop("ResponseMetadata")
        assert after == before["batch"]
        tuned = br.get_model_customization_job(jobIdentifier=tuning)
        assert {k: tuned[k] for k in ("status", "outputModelArn", "creationTime", "endTime", "trainingMetrics")} == \
               {k: before["tuning"][k] for k in ("status", "outputModelArn", "creationTime", "endTime", "trainingMetrics")}
        again = br.get_provisioned_model_throughput(provisionedModelId=pt)
        assert {k: again[k] for k in ("provisionedModelArn", "modelArn", "creationTime", "modelUnits")} == \
               {k: before["pt"][k] for k in ("provisionedModelArn", "modelArn", "creationTime", "modelUnits")}
        assert br.list_custom_models()["modelSummaries"] == before["models"]
        assert aws("s3").get_object(Bucket="genai-jobs", Key=out_key)["Body"].read() == output
        _wait(lambda: br.get_provisioned_model_throughput(provisionedModelId=pt), lambda p: p["status"] == "InService")
        answer = json.loads(aws("bedrock-runtime").invoke_model(modelId=pt, body=json.dumps(
            {"inputText": "Classifique o chamado: esqueci a senha da conta"}))["body"].read())
        assert answer["results"][0]["outputText"].strip() == "acesso"
    finally:
        second.stop()


def test_aws_cli_lists_jobs_and_provisioned_models(cloud, aws, aws_env):
    s3, role = _bucket(aws), _role(aws)
    _fine_tune(aws, s3, role)

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "awscli", "bedrock", *args, "--output", "json"], env=aws_env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    jobs = cli("list-model-customization-jobs")["modelCustomizationJobSummaries"]
    assert [j["jobName"] for j in jobs] == ["classificador-chamados-job"]
    assert cli("list-provisioned-model-throughputs")["provisionedModelSummaries"] == []
    missing = subprocess.run([sys.executable, "-m", "awscli", "bedrock", "get-custom-model", "--model-identifier", "nada"],
                             env=aws_env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
