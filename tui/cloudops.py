"""The app's calls to the local cloud (boto3 and ``/_gailab/``), kept free of Textual.

Every function here blocks; the widgets call them from thread workers only. Errors are turned into one readable
line by :func:`describe_error` so the UI never shows a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from .i18n import number, t

REGION = "us-east-1"


def client(endpoint: str, service: str, timeout: float = 60, app_id: str | None = None):
    """A cached boto3 client on the local cloud that reads no AWS profile (see :mod:`gailab.simulator.client`)."""
    from gailab.simulator.client import client as local_client

    return local_client(endpoint, service, timeout, app_id)


def describe_error(exc: BaseException) -> str:
    """One line: the AWS error code and message when there is one."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".strip()
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def admin(endpoint: str, path: str, payload: dict | None = None, timeout: float = 5) -> dict:
    """GET (or POST with a JSON body) an admin route under ``/_gailab/``."""
    from gailab.simulator.client import admin as admin_call

    return admin_call(endpoint, path, payload, timeout=timeout)


def terminal_env(endpoint: str | None, home: Path | None = None, workspace: Path | None = None) -> dict[str, str]:
    """The environment of the app's children: the local cloud's (never the learner's AWS profile), plain output."""
    from gailab.simulator.client import local_env

    env = local_env(endpoint, home=home, workspace=workspace)
    env.setdefault("TERM", "dumb")
    env["NO_COLOR"] = "1"
    return env


# --- playground ------------------------------------------------------------------------------------------------

def text_models(endpoint: str) -> list[tuple[str, str]]:
    """(label, modelId) for every model that outputs text, as ListFoundationModels answers."""
    bedrock = client(endpoint, "bedrock", timeout=10)
    models = bedrock.list_foundation_models().get("modelSummaries", [])
    found = []
    for model in models:
        if "TEXT" not in model.get("outputModalities", ["TEXT"]):
            continue
        if "EMBEDDING" in model.get("outputModalities", []):
            continue
        label = f"{model.get('providerName', '')} {model.get('modelName', model['modelId'])}".strip()
        found.append((label, model["modelId"]))
    return sorted(found)


PLAYGROUND_APP_ID = "gailab-playground"  # in the User-Agent of the Playground's calls: the ledger's "client"


def _converse_kwargs(model_id: str, messages: list[dict], system: str, inference: dict) -> dict:
    kwargs = {"modelId": model_id, "messages": messages, "inferenceConfig": inference}
    if system.strip():
        kwargs["system"] = [{"text": system}]
    return kwargs


def _with_ledger(endpoint: str, request_id: str | None, text: str, message: dict, usage: dict, latency_ms,
                 stop_reason) -> dict:
    record = ledger_record(endpoint, request_id) or {}
    return {
        "text": text,
        "message": message,
        "inputTokens": record.get("inputTokens", usage.get("inputTokens", 0)),
        "outputTokens": record.get("outputTokens", usage.get("outputTokens", 0)),
        "costUsd": record.get("costUsd", 0.0),
        "latencyMs": record.get("latencyMs", latency_ms or 0),
        "grounded": record.get("grounded"),
        "stopReason": stop_reason,
        "requestId": request_id,
    }


def converse(endpoint: str, model_id: str, messages: list[dict], system: str, inference: dict) -> dict:
    """One Converse call, then its ledger record (tokens, cost, latency, grounded)."""
    runtime = client(endpoint, "bedrock-runtime", timeout=120, app_id=PLAYGROUND_APP_ID)
    response = runtime.converse(**_converse_kwargs(model_id, messages, system, inference))
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    text = "".join(block.get("text", "") for block in response["output"]["message"]["content"])
    return _with_ledger(endpoint, request_id, text, response["output"]["message"], response.get("usage", {}),
                        response.get("metrics", {}).get("latencyMs"), response.get("stopReason"))


