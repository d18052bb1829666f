"""Checks of bedrock-vs-sagemaker: graded on what ran and what it billed — the SageMaker endpoint from the cost view
and the endpoint's invocation log (both outlive the endpoint), the custom model from its job and the ledger of its
calls through Provisioned Throughput, the report's figures from the cost view, and, at the end, nothing left that
bills by the hour."""

import json
import re
from pathlib import Path

from botocore.exceptions import ClientError

from gailab.labs.checks import Fail, Pass, T, check
from gailab.labs.checks import bedrock, kms, s3, sagemaker

BUCKET = "genai-outputs"
TRAINING_KEY, REPORT_KEY = "finetune/train.jsonl", "reports/compare.json"
ENDPOINT = "jumpstart-summarizer"
LAB_KEY = "alias/genai-lab"
MIN_CUSTOM_CALLS = 3
TOLERANCE = 0.05
LABELS = tuple(json.loads((Path(__file__).parent / "starter" / "test_tickets.json").read_text("utf-8"))["labels"])
_BILLING = re.compile(r"^endpoint (?P<name>\S+) \((?P<variant>[^)]*)\): (?P<count>\d+) x (?P<type>\S+)$")
SHAPE = ('{"sagemaker": {"endpointName", "instanceType", "instanceCount", "billedPer", "costUsd"}, "bedrock": '
         '{"customModelArn", "provisionedModelName", "modelUnits", "billedPer", "costUsd", "trainingCostUsd"}}')


def _sagemaker_billing(ctx) -> list[dict]:
    """Instance-hour items of the cost view, parsed: name, variant, count, type, end (None while it runs)."""
    if "bvs.billing" not in ctx.cache:
        out = []
        for item in ctx.admin("/_gailab/sagemaker/costs").get("items", []):
            found = _BILLING.match(item.get("item", ""))
            if found:
                out.append({**found.groupdict(), "count": int(found["count"]), "end": item.get("end"),
                            "costUsd": item.get("costUsd", 0.0)})
        ctx.cache["bvs.billing"] = out
    return ctx.cache["bvs.billing"]


def _configs(ctx) -> list[dict]:
    client = ctx.client("sagemaker")
    names = [c["EndpointConfigName"] for c in client.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]]
    return [c for c in (sagemaker.endpoint_config(ctx, n) for n in names) if c]