def converse_stream(endpoint: str, model_id: str, messages: list[dict], system: str, inference: dict,
                    on_text=None) -> dict:
    """One ConverseStream call: ``on_text(piece)`` for each text delta as it arrives, then the whole reply with
    its ledger record, as :func:`converse` returns it."""
    runtime = client(endpoint, "bedrock-runtime", timeout=120, app_id=PLAYGROUND_APP_ID)
    response = runtime.converse_stream(**_converse_kwargs(model_id, messages, system, inference))
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    pieces: list[str] = []
    usage: dict = {}
    latency = stop = None
    for event in response["stream"]:
        if "contentBlockDelta" in event:
            piece = event["contentBlockDelta"].get("delta", {}).get("text", "")
            if piece:
                pieces.append(piece)
                if on_text is not None:
                    on_text(piece)
        elif "messageStop" in event:
            stop = event["messageStop"].get("stopReason")
        elif "metadata" in event:
            usage = event["metadata"].get("usage", {})
            latency = event["metadata"].get("metrics", {}).get("latencyMs")
    text = "".join(pieces)
    message = {"role": "assistant", "content": [{"text": text}]}
    result = _with_ledger(endpoint, request_id, text, message, usage, latency, stop)
    result["chunks"] = len(pieces)
    return result


def ledger_record(endpoint: str, request_id: str | None) -> dict | None:
    try:
        records = admin(endpoint, "/_gailab/bedrock/invocations").get("invocations", [])
    except Exception:  # the figures are extras: a reply is shown without them
        return None
    for record in reversed(records):
        if request_id is None or record.get("requestId") == request_id:
            return record
    return None


def bedrock_settings(endpoint: str, change: dict | None = None) -> dict:
    return admin(endpoint, "/_gailab/bedrock/settings", change)


# --- deploy ----------------------------------------------------------------------------------------------------

def deploy_function(endpoint: str, workspace: Path, spec) -> tuple[str, str]:
    """Create or update the lab's function from the workspace (the labs' one deploy logic, also behind
    ``gailab lab deploy``). Returns (function name, "created"|"updated")."""
    from gailab.labs.deploy import deploy

    done = deploy(spec, Path(workspace), endpoint)
    return done.function_name, done.action


# --- explorer --------------------------------------------------------------------------------------------------
# Each lister returns [(label, kind, ident)]; details(kind, ident) returns [(field, value)].

def list_group(endpoint: str, group: str) -> list[tuple[str, str, str]]:
    return _LISTERS[group](endpoint)


def _s3(endpoint):
    s3 = client(endpoint, "s3")
    out = []
    for bucket in s3.list_buckets().get("Buckets", []):
        out.append((bucket["Name"], "bucket", bucket["Name"]))
    return out


def _roles(endpoint):
    iam = client(endpoint, "iam")
    return [(r["RoleName"], "role", r["RoleName"]) for r in iam.list_roles().get("Roles", [])]


def _policies(endpoint):
    iam = client(endpoint, "iam")
    return [(p["PolicyName"], "policy", p["Arn"]) for p in iam.list_policies(Scope="Local").get("Policies", [])]


def _keys(endpoint):
    kms = client(endpoint, "kms")
    aliases: dict[str, list[str]] = {}
    for alias in kms.list_aliases().get("Aliases", []):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    out = []
    for key in kms.list_keys().get("Keys", []):
        names = aliases.get(key["KeyId"], [])
        label = f"{names[0]}  ({key['KeyId'][:8]})" if names else key["KeyId"]
        out.append((label, "key", key["KeyId"]))
    return out


def _functions(endpoint):
    lam = client(endpoint, "lambda")
    return [(f["FunctionName"], "function", f["FunctionName"]) for f in lam.list_functions().get("Functions", [])]


def _apis(endpoint):
    apigw = client(endpoint, "apigateway")
    out = []
    for api in apigw.get_rest_apis().get("items", []):
        out.append((f"{api['name']}  ({api['id']})", "api", api["id"]))
        for stage in apigw.get_stages(restApiId=api["id"]).get("item", []):
            out.append((f"  {api['name']} / {stage['stageName']}", "stage", f"{api['id']}/{stage['stageName']}"))
    return out


def _log_groups(endpoint):
    logs = client(endpoint, "logs")
    return [(g["logGroupName"], "loggroup", g["logGroupName"]) for g in logs.describe_log_groups().get("logGroups", [])]


def _guardrails(endpoint):
    bedrock = client(endpoint, "bedrock")
    return [(g["name"], "guardrail", g["id"]) for g in bedrock.list_guardrails().get("guardrails", [])]


def _alarms(endpoint):
    cw = client(endpoint, "cloudwatch")
    return [(f"{a['AlarmName']}  [{a['StateValue']}]", "alarm", a["AlarmName"])
            for a in cw.describe_alarms().get("MetricAlarms", [])]


def _batch_jobs(endpoint):
    bedrock = client(endpoint, "bedrock")
    return [(f"{j['jobName']}  [{j['status']}]", "batch-job", j["jobArn"])
            for j in bedrock.list_model_invocation_jobs().get("invocationJobSummaries", [])]


def _customization_jobs(endpoint):
    bedrock = client(endpoint, "bedrock")
    return [(f"{j['jobName']}  [{j['status']}]", "customization-job", j["jobArn"])
            for j in bedrock.list_model_customization_jobs().get("modelCustomizationJobSummaries", [])]


def _custom_models(endpoint):
    bedrock = client(endpoint, "bedrock")
    return [(m["modelName"], "custom-model", m["modelArn"]) for m in bedrock.list_custom_models().get("modelSummaries", [])]


def _provisioned(endpoint):
    bedrock = client(endpoint, "bedrock")
    return [(f"{p['provisionedModelName']}  [{p['status']}]", "provisioned", p["provisionedModelArn"])
            for p in bedrock.list_provisioned_model_throughputs().get("provisionedModelSummaries", [])]


def _endpoints(endpoint):
    sm = client(endpoint, "sagemaker")
    return [(f"{e['EndpointName']}  ({e['EndpointStatus']})", "sm-endpoint", e["EndpointName"])
            for e in sm.list_endpoints().get("Endpoints", [])]


def _sm_models(endpoint):
    """Models, then endpoint configurations (indented under a heading row of their own)."""
    sm = client(endpoint, "sagemaker")
    out = [(m["ModelName"], "sm-model", m["ModelName"]) for m in sm.list_models(MaxResults=100).get("Models", [])]
    out += [(f"  config {c['EndpointConfigName']}", "sm-config", c["EndpointConfigName"])
            for c in sm.list_endpoint_configs(MaxResults=100).get("EndpointConfigs", [])]
    return out


def _knowledge_bases(endpoint):
    """Knowledge bases, their data sources, and each data source's latest ingestion job."""
    agent = client(endpoint, "bedrock-agent")
    out = []
    for kb in agent.list_knowledge_bases().get("knowledgeBaseSummaries", []):
        kb_id = kb["knowledgeBaseId"]
        out.append((f"{kb['name']}  ({kb['status']})", "kb", kb_id))
        for ds in agent.list_data_sources(knowledgeBaseId=kb_id).get("dataSourceSummaries", []):
            ds_id = ds["dataSourceId"]
            out.append((f"  {ds['name']}", "kb-ds", f"{kb_id}/{ds_id}"))
            jobs = agent.list_ingestion_jobs(knowledgeBaseId=kb_id, dataSourceId=ds_id, maxResults=1,
                                             sortBy={"attribute": "STARTED_AT", "order": "DESCENDING"})
            for job in jobs.get("ingestionJobSummaries", []):
                out.append((f"    job {job['ingestionJobId']}  {job['status']}", "kb-job",
                            f"{kb_id}/{ds_id}/{job['ingestionJobId']}"))
    return out


_LISTERS = {
    "s3": _s3, "iam_roles": _roles, "iam_policies": _policies, "kms": _keys, "lambda": _functions,
    "apigw": _apis, "logs": _log_groups, "alarms": _alarms, "guardrails": _guardrails,
    "knowledge_bases": _knowledge_bases, "bedrock_batch": _batch_jobs, "bedrock_customization": _customization_jobs,
    "bedrock_custom_models": _custom_models, "bedrock_provisioned": _provisioned, "sagemaker": _endpoints,
    "sagemaker_models": _sm_models,
}
GROUPS = list(_LISTERS)


def _size(n: int) -> str:
    """``1.5 KB`` / ``1,5 KB`` (the learner's decimal separator)."""
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n} {unit}" if unit == "B" else f"{number(n, digits=1)} {unit}"
        n /= 1024
    return str(n)