@check("gpu-endpoint")
def gpu_endpoint(ctx):
    billed = [b for b in _sagemaker_billing(ctx) if b["name"] == ENDPOINT]
    good = [b for b in billed if sagemaker.is_gpu(b["type"]) and b["type"].startswith("ml.g5.") and b["count"] == 1]
    if good:
        return Pass(actual=f"{good[-1]['count']} x {good[-1]['type']}")
    if billed:
        b = billed[-1]
        return Fail(T(f"endpoint {ENDPOINT} ran on {b['count']} x {b['type']}, not on one GPU ml.g5 instance",
                      f"o endpoint {ENDPOINT} rodou em {b['count']} x {b['type']}, não em uma instância GPU ml.g5"),
                    expected="1 x ml.g5.*", actual=f"{b['count']} x {b['type']}")
    described = sagemaker.endpoint(ctx, ENDPOINT)
    if described is not None and described.get("EndpointStatus") == "Failed":
        return Fail(T(f"endpoint {ENDPOINT} failed (its FailureReason is below)",
                      f"o endpoint {ENDPOINT} falhou (o FailureReason dele está abaixo)"),
                    expected="InService on 1 x ml.g5.*",
                    actual={"EndpointStatus": "Failed", "FailureReason": described.get("FailureReason")},
                    hint=T("An LLM's serving container (TGI) needs a GPU: use an ml.g5 instance type in the endpoint "
                           "configuration.", "O contêiner de inferência de um LLM (TGI) precisa de GPU: use um tipo de "
                           "instância ml.g5 na configuração do endpoint."))
    if described is not None:
        return Fail(T(f"endpoint {ENDPOINT} is {described.get('EndpointStatus')}",
                      f"o endpoint {ENDPOINT} está {described.get('EndpointStatus')}"),
                    expected="InService", actual=described.get("EndpointStatus"))
    configs = _configs(ctx)
    if configs:
        types = {c["EndpointConfigName"]: sagemaker.instance_types(c) for c in configs}
        cpu = [t for ts in types.values() for t in ts if t and not sagemaker.is_gpu(t)]
        if cpu and not any(sagemaker.is_gpu(t) for ts in types.values() for t in ts):
            return Fail(T(f"no endpoint {ENDPOINT} ran; the endpoint configuration asks for {cpu[0]}, a CPU instance: "
                          "an LLM's container needs a GPU",
                          f"nenhum endpoint {ENDPOINT} rodou; a configuração do endpoint pede {cpu[0]}, uma instância "
                          "só com CPU: o contêiner de um LLM precisa de GPU"),
                        expected="1 x ml.g5.*", actual=types)
        return Fail(T(f"an endpoint configuration exists, but no endpoint {ENDPOINT} was created from it",
                      f"existe uma configuração de endpoint, mas nenhum endpoint {ENDPOINT} foi criado a partir dela"),
                    expected=f"CreateEndpoint {ENDPOINT}", actual=types,
                    hint=T("A configuration only describes the deployment; CreateEndpoint starts the instances.",
                           "A configuração só descreve a implantação; é o CreateEndpoint que sobe as instâncias."))
    return Fail(T(f"no SageMaker endpoint {ENDPOINT} was created", f"nenhum endpoint {ENDPOINT} do SageMaker foi "
                  "criado"), expected=ENDPOINT, actual=None)


@check("endpoint-call")
def endpoint_call(ctx):
    calls = ctx.admin("/_gailab/sagemaker/invocations", {"endpointName": ENDPOINT}).get("invocations", [])
    if calls:
        return Pass(actual={"invocations": len(calls), "instanceType": calls[-1].get("instanceType")})
    return Fail(T(f"endpoint {ENDPOINT} was never called", f"o endpoint {ENDPOINT} nunca foi chamado"),
                expected="InvokeEndpoint", actual=0)


@check("training-data")
def training_data(ctx):
    info = s3.object_info(ctx, BUCKET, TRAINING_KEY)
    if info is None:
        return Fail(T(f"s3://{BUCKET}/{TRAINING_KEY} not found", f"s3://{BUCKET}/{TRAINING_KEY} não foi encontrado"),
                    expected=f"s3://{BUCKET}/{TRAINING_KEY}", actual=None)
    key = info.get("SSEKMSKeyId")
    lab_key = kms.alias_target(ctx, LAB_KEY)
    if info.get("ServerSideEncryption") != "aws:kms" or not key or not lab_key or not kms.same_key(ctx, key, lab_key):
        return Fail(T(f"{TRAINING_KEY} is not encrypted with the lab's key ({LAB_KEY})",
                      f"{TRAINING_KEY} não está criptografado com a chave do lab ({LAB_KEY})"),
                    expected={"ServerSideEncryption": "aws:kms", "key": LAB_KEY},
                    actual={"ServerSideEncryption": info.get("ServerSideEncryption"), "key": key})
    return Pass(actual=key)


def _custom_models(ctx) -> list[dict]:
    """Completed fine-tuning jobs on the lab's training data, with their custom model ARN."""
    if "bvs.custom" not in ctx.cache:
        client = ctx.client("bedrock")
        jobs = client.list_model_customization_jobs(sortBy="CreationTime", sortOrder="Descending")
        out = []
        for summary in jobs.get("modelCustomizationJobSummaries", []):
            job = client.get_model_customization_job(jobIdentifier=summary["jobArn"])
            out.append(job)
        ctx.cache["bvs.custom"] = out
    return ctx.cache["bvs.custom"]