def details(endpoint: str, kind: str, ident: str) -> list[tuple[str, str]]:
    """Fields to show for one resource (values already strings)."""
    fn = _DETAILS.get(kind)
    return fn(endpoint, ident) if fn else []


def _bucket_details(endpoint, name):
    s3 = client(endpoint, "s3")
    rows = [("Bucket", name), ("Region", REGION)]
    rows.append(("Versioning", s3.get_bucket_versioning(Bucket=name).get("Status", "—")))
    try:
        rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
        rows.append(("Encryption", f"{default['SSEAlgorithm']}  {default.get('KMSMasterKeyID', '')}".strip()))
    except Exception:
        rows.append(("Encryption", "—"))
    try:
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        on = sum(1 for value in block.values() if value)
        rows.append(("Public access block", t("explorer.blocks_on", on=on)))
    except Exception:
        rows.append(("Public access block", "—"))
    objects = s3.list_objects_v2(Bucket=name, MaxKeys=50).get("Contents", [])
    rows.append(("Objects", str(len(objects))))
    for obj in objects:
        rows.append(("  " + obj["Key"], _size(obj["Size"])))
    return rows


def _role_details(endpoint, name):
    iam = client(endpoint, "iam")
    role = iam.get_role(RoleName=name)["Role"]
    rows = [("Role", name), ("ARN", role["Arn"]),
            ("Trust", json.dumps(role.get("AssumeRolePolicyDocument", {}), separators=(",", ":")))]
    for pname in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        doc = iam.get_role_policy(RoleName=name, PolicyName=pname)["PolicyDocument"]
        rows.append((f"Inline {pname}", json.dumps(doc, separators=(",", ":"))))
    for att in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        rows.append(("Attached", att["PolicyArn"]))
    return rows


def _policy_details(endpoint, arn):
    iam = client(endpoint, "iam")
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
    return [("Policy", policy["PolicyName"]), ("ARN", arn), ("Document", json.dumps(doc, separators=(",", ":")))]


def _key_details(endpoint, key_id):
    kms = client(endpoint, "kms")
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=key_id).get("Aliases", [])]
    return [("Key", key_id), ("ARN", meta["Arn"]), ("Manager", meta.get("KeyManager", "")),
            ("State", meta.get("KeyState", "")), ("Aliases", ", ".join(aliases) or "—")]


def _function_details(endpoint, name):
    lam = client(endpoint, "lambda")
    conf = lam.get_function_configuration(FunctionName=name)
    env = conf.get("Environment", {}).get("Variables", {})
    return [("Function", name), ("Runtime", conf.get("Runtime", "")), ("Handler", conf.get("Handler", "")),
            ("Role", conf.get("Role", "")), ("Timeout", f"{conf.get('Timeout')} s"),
            ("Memory", f"{conf.get('MemorySize')} MB"),
            ("Environment", ", ".join(f"{k}={v}" for k, v in env.items()) or "—")]


def _api_details(endpoint, api_id):
    apigw = client(endpoint, "apigateway")
    api = apigw.get_rest_api(restApiId=api_id)
    rows = [("API", api["name"]), ("Id", api_id)]
    for res in apigw.get_resources(restApiId=api_id).get("items", []):
        methods = ", ".join(sorted(res.get("resourceMethods", {}) or {}))
        rows.append((f"  {res['path']}", methods or "—"))
    return rows


def invoke_url(endpoint: str, api_id: str, stage: str) -> str:
    return f"{endpoint.rstrip('/')}/_aws/execute-api/{api_id}/{stage}"


def _stage_details(endpoint, ident):
    api_id, stage = ident.split("/", 1)
    return [("Stage", stage), ("API", api_id), ("Invoke URL", invoke_url(endpoint, api_id, stage))]


def _log_details(endpoint, name):
    logs = client(endpoint, "logs")
    rows = [("Log group", name)]
    streams = logs.describe_log_streams(logGroupName=name, orderBy="LastEventTime", descending=True,
                                        limit=3).get("logStreams", [])
    lines = []
    for stream in streams:
        events = logs.get_log_events(logGroupName=name, logStreamName=stream["logStreamName"], limit=20,
                                     startFromHead=False).get("events", [])
        lines.extend(event["message"].rstrip() for event in events)
    rows.append(("Streams", str(len(streams))))
    for line in lines[-20:]:
        rows.append(("  ", line))
    return rows