@check("custom-model")
def custom_model(ctx):
    jobs = _custom_models(ctx)
    uri = f"s3://{BUCKET}/{TRAINING_KEY}"
    done = [j for j in jobs if j.get("status") == "Completed" and j.get("customizationType") == "FINE_TUNING"
            and j.get("trainingDataConfig", {}).get("s3Uri") == uri and j.get("outputModelArn")]
    if done:
        return Pass(actual=done[0]["outputModelArn"])
    if not jobs:
        return Fail(T("no model customization job was created", "nenhum job de personalização de modelo foi criado"),
                    expected=f"FINE_TUNING on {uri}", actual=None)
    last = jobs[0]
    return Fail(T(f"no fine-tuning job on {uri} has completed; the latest is {last.get('status')}",
                  f"nenhum job de ajuste fino sobre {uri} foi concluído; o mais recente está {last.get('status')}"),
                expected=f"Completed FINE_TUNING on {uri}",
                actual={"status": last.get("status"), "trainingData": last.get("trainingDataConfig", {}).get("s3Uri"),
                        "failureMessage": last.get("failureMessage")})


@check("custom-answers")
def custom_answers(ctx):
    models = {j["outputModelArn"] for j in _custom_models(ctx) if j.get("outputModelArn")}
    calls = [r for r in bedrock.invocations(ctx) if r.get("mode") == "provisioned" and r.get("customModelArn") in models
             and not r.get("error")]
    labelled = [r for r in calls if (r.get("output") or "").strip().lower() in LABELS]
    if len(labelled) >= MIN_CUSTOM_CALLS:
        return Pass(actual=[(r.get("output") or "").strip() for r in labelled[-MIN_CUSTOM_CALLS:]])
    if not calls:
        return Fail(T("the custom model was never called through Provisioned Throughput",
                      "o modelo personalizado nunca foi chamado pelo throughput provisionado"),
                    expected=f">= {MIN_CUSTOM_CALLS} calls", actual=0)
    return Fail(T(f"{len(labelled)} of the custom model's answers are one of the trained labels; "
                  f"{MIN_CUSTOM_CALLS} are needed",
                  f"{len(labelled)} respostas do modelo personalizado são um dos rótulos treinados; são necessárias "
                  f"{MIN_CUSTOM_CALLS}"), expected=list(LABELS), actual=[r.get("output") for r in calls[-3:]])


# -- the report ---------------------------------------------------------------------------------------------------
def _report(ctx):
    if "bvs.report" not in ctx.cache:
        ctx.cache["bvs.report"] = _read_report(ctx)
    return ctx.cache["bvs.report"]


def _read_report(ctx):
    data, failure = s3.json_document(ctx, BUCKET, REPORT_KEY)
    if failure:
        return None, failure
    fields = {"sagemaker": {"endpointName": str, "instanceType": str, "instanceCount": int, "billedPer": str,
                            "costUsd": (int, float)},
              "bedrock": {"customModelArn": str, "provisionedModelName": str, "modelUnits": int, "billedPer": str,
                          "costUsd": (int, float), "trainingCostUsd": (int, float)}}
    for part, wanted in fields.items():
        item = data.get(part) if isinstance(data, dict) else None
        if (not isinstance(item, dict) or not set(wanted) <= set(item)
                or not all(isinstance(item[k], t) and not isinstance(item[k], bool) for k, t in wanted.items())):
            return None, Fail(T(f"{REPORT_KEY}: {part} must hold {', '.join(wanted)}",
                                f"{REPORT_KEY}: {part} deve ter {', '.join(wanted)}"), expected=SHAPE,
                              actual=item if isinstance(item, dict) else None)
    billed = {"sagemaker": data["sagemaker"]["billedPer"], "bedrock": data["bedrock"]["billedPer"]}
    if billed != {"sagemaker": "instance-hour", "bedrock": "model-unit-hour"}:
        return None, Fail(T("billedPer: a SageMaker endpoint bills per instance-hour, Provisioned Throughput per "
                            "model-unit-hour", "billedPer: um endpoint do SageMaker cobra por hora de instância "
                            "(instance-hour) e o throughput provisionado por hora de unidade de modelo "
                            "(model-unit-hour)"),
                          expected={"sagemaker": "instance-hour", "bedrock": "model-unit-hour"}, actual=billed)
    return data, None