def _guardrail_details(endpoint, gid):
    bedrock = client(endpoint, "bedrock")
    g = bedrock.get_guardrail(guardrailIdentifier=gid)
    rows = [("Guardrail", g.get("name", gid)), ("Id", gid), ("Version", str(g.get("version", ""))),
            ("Status", str(g.get("status", "")))]
    for key in ("topicPolicy", "contentPolicy", "wordPolicy", "sensitiveInformationPolicy",
                "contextualGroundingPolicy"):
        if g.get(key):
            rows.append((key, json.dumps(g[key], separators=(",", ":"), default=str)[:300]))
    return rows


def _alarm_details(endpoint, name):
    alarm = client(endpoint, "cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    dims = ", ".join(f"{d['Name']}={d['Value']}" for d in alarm.get("Dimensions", []))
    return [("Alarm", name), ("State", alarm.get("StateValue", "")), ("Reason", alarm.get("StateReason", "")),
            ("Metric", f"{alarm.get('Namespace', '')} {alarm.get('MetricName', '')} {dims}".strip()),
            ("Rule", f"{alarm.get('Statistic') or alarm.get('ExtendedStatistic', '')} {alarm.get('ComparisonOperator', '')} "
                     f"{alarm.get('Threshold', '')} · {alarm.get('EvaluationPeriods', '')} × {alarm.get('Period', '')} s"),
            ("Actions", ", ".join(alarm.get("AlarmActions", [])) or "—")]


def _fields(item: dict, names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, str(item[name])) for name in names if item.get(name) not in (None, "", [], {})]


def _batch_details(endpoint, job_arn):
    job = client(endpoint, "bedrock").get_model_invocation_job(jobIdentifier=job_arn)
    rows = _fields(job, ("jobName", "status", "message", "modelId", "submitTime", "endTime", "totalRecordCount",
                         "successRecordCount", "errorRecordCount"))
    rows.append(("input", job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"]))
    rows.append(("output", job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]))
    return rows


def _customization_details(endpoint, job_arn):
    job = client(endpoint, "bedrock").get_model_customization_job(jobIdentifier=job_arn)
    rows = _fields(job, ("jobName", "status", "failureMessage", "customizationType", "baseModelArn", "outputModelArn",
                         "creationTime", "endTime"))
    rows += [(f"  {k}", v) for k, v in sorted(job.get("hyperParameters", {}).items())]
    if job.get("trainingMetrics"):
        rows.append(("trainingLoss", str(job["trainingMetrics"].get("trainingLoss"))))
    return rows


def _custom_model_details(endpoint, model_arn):
    model = client(endpoint, "bedrock").get_custom_model(modelIdentifier=model_arn)
    return _fields(model, ("modelName", "modelArn", "baseModelArn", "customizationType", "jobName", "creationTime",
                           "modelStatus"))


def _provisioned_details(endpoint, pt_arn):
    pt = client(endpoint, "bedrock").get_provisioned_model_throughput(provisionedModelId=pt_arn)
    return _fields(pt, ("provisionedModelName", "status", "provisionedModelArn", "modelArn", "modelUnits",
                        "commitmentDuration", "commitmentExpirationTime", "creationTime"))


def _sm_details(endpoint, name):
    sm = client(endpoint, "sagemaker")
    ep = sm.describe_endpoint(EndpointName=name)
    rows = [("Endpoint", name), ("Status", ep.get("EndpointStatus", "")), ("Config", ep.get("EndpointConfigName", ""))]
    try:
        conf = sm.describe_endpoint_config(EndpointConfigName=ep["EndpointConfigName"])
        for variant in conf.get("ProductionVariants", []):
            rows.append(("  " + variant.get("VariantName", ""),
                         f"{variant.get('InstanceType', '')} × {variant.get('InitialInstanceCount', '')}"))
    except Exception:
        pass
    return rows


def _kb_details(endpoint, kb_id):
    kb = client(endpoint, "bedrock-agent").get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"]
    vector = kb["knowledgeBaseConfiguration"].get("vectorKnowledgeBaseConfiguration") or {}
    storage = kb.get("storageConfiguration") or {}
    rows = [("Knowledge base", kb["name"]), ("Id", kb_id), ("Status", kb["status"]), ("Role", kb["roleArn"]),
            ("Embeddings", vector.get("embeddingModelArn", "").rsplit("/", 1)[-1]), ("Vector store", storage.get("type", "—"))]
    try:
        chunks = admin(endpoint, f"/_gailab/knowledge-bases/chunks?knowledgeBaseId={kb_id}", timeout=30)["chunks"]
        rows.append(("Chunks served", str(len(chunks))))
        for uri in sorted({c["uri"] for c in chunks})[:20]:
            rows.append(("  " + uri, str(sum(1 for c in chunks if c["uri"] == uri)) + " chunks"))
    except Exception:
        pass
    return rows


def _kb_ds_details(endpoint, ident):
    kb_id, ds_id = ident.split("/", 1)
    ds = client(endpoint, "bedrock-agent").get_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)["dataSource"]
    s3 = ds["dataSourceConfiguration"].get("s3Configuration") or {}
    chunking = ds.get("vectorIngestionConfiguration", {}).get("chunkingConfiguration", {})
    settings = next((v for k, v in chunking.items() if k.endswith("ChunkingConfiguration")), {})
    return [("Data source", ds["name"]), ("Id", ds_id), ("Bucket", s3.get("bucketArn", "")),
            ("Prefixes", ", ".join(s3.get("inclusionPrefixes") or []) or "—"),
            ("Chunking", chunking.get("chunkingStrategy", "—")),
            *[("  " + k, json.dumps(v)) for k, v in settings.items()],
            ("Deletion policy", ds.get("dataDeletionPolicy", ""))]


def _kb_job_details(endpoint, ident):
    kb_id, ds_id, job_id = ident.split("/", 2)
    job = client(endpoint, "bedrock-agent").get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                                               ingestionJobId=job_id)["ingestionJob"]
    rows = [("Ingestion job", job_id), ("Status", job["status"]), ("Started", str(job["startedAt"]))]
    rows += [("  " + k.removeprefix("numberOf"), str(v)) for k, v in (job.get("statistics") or {}).items()]
    rows += [("Failure", reason[:300]) for reason in job.get("failureReasons", [])[:10]]
    return rows


def _sm_model_details(endpoint, name):
    model = client(endpoint, "sagemaker").describe_model(ModelName=name)
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    rows = [("Model", name), ("Role", model.get("ExecutionRoleArn", "")), ("Image", container.get("Image", ""))]
    data = ((container.get("ModelDataSource") or {}).get("S3DataSource") or {}).get("S3Uri") or container.get("ModelDataUrl")
    if data:
        rows.append(("Model data", data))
    rows += [("  " + k, v) for k, v in (container.get("Environment") or {}).items()]
    return rows


def _sm_config_details(endpoint, name):
    conf = client(endpoint, "sagemaker").describe_endpoint_config(EndpointConfigName=name)
    rows = [("Endpoint config", name)]
    for variant in conf.get("ProductionVariants", []):
        size = (f"{variant.get('InstanceType', '')} × {variant.get('InitialInstanceCount', '')}"
                if variant.get("InstanceType") else "serverless")
        rows.append(("  " + variant.get("VariantName", ""), f"{variant.get('ModelName', '')}: {size}"))
    return rows


_DETAILS = {
    "bucket": _bucket_details, "role": _role_details, "policy": _policy_details, "key": _key_details,
    "function": _function_details, "api": _api_details, "stage": _stage_details, "loggroup": _log_details,
    "guardrail": _guardrail_details, "sm-endpoint": _sm_details, "kb": _kb_details, "kb-ds": _kb_ds_details,
    "kb-job": _kb_job_details, "sm-model": _sm_model_details, "sm-config": _sm_config_details,
    "alarm": _alarm_details, "batch-job": _batch_details, "customization-job": _customization_details,
    "custom-model": _custom_model_details, "provisioned": _provisioned_details,
}