@check("report-format")
def report_format(ctx):
    data, failure = _report(ctx)
    return failure or Pass(actual={k: data[k]["billedPer"] for k in ("sagemaker", "bedrock")})


def _close(reported, actual) -> bool:
    return abs(float(reported) - float(actual)) <= TOLERANCE * abs(float(actual)) + 1e-6


@check("report-costs")
def report_costs(ctx):
    data, failure = _report(ctx)
    if failure:
        return failure
    lines = ctx.admin("/_gailab/costs").get("lines", [])
    sm, br = data["sagemaker"], data["bedrock"]

    def total(prefix):
        return round(sum(line.get("costUsd", 0.0) for line in lines if line.get("item", "").startswith(prefix)), 8)

    jobs = [j for j in _custom_models(ctx) if j.get("outputModelArn") == br["customModelArn"]]
    expected = {"sagemaker.costUsd": total(f"endpoint {sm['endpointName']} "),
                "bedrock.costUsd": total(f"provisioned throughput {br['provisionedModelName']} "),
                "bedrock.trainingCostUsd": total(f"model customization {jobs[0]['jobName']} ") if jobs else None}
    reported = {"sagemaker.costUsd": sm["costUsd"], "bedrock.costUsd": br["costUsd"],
                "bedrock.trainingCostUsd": br["trainingCostUsd"]}
    if expected["bedrock.trainingCostUsd"] is None:
        return Fail(T("bedrock.customModelArn is not a custom model of a job in this account",
                      "bedrock.customModelArn não é um modelo personalizado de um job desta conta"),
                    expected=[j.get("outputModelArn") for j in _custom_models(ctx)], actual=br["customModelArn"])
    for name, value in expected.items():
        if not value or not _close(reported[name], value):
            return Fail(T(f"{name} differs from the cost view by more than 5 % (delete first, then read the costs)",
                          f"{name} difere em mais de 5 % da visão de custos (exclua primeiro e depois leia os custos)"),
                        expected=expected, actual=reported)
    return Pass(actual=expected)


@check("nothing-billing")
def nothing_billing(ctx):
    running = [T(f"SageMaker endpoint {b['name']} ({b['count']} x {b['type']})",
                 f"endpoint do SageMaker {b['name']} ({b['count']} x {b['type']})")
               for b in _sagemaker_billing(ctx) if b["end"] is None]
    try:
        provisioned = ctx.client("bedrock").list_provisioned_model_throughputs().get("provisionedModelSummaries", [])
    except ClientError:
        provisioned = []
    running += [T(f"Provisioned Throughput {p['provisionedModelName']} ({p.get('modelUnits')} MU)",
                  f"throughput provisionado {p['provisionedModelName']} ({p.get('modelUnits')} MU)")
                for p in provisioned]
    if not running:
        return Pass(actual=[])
    return Fail(T(f"still billing by the hour: {', '.join(r.en for r in running)}",
                  f"ainda cobrando por hora: {', '.join(r('pt-BR') for r in running)}"), expected=[],
                actual=[r.en for r in running],
                hint=T("Delete the endpoint (DeleteEndpoint) and the Provisioned Throughput "
                       "(DeleteProvisionedModelThroughput); the configuration, the model and the custom model bill "
                       "nothing per hour.",
                       "Exclua o endpoint (DeleteEndpoint) e o throughput provisionado "
                       "(DeleteProvisionedModelThroughput); a configuração, o modelo e o modelo personalizado não "
                       "cobram por hora."))