def deletion_loss(endpoint: str, kind: str, ident: str) -> str | None:
    """What deleting a resource takes with it, in the learner's words (None when nothing more than itself)."""
    if kind == "bucket":
        s3 = client(endpoint, "s3")
        objects = versions = markers = 0
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=ident):
            versions += len(page.get("Versions", []))
            objects += sum(1 for v in page.get("Versions", []) if v.get("IsLatest"))
            markers += len(page.get("DeleteMarkers", []))
        if not versions and not markers:
            return None
        return t("explorer.loss.bucket", objects=objects, versions=versions, markers=markers)
    if kind == "key":
        kms = client(endpoint, "kms")
        aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=ident).get("Aliases", [])]
        return t("explorer.loss.key", aliases=", ".join(aliases) or "—")
    if kind == "role":
        iam = client(endpoint, "iam")
        count = len(iam.list_role_policies(RoleName=ident).get("PolicyNames", [])) + len(
            iam.list_attached_role_policies(RoleName=ident).get("AttachedPolicies", []))
        return t("explorer.loss.role", count=count) if count else None
    return None


def delete(endpoint: str, kind: str, ident: str) -> None:
    """Delete one resource (a bucket with its objects and versions; a role with its policies; ...)."""
    if kind == "bucket":
        s3 = client(endpoint, "s3")
        paginator = s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=ident):
            items = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                     for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if items:
                s3.delete_objects(Bucket=ident, Delete={"Objects": items})
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=ident):
            items = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if items:
                s3.delete_objects(Bucket=ident, Delete={"Objects": items})
        s3.delete_bucket(Bucket=ident)
    elif kind == "role":
        iam = client(endpoint, "iam")
        for pname in iam.list_role_policies(RoleName=ident).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=ident, PolicyName=pname)
        for att in iam.list_attached_role_policies(RoleName=ident).get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=ident, PolicyArn=att["PolicyArn"])
        iam.delete_role(RoleName=ident)
    elif kind == "policy":
        client(endpoint, "iam").delete_policy(PolicyArn=ident)
    elif kind == "key":
        kms = client(endpoint, "kms")
        for alias in kms.list_aliases(KeyId=ident).get("Aliases", []):
            kms.delete_alias(AliasName=alias["AliasName"])
        kms.schedule_key_deletion(KeyId=ident, PendingWindowInDays=7)
    elif kind == "function":
        client(endpoint, "lambda").delete_function(FunctionName=ident)
    elif kind == "api":
        client(endpoint, "apigateway").delete_rest_api(restApiId=ident)
    elif kind == "stage":
        api_id, stage = ident.split("/", 1)
        client(endpoint, "apigateway").delete_stage(restApiId=api_id, stageName=stage)
    elif kind == "loggroup":
        client(endpoint, "logs").delete_log_group(logGroupName=ident)
    elif kind == "guardrail":
        client(endpoint, "bedrock").delete_guardrail(guardrailIdentifier=ident)
    elif kind == "sm-endpoint":
        client(endpoint, "sagemaker").delete_endpoint(EndpointName=ident)
    elif kind == "sm-model":
        client(endpoint, "sagemaker").delete_model(ModelName=ident)
    elif kind == "sm-config":
        client(endpoint, "sagemaker").delete_endpoint_config(EndpointConfigName=ident)
    elif kind == "kb":
        agent = client(endpoint, "bedrock-agent")
        for ds in agent.list_data_sources(knowledgeBaseId=ident).get("dataSourceSummaries", []):
            agent.delete_data_source(knowledgeBaseId=ident, dataSourceId=ds["dataSourceId"])
        agent.delete_knowledge_base(knowledgeBaseId=ident)
    elif kind == "kb-ds":
        kb_id, ds_id = ident.split("/", 1)
        client(endpoint, "bedrock-agent").delete_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    elif kind == "alarm":
        client(endpoint, "cloudwatch").delete_alarms(AlarmNames=[ident])
    elif kind == "provisioned":
        client(endpoint, "bedrock").delete_provisioned_model_throughput(provisionedModelId=ident)
    elif kind == "custom-model":
        client(endpoint, "bedrock").delete_custom_model(modelIdentifier=ident)
    elif kind in ("batch-job", "customization-job"):
        bedrock = client(endpoint, "bedrock")
        if kind == "batch-job":
            bedrock.stop_model_invocation_job(jobIdentifier=ident)
        else:
            bedrock.stop_model_customization_job(jobIdentifier=ident)
    else:
        raise ValueError(f"cannot delete a {kind}")
